// sleep_jitter: a real 1 µs clock_nanosleep(CLOCK_MONOTONIC) timed with CLOCK_MONOTONIC_RAW. The thread
// leaves the CPU, the kernel arms an hrtimer (rounded up by the thread's timer slack, 50 µs by default),
// and the wake-up latency adds timer-interrupt delivery, scheduler decisions, other runnable tasks and,
// in a VM, the host's scheduling of the vCPU (steal). The requested duration is fixed.
#include <errno.h>
#include <time.h>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const long sleepNs = long(oe::param(ctx.params, "sleepNs", 1000));
  if (sleepNs < 1 || sleepNs > 10000000) throw oe::SamplerError("sleepNs must be in 1..1e7");
  struct timespec req = {0, sleepNs};
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    uint64_t t0 = oe::monoRawNs();
    int rc = clock_nanosleep(CLOCK_MONOTONIC, 0, &req, nullptr);
    uint64_t t1 = oe::monoRawNs();
    if (rc != 0 && rc != EINTR) throw oe::SamplerError("clock_nanosleep failed");
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}
}  // namespace

OE_REGISTER(sleep_jitter, oe::Unit::Ns, sample, nullptr);
