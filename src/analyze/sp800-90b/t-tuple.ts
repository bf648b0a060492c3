import { Z_ALPHA } from './most-common-value.js';
import { type TupleCounts, tupleCounts } from './tuple-counts.js';

export interface TTupleResult {
  /** Largest t whose most common t-tuple occurs at least 35 times. */
  t: number;
  /** p̂_max = max over i ≤ t of (Q[i]/(L−i+1))^(1/i). */
  pHatMax: number;
  /** Upper bound p_u. */
  pU: number;
  hMin: number;
}

/** Cut-off count of the t-Tuple estimate: tuples occurring at least this often are used. */
export const T_TUPLE_CUTOFF = 35;

/** First t with Q[t] < 35 (the LRS estimate's u), or v + 1. */
export function firstRareLength(c: TupleCounts): number {
  let u = 1;
  while (u <= c.v && c.Q[u] >= T_TUPLE_CUTOFF) u++;
  return u;
}

/**
 * t-Tuple estimate, SP 800-90B §6.3.5, from suffix-array tuple counts. Returns null when no tuple
 * occurs 35 times (the estimate is then undefined).
 */
export function tTupleFromCounts(c: TupleCounts): TTupleResult | null {
  const u = firstRareLength(c);
  let pHatMax = -1;
  for (let i = 1; i < u; i++) {
    const p = (c.Q[i] / (c.n - i + 1)) ** (1 / i);
    if (p > pHatMax) pHatMax = p;
  }
  if (!(pHatMax > 0)) return null;
  const pU = Math.min(1, pHatMax + Z_ALPHA * Math.sqrt((pHatMax * (1 - pHatMax)) / (c.n - 1)));
  return { t: u - 1, pHatMax, pU, hMin: pU >= 1 ? 0 : -Math.log2(pU) };
}

/** t-Tuple estimate (§6.3.5) of `symbols`. */
export function tTupleEstimate(symbols: Uint8Array): TTupleResult | null {
  return tTupleFromCounts(tupleCounts(symbols));
}
