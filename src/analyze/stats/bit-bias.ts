import { binomialTwoSided, bonferroni, normalQuantileUpper } from './distributions.js';
import { byteCounts } from './histogram.js';

export interface BitBiasResult {
  n: number;
  /** P̂(bit = 1) for bit 0 (LSB) … 7. */
  p1: number[];
  /** Exact two-sided binomial p-value of H0: P(bit = 1) = ½, per bit position. */
  pValues: number[];
  /** Mean |p̂ − ½| over the 8 positions. */
  overallBias: number;
  /** Bonferroni-adjusted p-value of the most biased position (8 tests). */
  minPValue: number;
  /**
   * |p̂ − ½| that would be significant at `alpha` (Bonferroni over 8) for this n: z·½/√n, with
   * z = Φ⁻¹(1 − alpha/16). An n-aware threshold in place of a fixed 0.01.
   */
  threshold: number;
  alpha: number;
  /** Bit positions whose adjusted p-value is below alpha. */
  biasedBits: number[];
}

/**
 * Bias of each bit position of a byte stream with an exact binomial test (A&S 26.5.24 through the
 * incomplete beta). Under H0 each bit is Bernoulli(½).
 */
export function bitBias(bytes: Uint8Array, alpha = 0.01): BitBiasResult {
  return bitBiasOfCounts(byteCounts(bytes), bytes.length, alpha);
}

/** bitBias from the 256 byte counts of n bytes: bit j is set in counts[b] bytes for every b with bit j. */
export function bitBiasOfCounts(counts: ArrayLike<number>, n: number, alpha = 0.01): BitBiasResult {
  const ones = new Float64Array(8);
  for (let b = 0; b < 256; b++) for (let j = 0; j < 8; j++) if ((b >> j) & 1) ones[j] += counts[b];
  const p1: number[] = [];
  const pValues: number[] = [];
  let overall = 0;
  let minP = 1;
  const biasedBits: number[] = [];
  for (let j = 0; j < 8; j++) {
    const p = n > 0 ? ones[j] / n : 0.5;
    p1.push(p);
    overall += Math.abs(p - 0.5);
    const pv = n > 0 ? binomialTwoSided(ones[j], n, 0.5) : 1;
    pValues.push(pv);
    minP = Math.min(minP, pv);
    if (bonferroni(pv, 8) < alpha) biasedBits.push(j);
  }
  const z = normalQuantileUpper(alpha / 16);
  return {
    n,
    p1,
    pValues,
    overallBias: overall / 8,
    minPValue: bonferroni(minP, 8),
    threshold: n > 0 ? (0.5 * z) / Math.sqrt(n) : Number.POSITIVE_INFINITY,
    alpha,
    biasedBits,
  };
}
