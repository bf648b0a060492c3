// compression_timing: zlib deflate of a fixed 512-byte buffer. Each measurement is the tick count of
// deflateReset + deflate(Z_FINISH) at level 6 on the same input every time (one third LCG bytes, one
// third a repeating pattern, one third LCG bytes, made once per batch). openentropy varied the
// length between 128 and 512 bytes with a counter, which adds predictable variation; here the work
// is identical, so what varies is the machine (caches, branch predictors, interrupts, the VM).
#include <zlib.h>
#include <cstring>
#include <string>
#include "oe.h"

namespace {

constexpr size_t kInput = 512;

size_t sample(oe::Context& ctx) {
  unsigned char in[kInput];
  uint64_t x = 0x853c49e6748fea9bull;
  for (size_t k = 0; k < kInput; k++) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    in[k] = (k >= kInput / 3 && k < 2 * kInput / 3) ? static_cast<unsigned char>("oe-entropy"[k % 10])
                                                     : static_cast<unsigned char>(x >> 56);
  }
  unsigned char out[kInput * 2];
  z_stream zs;
  memset(&zs, 0, sizeof zs);
  if (deflateInit(&zs, 6) != Z_OK) throw oe::SamplerError("deflateInit failed");
  size_t i = 0;
  int err = Z_OK;
  bool failed = false;
  for (; i < ctx.n; i++) {
    if ((i & 15) == 0 && ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    deflateReset(&zs);
    zs.next_in = in;
    zs.avail_in = kInput;
    zs.next_out = out;
    zs.avail_out = sizeof out;
    err = deflate(&zs, Z_FINISH);
    uint64_t t1 = oe::ticks();
    if (err != Z_STREAM_END) {
      failed = true;
      break;
    }
    ctx.out[i] = int64_t(t1 - t0);
  }
  deflateEnd(&zs);
  if (failed)
    throw oe::SamplerError(std::string("deflate failed: ") + std::to_string(err));
  return i;
}

}  // namespace

OE_REGISTER(compression_timing, oe::Unit::Tsc, sample, nullptr);
