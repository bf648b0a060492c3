import { normalTwoSided } from './distributions.js';
import { byteCounts } from './histogram.js';

export interface RunsResult {
  n: number;
  /** Runs of identical consecutive values: 1 + #{i : x_i ≠ x_{i−1}}. */
  totalRuns: number;
  /** E[R] = 1 + (n − 1)·q with q = 1 − Σ p_j², p_j the observed symbol frequencies. */
  expectedRuns: number;
  /** Var[R] = (n − 1) q (1 − q) + 2 (n − 2) (Σ p_j (1 − p_j)² − q²) (the change indicators are 1-dependent). */
  varianceRuns: number;
  /** (R − E[R]) / √Var[R] and its two-sided normal p-value. */
  z: number;
  pValue: number;
  longestRun: number;
  /** E[longest run] = Σ_{m≥1} P(L ≥ m) under the Poisson approximation below. */
  expectedLongestRun: number;
  /**
   * P(L ≥ observed) ≈ 1 − exp(−λ_m), λ_m = Σ_j p_j^m (1 + (n − m)(1 − p_j)) the expected number of runs of
   * length ≥ m (a run starts at position 0 or after a different symbol); Poisson clumping heuristic
   * (Arratia, Gordon & Waterman 1990).
   */
  longestRunPValue: number;
}

/**
 * Runs of identical consecutive symbols (bytes), with expectations derived for i.i.d. symbols with the
 * observed marginal distribution rather than a uniform one, so that a non-uniform but independent source
 * is not flagged. (ln n / ln 256 for the longest run would be too small by about one.)
 */
export function runs(bytes: Uint8Array): RunsResult {
  const n = bytes.length;
  if (n === 0)
    return {
      n,
      totalRuns: 0,
      expectedRuns: 0,
      varianceRuns: 0,
      z: 0,
      pValue: 1,
      longestRun: 0,
      expectedLongestRun: 0,
      longestRunPValue: 1,
    };
  let total = 1;
  let longest = 1;
  let cur = 1;
  for (let i = 1; i < n; i++) {
    if (bytes[i] === bytes[i - 1]) {
      cur++;
      if (cur > longest) longest = cur;
    } else {
      total++;
      cur = 1;
    }
  }
  const counts = byteCounts(bytes);
  const p: number[] = [];
  for (let j = 0; j < 256; j++) if (counts[j] > 0) p.push(counts[j] / n);
  let sumP2 = 0;
  let sumP1q2 = 0;
  for (const pj of p) {
    sumP2 += pj * pj;
    sumP1q2 += pj * (1 - pj) ** 2;
  }
  const q = 1 - sumP2;
  const expectedRuns = 1 + (n - 1) * q;
  const varianceRuns = Math.max(0, (n - 1) * q * (1 - q) + 2 * Math.max(0, n - 2) * (sumP1q2 - q * q));
  const z = varianceRuns > 0 ? (total - expectedRuns) / Math.sqrt(varianceRuns) : 0;
  const tail = (m: number) => {
    let lambda = 0;
    for (const pj of p) lambda += pj ** m * (1 + Math.max(0, n - m) * (1 - pj));
    return -Math.expm1(-lambda);
  };
  let expectedLongest = 0;
  if (p.length === 1) expectedLongest = n;
  else
    for (let m = 1; m <= n; m++) {
      const t = Math.min(1, tail(m));
      expectedLongest += t;
      if (t < 1e-12) break;
    }
  return {
    n,
    totalRuns: total,
    expectedRuns,
    varianceRuns,
    z,
    pValue: varianceRuns > 0 ? normalTwoSided(z) : 1,
    longestRun: longest,
    expectedLongestRun: expectedLongest,
    longestRunPValue: p.length === 1 ? 1 : Math.min(1, tail(longest)),
  };
}
