/**
 * Class probabilities of the overlapping template matching test (SP 800-22 Rev. 1a §2.8, §3.8) computed
 * exactly: π_u = P(W = u) for u = 0…K−1 and π_K = P(W ≥ K), where W is the number of overlapping
 * occurrences of the all-ones template of m bits in a block of M fair bits (the M − m + 1 windows that lie
 * inside the block, as STS counts them).
 *
 * The all-ones template overlaps itself at every shift, so its autocorrelation states reduce to the length
 * r of the current run of ones, capped at m (every further 1 completes another occurrence). A Markov chain
 * over (r, min(W, K)) is stepped through the M bits; the state counts are integers (BigInt), so π_u =
 * count_u / 2^M is exact before it is rounded to a double.
 *
 * Why: STS 2.1.2 evaluates the compound-Poisson approximation of §3.8 (η = (M − m + 1)/2^(m+1)), which for
 * m = 9, M = 1032 gives π₀ = e^−1 = 0.367879 where the exact value is 0.364091 (error −1 %); it also holds
 * the corrected table (0.364091, 0.185659, 0.139381, 0.100571, 0.0704323, 0.139865) in the same source file
 * but overwrites it with the approximation before use. The corrected values are Hamano and Kaneko's
 * (IEICE Trans. Fundamentals E90-A(9), 2007), printed in SP 800-22 Rev. 1a §3.8 rounded to 6 digits;
 * IACR ePrint 2022/540 points out that neither STS nor the §2.8.8 example uses them. This recursion gives
 * the same numbers to every printed digit and any m, M (checked in test/sp800-22.test.ts against an
 * independent rational computation, test/fixtures/sp800-22/overlapping-template-pi.json).
 */
const cache = new Map<string, number[]>();

export function overlappingTemplateClassProbabilities(m: number, M: number, K = 5): number[] {
  if (!Number.isInteger(m) || !Number.isInteger(M) || !Number.isInteger(K) || m < 1 || M < m || K < 1)
    throw new RangeError(`overlapping-template probabilities need integers 1 ≤ m ≤ M and K ≥ 1, got ${m}, ${M}, ${K}`);
  const key = `${m},${M},${K}`;
  const hit = cache.get(key);
  if (hit) return hit.slice();
  // counts[r * (K + 1) + c]: bit strings so far ending in a run of r ones (r = m: at least m) with c occurrences (c = K: ≥ K)
  const width = K + 1;
  let counts: bigint[] = new Array((m + 1) * width).fill(0n);
  counts[0] = 1n;
  for (let j = 0; j < M; j++) {
    const next: bigint[] = new Array((m + 1) * width).fill(0n);
    for (let r = 0; r <= m; r++) {
      for (let c = 0; c <= K; c++) {
        const v = counts[r * width + c];
        if (v === 0n) continue;
        next[c] += v; // a 0 ends the run
        const r1 = Math.min(r + 1, m);
        const c1 = r1 === m ? Math.min(c + 1, K) : c;
        next[r1 * width + c1] += v;
      }
    }
    counts = next;
  }
  const byClass: bigint[] = new Array(width).fill(0n);
  for (let r = 0; r <= m; r++) for (let c = 0; c <= K; c++) byClass[c] += counts[r * width + c];
  const pi = byClass.map((v) => ratioToPowerOfTwo(v, M));
  cache.set(key, pi);
  return pi.slice();
}

/** v / 2^M as a double (v ≤ 2^M): truncated to 64 fraction bits, then rounded to 53. */
function ratioToPowerOfTwo(v: bigint, M: number): number {
  return Number((v << 64n) >> BigInt(M)) / 2 ** 64;
}
