export interface MarkovResult {
  P0: number;
  P1: number;
  P00: number;
  P01: number;
  P10: number;
  P11: number;
  /** Probability of the most likely 128-bit sequence, p̂_max. */
  pHatMax: number;
  /** min(−log2(p̂_max)/128, 1). */
  hMin: number;
}

/**
 * Markov estimate, SP 800-90B §6.3.3, for binary data: first-order transition probabilities, then the
 * most likely 128-bit sequence among the six candidate shapes (all 0, 0101…, 011…1, 100…0, 1010…, all 1).
 */
export function markovEstimate(bits: Uint8Array): MarkovResult {
  const len = bits.length;
  if (len < 2) throw new RangeError(`Markov estimate needs at least 2 samples, got ${len}`);
  let c0 = 0;
  let c00 = 0;
  let c10 = 0;
  for (let i = 0; i < len - 1; i++) {
    if (bits[i] === 0) {
      c0++;
      if (bits[i + 1] === 0) c00++;
    } else if (bits[i + 1] === 0) c10++;
  }
  const c1 = len - 1 - c0;
  let P00 = 0;
  let P01 = 0;
  let P10 = 0;
  let P11 = 0;
  if (c0 > 0) {
    P00 = c00 / c0;
    P01 = 1 - P00;
  }
  if (c1 > 0) {
    P10 = c10 / c1;
    P11 = 1 - P10;
  }
  if (bits[len - 1] === 0) c0++;
  const P0 = c0 / len;
  const P1 = 1 - P0;
  let h = 128;
  const take = (x: number) => {
    if (x < h) h = x;
  };
  if (P00 > 0) take(-Math.log2(P0) - 127 * Math.log2(P00));
  if (P01 > 0 && P10 > 0) take(-Math.log2(P0) - 64 * Math.log2(P01) - 63 * Math.log2(P10));
  if (P01 > 0 && P11 > 0) take(-Math.log2(P0) - Math.log2(P01) - 126 * Math.log2(P11));
  if (P10 > 0 && P00 > 0) take(-Math.log2(P1) - Math.log2(P10) - 126 * Math.log2(P00));
  if (P10 > 0 && P01 > 0) take(-Math.log2(P1) - 64 * Math.log2(P10) - 63 * Math.log2(P01));
  if (P11 > 0) take(-Math.log2(P1) - 127 * Math.log2(P11));
  return { P0, P1, P00, P01, P10, P11, pHatMax: 2 ** -h, hMin: Math.min(h / 128, 1) };
}
