// cas_contention: atomic compare-and-swap under contention. A sibling thread on another CPU keeps
// incrementing 64 shared counters (one per 128-byte slot) with CAS; each measurement is the tick
// count of `ops` (default 8) CAS increments by this thread on the same slots. The time depends on
// where each cache line is (local, the other core's L1/L2, shared L3), on coherence-protocol
// arbitration and on failed CAS retries; with one CPU the sibling only interleaves by preemption.
#include <cstdint>
#include "b_util.h"

namespace {

constexpr int kSlots = 64;
struct alignas(128) Slot {
  std::atomic<uint64_t> v{0};
};

size_t sample(oe::Context& ctx) {
  const int ops = int(oe::param(ctx.params, "ops", 8));
  if (ops < 1 || ops > 4096) throw oe::SamplerError("ops must be 1..4096");
  auto cpus = oe::twoCpus();
  oe::PinGuard pin(cpus.first);
  static_assert(sizeof(Slot) == 128, "one slot per 128 bytes");
  auto* slots = new Slot[kSlots];
  size_t i = 0;
  {
    oe::Sibling hammer(
        [slots](const std::atomic<bool>& stop) {
          unsigned k = 0;
          while (!stop.load(std::memory_order_relaxed)) {
            auto& s = slots[k++ % kSlots].v;
            uint64_t cur = s.load(std::memory_order_relaxed);
            while (!s.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) {
            }
          }
        },
        cpus.second);
    unsigned k = 0;
    for (; i < ctx.n; i++) {
      if ((i & 63) == 0 && ctx.stop()) break;
      uint64_t t0 = oe::ticks();
      for (int j = 0; j < ops; j++) {
        auto& s = slots[k++ % kSlots].v;
        uint64_t cur = s.load(std::memory_order_relaxed);
        while (!s.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) {
        }
      }
      uint64_t t1 = oe::ticks();
      ctx.out[i] = int64_t(t1 - t0);
    }
  }
  delete[] slots;
  return i;
}

}  // namespace

OE_REGISTER(cas_contention, oe::Unit::Tsc, sample, nullptr);
