// speculative_execution: timing of a fixed branchy workload. Each measurement is the tick count of
// exactly `iterations` (default 64) steps of an LCG whose bits drive three data-dependent branches.
// The LCG restarts from the same seed for every sample, so the work and its branch outcomes are
// identical each time: unlike openentropy (batch length 10 + i mod 31, a counter), any variation
// comes from the machine (branch-predictor and BTB state left by other code, caches, interrupts,
// SMT siblings, the hypervisor), not from the workload.
#include "oe.h"

namespace {

size_t sample(oe::Context& ctx) {
  const int iterations = int(oe::param(ctx.params, "iterations", 64));
  if (iterations < 1 || iterations > 100000) throw oe::SamplerError("iterations must be 1..100000");
  const uint64_t seed = 0x9e3779b97f4a7c15ull;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 63) == 0 && ctx.stop()) break;
    uint64_t x = seed, acc = 0;
    uint64_t t0 = oe::ticks();
    for (int k = 0; k < iterations; k++) {
      x = x * 6364136223846793005ull + 1442695040888963407ull;
      // Three branches on different LCG bits; the compiler must not turn them into cmov.
      if (x & (1ull << 40)) {
        acc += x >> 7;
        asm volatile("" : "+r"(acc));
      }
      if (x & (1ull << 51)) {
        acc ^= x;
        asm volatile("" : "+r"(acc));
      } else {
        acc -= 3;
        asm volatile("" : "+r"(acc));
      }
      if ((x >> 60) > 7) {
        acc = acc * 5 + 1;
        asm volatile("" : "+r"(acc));
      }
    }
    uint64_t t1 = oe::ticks();
    oe::sink(acc);
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}

}  // namespace

OE_REGISTER(speculative_execution, oe::Unit::Tsc, sample, nullptr);
