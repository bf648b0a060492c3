// cpu_memory_beat: CPU work interleaved with one memory access. Each measurement is the tick count
// of a fixed block of 50 LCG steps followed by one load from oe::largeBuffer() (the process-wide
// buffer of max(64 MiB, 2 x LLC) shared with the DRAM samplers) at an address taken from the LCG.
// openentropy calls it a beat between the CPU and memory clocks; what varies is the load's latency:
// which cache level hits, a TLB miss and page walk (two-dimensional under a hypervisor), DRAM
// row-buffer state, refresh and other cores' traffic. The address sequence is a deterministic LCG, so
// only the latency, not the choice of address, is new.
#include <string>
#include "oe.h"

namespace {

size_t sample(oe::Context& ctx) {
  const int steps = int(oe::param(ctx.params, "cpuSteps", 50));
  if (steps < 1 || steps > 100000) throw oe::SamplerError("cpuSteps must be 1..100000");
  const oe::LargeBuffer& buf = oe::largeBuffer();
  const volatile uint8_t* b = buf.data;
  uint64_t x = oe::ticks() | 1;
  unsigned acc = 0;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 63) == 0 && ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    for (int k = 0; k < steps; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      asm volatile("" : "+r"(x));
    }
    acc += b[(x >> 16) % buf.bytes];
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  oe::sink(acc);
  return i;
}

std::string probe(const oe::Params&) { return oe::largeBufferProbe(); }

}  // namespace

OE_REGISTER(cpu_memory_beat, oe::Unit::Tsc, sample, probe);
