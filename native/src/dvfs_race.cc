// dvfs_race: two threads on different CPUs race through the same window of `windowTicks` cycle-counter
// ticks (default 5000, about 2 µs at 2.4 GHz; ticks are TSC cycles on x86-64, ns elsewhere, never a
// 48 ns window as in openentropy's Linux build). Each counts how many fenced counter reads fit in the
// window; the measurement is the signed difference of the two counts. On bare metal the two cores'
// clock and voltage states (DVFS) differ; in a VM there is no visible DVFS, and what varies is when
// each vCPU really runs (host scheduling, interrupts, a sibling thread arriving late).
#include <cstdint>
#include <string>
#include "b_util.h"
#if defined(__x86_64__)
#include <immintrin.h>
#define OE_PAUSE() _mm_pause()
#else
#define OE_PAUSE() asm volatile("yield")
#endif

namespace {

struct alignas(64) Shared {
  std::atomic<uint64_t> epoch{0};
  std::atomic<uint64_t> start{0};
  std::atomic<uint64_t> end{0};
  alignas(64) std::atomic<uint64_t> doneEpoch{0};
  std::atomic<int64_t> count{0};
};

int64_t race(uint64_t start, uint64_t end) {
  while (oe::ticks() < start) OE_PAUSE();
  int64_t c = 0;
  while (oe::ticks() < end) c++;
  return c;
}

size_t sample(oe::Context& ctx) {
  const uint64_t window = uint64_t(oe::param(ctx.params, "windowTicks", 5000));
  const uint64_t lead = uint64_t(oe::param(ctx.params, "leadTicks", 2000));
  if (window < 100 || window > 100000000) throw oe::SamplerError("windowTicks must be 100..1e8");
  auto cpus = oe::twoCpus();
  if (cpus.first < 0) throw oe::SamplerError("needs 2+ CPUs: on one CPU the two racers only take turns");
  oe::PinGuard pin(cpus.first);
  Shared sh;
  size_t i = 0;
  {
    oe::Sibling racer(
        [&sh](const std::atomic<bool>& stop) {
          uint64_t seen = 0;
          while (!stop.load(std::memory_order_acquire)) {
            uint64_t e = sh.epoch.load(std::memory_order_acquire);
            if (e == seen) {
              OE_PAUSE();
              continue;
            }
            seen = e;
            int64_t c = race(sh.start.load(std::memory_order_relaxed), sh.end.load(std::memory_order_relaxed));
            sh.count.store(c, std::memory_order_relaxed);
            sh.doneEpoch.store(e, std::memory_order_release);
          }
        },
        cpus.second);
    for (; i < ctx.n; i++) {
      if (ctx.stop()) break;
      uint64_t s = oe::ticks() + lead;
      uint64_t e = s + window;
      sh.start.store(s, std::memory_order_relaxed);
      sh.end.store(e, std::memory_order_relaxed);
      uint64_t ep = sh.epoch.fetch_add(1, std::memory_order_release) + 1;
      int64_t mine = race(s, e);
      bool stopped = false;
      while (sh.doneEpoch.load(std::memory_order_acquire) != ep) {
        if (ctx.stop()) {
          stopped = true;
          break;
        }
        OE_PAUSE();
      }
      if (stopped) break;
      ctx.out[i] = mine - sh.count.load(std::memory_order_relaxed);
    }
  }
  return i;
}

std::string probe(const oe::Params&) {
  return oe::allowedCpus().size() >= 2 ? "" : "needs 2+ CPUs: on one CPU the two racers only take turns";
}

}  // namespace

OE_REGISTER(dvfs_race, oe::Unit::Count, sample, probe);
