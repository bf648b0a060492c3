// dram_row_buffer: two independent loads at random offsets of a buffer larger than the last-level
// cache (oe::largeBuffer), timed together. Most loads miss every cache and go to DRAM, where the latency
// depends on whether the row is open in its bank (row-buffer hit, miss or conflict), on refresh, on the
// memory controller's queues and on the TLB/page walk. Offsets come from a PRNG; only the timing counts.
#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const oe::LargeBuffer& buf = oe::largeBuffer();
  const volatile uint8_t* d = buf.data;
  const uint64_t lines = buf.bytes / 64;
  static thread_local oe::Rng rng;
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 63) == 0 && ctx.stop()) break;
    uint64_t a = rng.below(lines) * 64, b = rng.below(lines) * 64;
    uint64_t t0 = oe::ticks();
    uint8_t v = d[a] + d[b];
    uint64_t t1 = oe::ticks();
    oe::sink(v);
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}
std::string probe(const oe::Params&) { return oe::largeBufferProbe(); }
}  // namespace

OE_REGISTER(dram_row_buffer, oe::Unit::Tsc, sample, probe);
