import { erfc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/** Expected value and variance of f_n for L = 6 … 16 (SP 800-22 §2.9.4, STS's table). */
const EXPECTED = [
  0, 0, 0, 0, 0, 0, 5.2177052, 6.1962507, 7.1836656, 8.1764248, 9.1723243, 10.170032, 11.168765, 12.16807, 13.167693,
  14.167488, 15.167379,
];
const VARIANCE = [0, 0, 0, 0, 0, 0, 2.954, 3.125, 3.238, 3.311, 3.356, 3.384, 3.401, 3.41, 3.416, 3.419, 3.421];
/** Smallest n for each L (§2.9.7 table: n ≥ 1010·2^L·L). */
const L_THRESHOLDS: [number, number][] = [
  [1059061760, 16],
  [496435200, 15],
  [231669760, 14],
  [107560960, 13],
  [49643520, 12],
  [22753280, 11],
  [10342400, 10],
  [4654080, 9],
  [2068480, 8],
  [904960, 7],
  [387840, 6],
];

/**
 * Maurer's "universal statistical" test, SP 800-22 Rev. 1a §2.9: L-bit blocks, Q = 10·2^L
 * initialisation blocks, K = ⌊n/L⌋ − Q test blocks; f_n = (1/K) Σ log₂(i − T[block_i]);
 * σ = c(L, K)·√(variance(L)/K) with c(L, K) = 0.7 − 0.8/L + (4 + 32/L)·K^(−3/L)/15;
 * p = erfc(|f_n − expected(L)|/(√2·σ)). L is chosen from n; needs n ≥ 387,840 (L = 6).
 */
export function universalTest(seq: BitSequence): Sp80022Result {
  const { n, bits } = seq;
  const found = L_THRESHOLDS.find(([min]) => n >= min);
  if (!found) return notApplicable('Universal', needsBits(387840));
  const L = found[1];
  const Q = 10 * 2 ** L;
  const K = Math.floor(n / L) - Q;
  const T = new Float64Array(2 ** L);
  const block = (i: number): number => {
    let v = 0;
    const o = (i - 1) * L;
    for (let j = 0; j < L; j++) v = v * 2 + bits[o + j];
    return v;
  };
  for (let i = 1; i <= Q; i++) T[block(i)] = i;
  let sum = 0;
  for (let i = Q + 1; i <= Q + K; i++) {
    const v = block(i);
    sum += Math.log2(i - T[v]);
    T[v] = i;
  }
  const phi = sum / K;
  const c = 0.7 - 0.8 / L + ((4 + 32 / L) * K ** (-3 / L)) / 15;
  const sigma = c * Math.sqrt(VARIANCE[L] / K);
  const arg = Math.abs(phi - EXPECTED[L]) / (Math.SQRT2 * sigma);
  return {
    name: 'Universal',
    applicable: true,
    pValues: [erfc(arg)],
    parameters: { L, Q, K },
    statistics: { sum, sigma, variance: VARIANCE[L], expectedValue: EXPECTED[L], phi, discarded: n - (Q + K) * L },
  };
}
