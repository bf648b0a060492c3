// jitter_memloop: a jitterentropy-style CPU/memory execution-jitter source (see jitterentropy-library's
// jent_memaccess + hash loop). One measurement is a fixed amount of work: 128 read-modify-write byte
// increments walking a fixed 256 KiB buffer with stride 127 (wrapping), then 8 rounds of a 64-bit mixing
// function over the running state; the sample is the cycle-counter delta from the previous measurement's
// end. The variation comes from cache and TLB state, store-buffer and memory-ordering effects,
// interrupts, SMT siblings and frequency/power management; the work itself never varies.
#include <vector>

#include "oe.h"

namespace {
size_t sample(oe::Context& ctx) {
  const size_t bytes = size_t(oe::param(ctx.params, "bufferBytes", 256 * 1024));
  const int accesses = int(oe::param(ctx.params, "accesses", 128));
  if (bytes < 4096 || bytes > (size_t(64) << 20) || accesses < 1) throw oe::SamplerError("bad bufferBytes/accesses");
  static thread_local std::vector<uint8_t> buf;
  static thread_local size_t loc = 0;
  static thread_local uint64_t state = 0x9E3779B97F4A7C15ull;
  if (buf.size() != bytes) {
    buf.assign(bytes, 0);
    loc = 0;
  }
  volatile uint8_t* m = buf.data();
  uint64_t prev = oe::ticks();
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 255) == 0 && ctx.stop()) break;
    for (int a = 0; a < accesses; a++) {
      loc += 127;
      if (loc >= bytes) loc -= bytes;
      m[loc] = uint8_t(m[loc] + 1);
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
}  // namespace

OE_REGISTER(jitter_memloop, oe::Unit::Tsc, sample, nullptr);
