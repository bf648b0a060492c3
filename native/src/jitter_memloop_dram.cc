// jitter_memloop_dram: the jitter_memloop measurement with its memory part moved to DRAM: a fixed 32
// read-modify-write byte increments at random offsets of a buffer larger than the last-level cache
// (oe::largeBuffer), plus the same 8-round mix; the sample is the cycle-counter delta between consecutive
// measurements. Nearly every access misses the caches and the TLB, so DRAM bank/row state, refresh,
// memory-controller queues and (in a VM) the nested page walk dominate. Offsets come from a PRNG; the
// PRNG is not credited, only the timing.
#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const int accesses = int(oe::param(ctx.params, "accesses", 32));
  if (accesses < 1 || accesses > 4096) throw oe::SamplerError("accesses must be in 1..4096");
  const oe::LargeBuffer& buf = oe::largeBuffer();
  volatile uint8_t* m = buf.data;
  const uint64_t bytes = buf.bytes;
  static thread_local oe::Rng rng;
  static thread_local uint64_t state = 0x9E3779B97F4A7C15ull;
  uint64_t prev = oe::ticks();
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 31) == 0 && ctx.stop()) break;
    for (int a = 0; a < accesses; a++) {
      uint64_t off = rng.below(bytes);
      m[off] = uint8_t(m[off] + 1);
    }
    for (int r = 0; r < 8; r++) {
      state ^= prev + uint64_t(r);
      state *= 0xFF51AFD7ED558CCDull;
      state ^= state >> 33;
    }
    oe::sink(state);
    uint64_t now = oe::ticks();
    ctx.out[i] = int64_t(now - prev);
    prev = now;
  }
  return i;
}
std::string probe(const oe::Params&) { return oe::largeBufferProbe(); }
}  // namespace

OE_REGISTER(jitter_memloop_dram, oe::Unit::Tsc, sample, probe);
