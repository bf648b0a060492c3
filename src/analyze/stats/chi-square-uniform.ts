import { chiSquarePValue } from '../math/special.js';
import { byteCounts } from './histogram.js';

export interface ChiSquareUniformResult {
  n: number;
  /** Pearson X² = Σ (O_i − E)² / E over the 256 byte values, E = n/256. */
  statistic: number;
  df: number;
  /** P(χ²_255 ≥ X²). */
  pValue: number;
  /** The χ² approximation needs E ≥ 5 per cell (Cochran 1954): n ≥ 1280. */
  applicable: boolean;
  /** 256-bin histogram. */
  histogram: number[];
}

/**
 * Pearson's chi-square goodness-of-fit test of the bytes against the discrete uniform distribution on
 * 0..255 (df = 255). It compares a discrete distribution with a discrete one: a KS test against a
 * continuous uniform would fail perfect byte data at large n.
 */
export function chiSquareUniform(bytes: Uint8Array): ChiSquareUniformResult {
  return chiSquareUniformOfCounts(byteCounts(bytes), bytes.length);
}

/** chiSquareUniform from the 256 byte counts of n bytes (a streamed histogram). */
export function chiSquareUniformOfCounts(counts: ArrayLike<number>, n: number): ChiSquareUniformResult {
  const e = n / 256;
  let x2 = 0;
  if (n > 0) for (let i = 0; i < 256; i++) x2 += (counts[i] - e) ** 2 / e;
  return {
    n,
    statistic: x2,
    df: 255,
    pValue: n > 0 ? chiSquarePValue(x2, 255) : 1,
    applicable: e >= 5,
    histogram: Array.from(counts),
  };
}
