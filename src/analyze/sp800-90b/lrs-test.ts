import { lcpArray, maxValue, suffixArray } from './suffix-array.js';

export interface LrsTestResult {
  /** Collision probability of one symbol under IID, P_col = Σ p_i². */
  P_col: number;
  /** Length of the longest repeated substring, W. */
  W: number;
  /** Probability of at least one W-length collision among the C(L−W+1, 2) pairs. */
  prAtLeastOne: number;
  passed: boolean;
}

/**
 * Length of the longest repeated substring test, SP 800-90B §5.2.5: passes when
 * Pr(X ≥ 1) = 1 − (1 − P_col^W)^N ≥ 1/1000, N = C(L−W+1, 2), evaluated in log space.
 */
export function lrsTest(data: Uint8Array, k: number): LrsTestResult {
  const L = data.length;
  const p = new Float64Array(k);
  const inc = 1 / L;
  for (let i = 0; i < L; i++) p[data[i]] += inc;
  let pCol = 0;
  for (let i = 0; i < k; i++) pCol += p[i] * p[i];
  if (pCol > 1 - 2 ** -63) return { P_col: 1, W: 0, prAtLeastOne: 1, passed: true };
  const sa = suffixArray(data, maxValue(data));
  const lcp = lcpArray(data, sa);
  let W = 0;
  for (let i = 1; i < L; i++) if (lcp[i] > W) W = lcp[i];
  const logNoColPerPair = Math.log1p(-(pCol ** W));
  const m = L - W + 1;
  const N = (m * m - m) / 2;
  const prAtLeastOne = 1 - Math.exp(N * logNoColPerPair);
  return { P_col: pCol, W, prAtLeastOne, passed: Math.log(0.999) >= N * logNoColPerPair };
}
