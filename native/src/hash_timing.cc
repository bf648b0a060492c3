// hash_timing: SHA-256 (FIPS 180-4, implemented here, no OpenSSL) of a fixed 256-byte input. Each
// measurement is the tick count of one digest of the same input. SHA-256 has no data-dependent
// branches or table lookups, so its work is identical every time; openentropy varied the input
// length (32 to 2048 bytes) with a counter, which is predictable. What varies is generic CPU timing
// jitter (interrupts, caches, SMT siblings, the hypervisor). The probe checks the implementation
// against the FIPS 180-2 "abc" test vector.
#include <cstdint>
#include <cstring>
#include <string>
#include "oe.h"

namespace {

constexpr uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

inline uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void block(uint32_t h[8], const unsigned char* p) {
  uint32_t w[64];
  for (int t = 0; t < 16; t++)
    w[t] = uint32_t(p[4 * t]) << 24 | uint32_t(p[4 * t + 1]) << 16 | uint32_t(p[4 * t + 2]) << 8 | p[4 * t + 3];
  for (int t = 16; t < 64; t++) {
    uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (int t = 0; t < 64; t++) {
    uint32_t t1 = hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[t] + w[t];
    uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    hh = g;
    g = f;
    f = e;
    e = d + t1;
    d = c;
    c = b;
    b = a;
    a = t1 + t2;
  }
  h[0] += a;
  h[1] += b;
  h[2] += c;
  h[3] += d;
  h[4] += e;
  h[5] += f;
  h[6] += g;
  h[7] += hh;
}

void sha256(const unsigned char* msg, size_t len, unsigned char out[32]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  size_t full = len / 64;
  for (size_t b = 0; b < full; b++) block(h, msg + 64 * b);
  unsigned char tail[128] = {0};
  size_t rem = len - 64 * full;
  memcpy(tail, msg + 64 * full, rem);
  tail[rem] = 0x80;
  size_t tailLen = rem + 1 + 8 <= 64 ? 64 : 128;
  uint64_t bits = uint64_t(len) * 8;
  for (int k = 0; k < 8; k++) tail[tailLen - 1 - k] = static_cast<unsigned char>(bits >> (8 * k));
  for (size_t o = 0; o < tailLen; o += 64) block(h, tail + o);
  for (int k = 0; k < 8; k++) {
    out[4 * k] = static_cast<unsigned char>(h[k] >> 24);
    out[4 * k + 1] = static_cast<unsigned char>(h[k] >> 16);
    out[4 * k + 2] = static_cast<unsigned char>(h[k] >> 8);
    out[4 * k + 3] = static_cast<unsigned char>(h[k]);
  }
}

constexpr size_t kInput = 256;

size_t sample(oe::Context& ctx) {
  unsigned char in[kInput];
  for (size_t k = 0; k < kInput; k++) in[k] = static_cast<unsigned char>(k * 131 + 7);
  unsigned char digest[32];
  size_t i = 0;
  for (; i < ctx.n; i++) {
    if ((i & 31) == 0 && ctx.stop()) break;
    uint64_t t0 = oe::ticks();
    sha256(in, kInput, digest);
    asm volatile("" : : "r"(digest) : "memory");
    uint64_t t1 = oe::ticks();
    ctx.out[i] = int64_t(t1 - t0);
  }
  return i;
}

std::string probe(const oe::Params&) {
  // FIPS 180-2 Appendix B.1: SHA-256("abc").
  static const unsigned char want[32] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
                                         0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
                                         0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
  unsigned char got[32];
  sha256(reinterpret_cast<const unsigned char*>("abc"), 3, got);
  return memcmp(got, want, 32) == 0 ? "" : "SHA-256 self-test against the FIPS 180-2 \"abc\" vector failed";
}

}  // namespace

OE_REGISTER(hash_timing, oe::Unit::Tsc, sample, probe);
