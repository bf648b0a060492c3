// The SP 800-90B §5.1 permutation statistics' fused pass in C++ (native/src/permutation_stats.cc), the
// form of fusedStatistics in src/analyze/sp800-90b/permutation-statistics.ts that the rounds use.
#pragma once
#include <cstddef>
#include <cstdint>

namespace oe {

// One pass over n ≥ 2 symbols s and values raw for §5.1.1–§5.1.6, §5.1.9 and §5.1.10, into out[0..5]
// and out[8..17] (out[6], out[7] and out[18] are left alone). Same numbers as the TypeScript pass.
void fusedPermutationStatistics(const uint8_t* s, const uint8_t* raw, size_t n, double mean, double median, double* out);

// §5.1.7/§5.1.8 collision times over n symbols s (< 256): the sum, count and largest of the lengths of
// the successive windows that end at a first repeat (collisionTimes of permutation-statistics.ts).
void collisionTimes(const uint8_t* s, size_t n, int64_t& sum, int64_t& count, int64_t& max);

// The round's Fisher–Yates shuffle of a[0..n) and, when b is not null, b[0..n) with the same permutation:
// for i = n−1 … 1, j = Lemire's unbiased draw in [0, i] from xoshiro128** with state st[0..3] (updated),
// the draws of RoundRng.upTo (src/analyze/sp800-90b/shuffle.ts) and of permutation-kernel.wat.
void shuffleRound(uint8_t* a, uint8_t* b, size_t n, uint32_t* st);

}  // namespace oe
