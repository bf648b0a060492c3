// clock_jitter: the spread between two back-to-back reads of the cycle counter. Each measurement is
// the tick delta of a minimal fenced read pair; its variation comes from pipeline state, interrupts,
// SMT siblings and, in a VM, the hypervisor's TSC handling.
#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 255) == 0 && ctx.stop()) break;
    uint64_t a = oe::ticks();
    uint64_t b = oe::ticks();
    ctx.out[i] = int64_t(b - a);
  }
  return i;
}
}  // namespace

OE_REGISTER(clock_jitter, oe::Unit::Tsc, sample, nullptr);
