// The round's shuffle (shuffleRound, the draws of RoundRng.upTo) and fusedStatistics and collisionTimes of
// src/analyze/sp800-90b/permutation-statistics.ts in C++ (its doc
// comments give the statistics and the sections of SP 800-90B §5.1): every count and sum is an integer, so the results are
// exact and equal; the excursion's running differences are the same double operations in the same
// order (fp-contract off: no fused multiply-add, which would round differently on arm64).
#include "permutation_stats.h"

#include <algorithm>
#include <cmath>

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("O3", "fp-contract=off")
#endif

namespace oe {

namespace {

// §5.1.9 and §5.1.10 at one lag: #{i : s[i] = s[i+lag]} and Σ raw[i]·raw[i+lag], in chunks whose int32
// sums cannot overflow (255² · 2^15 < 2^31), so that the compiler vectorises the inner loops.
void lagSums(const uint8_t* s, const uint8_t* raw, size_t n, size_t lag, int64_t& p, int64_t& cv) {
  p = 0;
  cv = 0;
  if (lag >= n) return;
  const size_t m = n - lag;
  constexpr size_t CHUNK = 1 << 15;
  for (size_t from = 0; from < m; from += CHUNK) {
    const size_t to = std::min(m, from + CHUNK);
    int32_t pc = 0;
    int32_t cc = 0;
    for (size_t i = from; i < to; i++) {
      pc += s[i] == s[i + lag];
      cc += int32_t(raw[i]) * int32_t(raw[i + lag]);
    }
    p += pc;
    cv += cc;
  }
}

}  // namespace

void fusedPermutationStatistics(const uint8_t* s, const uint8_t* raw, size_t n, double mean, double median,
                                double* out) {
  const int c = int(std::ceil(median));
  // the running sum is an integer (exact, as the TypeScript double is below 2^53); the largest
  // |sum − i·mean| is kept in two lanes (a maximum does not depend on the order)
  int64_t sum = raw[0];
  double exc0 = std::fabs(double(sum) - mean);
  double exc1 = 0;
  int dirPrev = int(s[1] >= s[0]);
  int64_t dirRuns = 1;
  // a run's length is (step i) − (its first step) + 1; step i compares s[i] and s[i+1]
  int64_t dirStart = 0;
  int64_t dirLong = 1;
  int64_t ups = dirPrev;
  // s[i] ≥ median ⇔ s[i] ≥ ⌈median⌉ for integer symbols
  int medPrev = int(s[0] >= c);
  int64_t medRuns = 1;
  int64_t medStart = 0;
  int64_t medLong = 1;
  // selects are written with masks: on random data a branch on a run's end mispredicts half the time
  auto excursionAndMedian = [&](size_t i) {
    const int si = s[i];
    sum += raw[i];
    const double d = std::fabs(double(sum) - double(i + 1) * mean);
    if (i & 1) exc1 = std::max(exc1, d);
    else exc0 = std::max(exc0, d);
    const int64_t ii = int64_t(i);
    const int hi = int(si >= c);
    const int64_t mChanged = -int64_t(hi != medPrev);
    medRuns -= mChanged;
    medStart = (medStart & ~mChanged) | (ii & mChanged);
    medLong = std::max(medLong, ii - medStart + 1);
    medPrev = hi;
  };
  // steps 1 … n − 2 of the directional runs with the rest, then the last position
  for (size_t i = 1; i + 1 < n; i++) {
    excursionAndMedian(i);
    const int64_t ii = int64_t(i);
    const int up = int(s[i + 1] >= s[i]);
    const int64_t changed = -int64_t(up != dirPrev);
    dirRuns -= changed;
    dirStart = (dirStart & ~changed) | (ii & changed);
    dirLong = std::max(dirLong, ii - dirStart + 1);
    ups += up;
    dirPrev = up;
  }
  excursionAndMedian(n - 1);
  out[0] = std::max(exc0, exc1);
  out[1] = double(dirRuns);
  out[2] = double(dirLong);
  out[3] = double(std::max(ups, int64_t(n) - 1 - ups));
  out[4] = double(medRuns);
  out[5] = double(medLong);
  static const size_t LAGS[5] = {1, 2, 8, 16, 32};
  for (int l = 0; l < 5; l++) {
    int64_t p = 0;
    int64_t cv = 0;
    lagSums(s, raw, n, LAGS[l], p, cv);
    out[8 + l] = double(p);
    out[13 + l] = double(cv);
  }
}

void collisionTimes(const uint8_t* s, size_t n, int64_t& sum, int64_t& count, int64_t& max) {
  uint32_t seen[256] = {0};
  uint32_t stamp = 0;
  sum = count = max = 0;
  size_t i = 0;
  while (i < n) {
    stamp++;
    size_t j = i;
    for (; j < n; j++) {
      const uint8_t x = s[j];
      if (seen[x] == stamp) break;
      seen[x] = stamp;
    }
    if (j >= n) break;
    const int64_t t = int64_t(j - i) + 1;
    sum += t;
    count++;
    max = std::max(max, t);
    i = j + 1;
  }
}

void shuffleRound(uint8_t* a, uint8_t* b, size_t n, uint32_t* st) {
  if (n < 2) return;
  auto rotl = [](uint32_t x, int k) { return (x << k) | (x >> (32 - k)); };
  uint32_t s0 = st[0], s1 = st[1], s2 = st[2], s3 = st[3];
  for (size_t i = n - 1; i > 0; i--) {
    const uint64_t bound = uint64_t(i) + 1;
    uint64_t m;
    for (;;) {
      // xoshiro128**: out = rotl(s1 · 5, 7) · 9, then the state update
      const uint32_t out = rotl(s1 * 5, 7) * 9;
      m = uint64_t(out) * bound;
      const uint32_t t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = rotl(s3, 11);
      // redrawn while the low word is below (2^32 − bound) mod bound
      const uint32_t lo = uint32_t(m);
      if (lo >= bound || lo >= (0x100000000ull - bound) % bound) break;
    }
    const size_t j = size_t(m >> 32);
    std::swap(a[i], a[j]);
    if (b) std::swap(b[i], b[j]);
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
}

}  // namespace oe
