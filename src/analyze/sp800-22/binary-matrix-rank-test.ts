import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * Rank over GF(2) of a 32×32 matrix whose rows are 32-bit words (the row's bit order is irrelevant:
 * it permutes columns). Gaussian elimination on words: each pivot step is one XOR per row.
 */
export function gf2Rank32(rows: Uint32Array): number {
  const m = rows.slice();
  let rank = 0;
  for (let bit = 31; bit >= 0 && rank < m.length; bit--) {
    const mask = 1 << bit;
    let pivot = -1;
    for (let r = rank; r < m.length; r++) {
      if (m[r] & mask) {
        pivot = r;
        break;
      }
    }
    if (pivot < 0) continue;
    const p = m[pivot];
    m[pivot] = m[rank];
    m[rank] = p;
    for (let r = rank + 1; r < m.length; r++) if (m[r] & mask) m[r] ^= p;
    rank++;
  }
  return rank;
}

/** Probability that a random M×Q binary matrix has rank r (SP 800-22 §3.5). */
function rankProbability(r: number, M: number, Q: number): number {
  let product = 1;
  for (let i = 0; i < r; i++) product *= ((1 - 2 ** (i - Q)) * (1 - 2 ** (i - M))) / (1 - 2 ** (i - r));
  return 2 ** (r * (Q + M - r) - M * Q) * product;
}

/**
 * Binary matrix rank test, SP 800-22 Rev. 1a §2.5: N = ⌊n/1024⌋ disjoint 32×32 matrices filled row
 * by row; F_32, F_31 and F_30 (rank ≤ 30) counts against the exact probabilities
 * p_32 ≈ 0.2888, p_31 ≈ 0.5776, p_30 = 1 − p_32 − p_31; χ² with 2 d.o.f., p = e^(−χ²/2).
 * Needs 38 matrices (38,912 bits, §2.5.7).
 */
export function binaryMatrixRankTest(seq: BitSequence): Sp80022Result {
  const M = 32;
  const Q = 32;
  const { n, bits } = seq;
  const minBits = 38 * M * Q;
  if (n < minBits) return notApplicable('Rank', needsBits(minBits), { M, Q });
  const N = Math.floor(n / (M * Q));
  const p32 = rankProbability(32, M, Q);
  const p31 = rankProbability(31, M, Q);
  const p30 = 1 - (p32 + p31);
  const rows = new Uint32Array(M);
  let f32 = 0;
  let f31 = 0;
  for (let k = 0; k < N; k++) {
    const base = k * M * Q;
    for (let i = 0; i < M; i++) {
      let w = 0;
      const o = base + i * Q;
      for (let j = 0; j < Q; j++) w = (w << 1) | bits[o + j];
      rows[i] = w >>> 0;
    }
    const r = gf2Rank32(rows);
    if (r === 32) f32++;
    else if (r === 31) f31++;
  }
  const f30 = N - f32 - f31;
  const chi2 = (f32 - N * p32) ** 2 / (N * p32) + (f31 - N * p31) ** 2 / (N * p31) + (f30 - N * p30) ** 2 / (N * p30);
  return {
    name: 'Rank',
    applicable: true,
    pValues: [Math.exp(-chi2 / 2)],
    parameters: { M, Q, N },
    statistics: { p32, p31, p30, f32, f31, f30, chi2, discarded: n - N * M * Q },
  };
}
