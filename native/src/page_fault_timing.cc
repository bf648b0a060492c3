// page_fault_timing: the first write to each page of a fresh anonymous mapping (a minor page fault:
// trap, page allocation, zeroing, PTE install) timed one page at a time. A group of `pages` (fixed,
// default 64) pages is mapped, each page faulted in and timed, then the group is unmapped.
#include <sys/mman.h>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const size_t page = 4096;
  const size_t group = size_t(oe::param(ctx.params, "pages", 64));
  if (group < 1 || group > 4096) throw oe::SamplerError("pages must be in 1..4096");
  size_t i = 0;
  while (i < ctx.n) {
    if (ctx.stop()) break;
    void* p = mmap(nullptr, group * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw oe::SamplerError("mmap failed");
    volatile uint8_t* b = static_cast<volatile uint8_t*>(p);
    for (size_t k = 0; k < group && i < ctx.n; k++, i++) {
      uint64_t t0 = oe::ticks();
      b[k * page] = 1;
      uint64_t t1 = oe::ticks();
      ctx.out[i] = int64_t(t1 - t0);
    }
    munmap(p, group * page);
  }
  return i;
}
}  // namespace

OE_REGISTER(page_fault_timing, oe::Unit::Tsc, sample, nullptr);
