/** 99% upper confidence bound's z-value as used by NIST's SP 800-90B tool (ZALPHA). */
export const Z_ALPHA = 2.5758293035489008;

export interface MostCommonValueResult {
  /** Proportion of the most common symbol, p̂ = max count / L. */
  pHat: number;
  /** Upper bound p_u = min(1, p̂ + Z_α·sqrt(p̂(1−p̂)/(L−1))). */
  pU: number;
  /** Min-entropy estimate −log2(p_u), bits per sample. */
  hMin: number;
  /** The most common symbol (smallest one on ties). */
  mode: number;
  /** Occurrences of the most common symbol (NIST's "Mode count"). */
  modeCount: number;
}

/**
 * Most Common Value estimate, NIST SP 800-90B §6.3.1: the min-entropy implied by the upper 99%
 * confidence bound on the probability of the most common symbol.
 * Needs at least 2 samples.
 */
export function mostCommonValue(symbols: Uint8Array): MostCommonValueResult {
  const counts = new Uint32Array(256);
  for (let i = 0; i < symbols.length; i++) counts[symbols[i]]++;
  return mostCommonValueOfCounts(counts, symbols.length);
}

/** mostCommonValue from the 256 symbol counts of L samples (a streamed histogram). */
export function mostCommonValueOfCounts(counts: ArrayLike<number>, L: number): MostCommonValueResult {
  if (L < 2) throw new RangeError(`mostCommonValue needs at least 2 samples, got ${L}`);
  let mode = 0;
  for (let s = 1; s < 256; s++) if (counts[s] > counts[mode]) mode = s;
  const pHat = counts[mode] / L;
  const pU = Math.min(1, pHat + Z_ALPHA * Math.sqrt((pHat * (1 - pHat)) / (L - 1)));
  // pU = 1 gives -0; report +0.
  return { pHat, pU, hMin: pU >= 1 ? 0 : -Math.log2(pU), mode, modeCount: counts[mode] };
}
