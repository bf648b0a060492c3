import { Z_ALPHA } from './most-common-value.js';
import { firstRareLength } from './t-tuple.js';
import { type TupleCounts, tupleCounts } from './tuple-counts.js';

export interface LrsResult {
  /** Smallest tuple length whose most common tuple occurs fewer than 35 times. */
  u: number;
  /** Length of the longest repeated substring. */
  v: number;
  /** p̂ = max over u ≤ W ≤ v of (Σ C(count,2) / C(L−W+1, 2))^(1/W). */
  pHat: number;
  pU: number;
  hMin: number;
}

/**
 * Longest Repeated Substring estimate, SP 800-90B §6.3.6, from suffix-array tuple counts.
 * Returns null when v < u (no tuple lengths to use).
 */
export function lrsFromCounts(c: TupleCounts): LrsResult | null {
  const u = firstRareLength(c);
  if (c.v < u) return null;
  let pHat = 0;
  for (let i = u; i <= c.v; i++) {
    const m = c.n - i;
    const pairs = (m * (m + 1)) / 2;
    const p = (c.S[i] / pairs) ** (1 / i);
    if (pHat < p) pHat = p;
  }
  const pU = Math.min(1, pHat + Z_ALPHA * Math.sqrt((pHat * (1 - pHat)) / (c.n - 1)));
  return { u, v: c.v, pHat, pU, hMin: pU >= 1 ? 0 : -Math.log2(pU) };
}

/** LRS estimate (§6.3.6) of `symbols`. */
export function lrsEstimate(symbols: Uint8Array): LrsResult | null {
  return lrsFromCounts(tupleCounts(symbols));
}
