// pdn_resonance: openentropy's power-delivery-network idea, described honestly. Two stress threads
// (a 4 MiB stride-64 memory sweep and an integer ALU spin), on the other CPU when there are two, run
// while this thread times a fixed chain of 100 dependent adds; each measurement is that tick count.
// The claim is that supply-voltage droop from the stressors perturbs the timed core; nothing here can
// observe voltage, and in a VM there is none to observe: what varies is shared-cache and memory
// contention, interrupts and scheduling, i.e. this is another compute-timing source.
#include <cstdint>
#include <memory>
#include <vector>
#include "b_util.h"

namespace {

size_t sample(oe::Context& ctx) {
  const int adds = int(oe::param(ctx.params, "adds", 100));
  if (adds < 1 || adds > 100000) throw oe::SamplerError("adds must be 1..100000");
  auto cpus = oe::twoCpus();
  oe::PinGuard pin(cpus.first);
  constexpr size_t kSweep = 4u << 20;
  std::unique_ptr<unsigned char[]> buf(new unsigned char[kSweep]());
  unsigned char* p = buf.get();
  size_t i = 0;
  {
    oe::Sibling memory(
        [p](const std::atomic<bool>& stop) {
          unsigned sum = 0;
          while (!stop.load(std::memory_order_relaxed))
            for (size_t off = 0; off < kSweep; off += 64) {
              p[off] = static_cast<unsigned char>(p[off] + 1);
              sum += p[off];
            }
          oe::sink(sum);
        },
        cpus.second);
    oe::Sibling alu(
        [](const std::atomic<bool>& stop) {
          uint64_t x = 1;
          while (!stop.load(std::memory_order_relaxed))
            for (int k = 0; k < 1024; k++) x = x * 6364136223846793005ull + 1442695040888963407ull;
          oe::sink(x);
        },
        cpus.second);
    // Let the stressors reach steady state.
    uint64_t warm = oe::monoRawNs() + 200000;
    while (oe::monoRawNs() < warm && !ctx.stop()) {
    }
    for (; i < ctx.n; i++) {
      if ((i & 63) == 0 && ctx.stop()) break;
      uint64_t acc = 0;
      uint64_t t0 = oe::ticks();
      for (int k = 0; k < adds; k++) {
        acc += uint64_t(k);
        asm volatile("" : "+r"(acc));
      }
      uint64_t t1 = oe::ticks();
      oe::sink(acc);
      ctx.out[i] = int64_t(t1 - t0);
    }
  }
  return i;
}

}  // namespace

OE_REGISTER(pdn_resonance, oe::Unit::Tsc, sample, nullptr);
