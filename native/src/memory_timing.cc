// memory_timing: one anonymous page mapped, first-touched (write first and last byte, read back) and
// unmapped, timed as one unit. The cost walks the kernel's mmap/fault/munmap paths: VMA allocation, page
// allocation and zeroing, page-table updates and the TLB flush on unmap; its jitter comes from allocator
// state, cache and TLB state, interrupts and (in a VM) the two-dimensional page walk and EPT faults.
#include <sys/mman.h>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const size_t page = 4096;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if (ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw oe::SamplerError("mmap failed");
    volatile uint8_t* b = static_cast<volatile uint8_t*>(p);
    b[0] = 1;
    b[page - 1] = 2;
    oe::sink(uint8_t(b[0] + b[page - 1]));
    munmap(p, page);
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}
}  // namespace

OE_REGISTER(memory_timing, oe::Unit::Tsc, sample, nullptr);
