import type { BitSequence } from './bits.js';
import { classChiSquare } from './class-chi-square.js';
import { type ConstantsOption, notApplicable, type Sp80022Result } from './types.js';

/** Class probabilities π_0…π_6 as STS 2.1.2 hard-codes them (π_0 rounded to 0.01047). */
const PI_STS = [0.01047, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833];
/** The exact values of SP 800-22 §3.10: 1/96, 1/32, 1/8, 1/2, 1/4, 1/16, 1/48. */
const PI_EXACT = [1 / 96, 1 / 32, 1 / 8, 1 / 2, 1 / 4, 1 / 16, 1 / 48];

function parity32(x: number): number {
  x ^= x >>> 16;
  x ^= x >>> 8;
  x ^= x >>> 4;
  return (0x6996 >>> (x & 0xf)) & 1;
}

/**
 * Linear complexity of a bit block by the Berlekamp–Massey algorithm over GF(2), bit-parallel:
 * the connection polynomials C and B are 32-bit word arrays (bit i = coefficient of x^i), the block
 * is stored reversed so the discrepancy d_N = Σ_{i≤L} c_i s_{N−i} is an AND of C with a shifted
 * window of the reversed block followed by a parity, and C ← C + x^(N−m)·B is a shifted XOR.
 * `rev` holds s_{M−1−j} at bit j (one zero word of padding at the end).
 */
export function berlekampMasseyReversed(rev: Uint32Array, M: number, scratch?: Uint32Array[]): number {
  const W = ((M + 1 + 31) >>> 5) + 1;
  const [C, B, T] = scratch ?? [new Uint32Array(W), new Uint32Array(W), new Uint32Array(W)];
  C.fill(0);
  B.fill(0);
  C[0] = 1;
  B[0] = 1;
  let L = 0;
  let m = -1;
  // Words of B in use: deg B ≤ the complexity B had when it was saved (bLen ≤ ⌈(L_B+1)/32⌉).
  let bWords = 1;
  for (let N = 0; N < M; N++) {
    const o = M - 1 - N;
    const q = o >>> 5;
    const r = o & 31;
    let acc = 0;
    const words = (L >>> 5) + 1;
    if (r === 0) {
      for (let k = 0; k < words; k++) acc ^= C[k] & rev[q + k];
    } else {
      const rr = 32 - r;
      for (let k = 0; k < words; k++) acc ^= C[k] & ((rev[q + k] >>> r) | (rev[q + k + 1] << rr));
    }
    if (parity32(acc) === 0) continue;
    const shift = N - m;
    const sw = shift >>> 5;
    const sb = shift & 31;
    const grow = 2 * L <= N;
    if (grow) T.set(C);
    const limit = Math.min(W - sw, bWords + 1);
    if (sb === 0) {
      for (let k = 0; k < limit; k++) C[k + sw] ^= B[k];
    } else {
      const rb = 32 - sb;
      C[sw] ^= B[0] << sb;
      for (let k = 1; k < limit; k++) C[k + sw] ^= (B[k] << sb) | (B[k - 1] >>> rb);
    }
    if (grow) {
      bWords = (L >>> 5) + 1;
      L = N + 1 - L;
      m = N;
      B.set(T);
    }
  }
  return L;
}

/** Linear complexity of bits[start … start+M−1] (0/1 bytes). */
export function linearComplexity(bits: Uint8Array, start: number, M: number): number {
  const rev = new Uint32Array(((M + 31) >>> 5) + 2);
  for (let j = 0; j < M; j++) if (bits[start + M - 1 - j]) rev[j >>> 5] |= 1 << (j & 31);
  return berlekampMasseyReversed(rev, M);
}

/**
 * Linear complexity test, SP 800-22 Rev. 1a §2.10: N = ⌊n/M⌋ blocks of M bits, L_i by
 * Berlekamp–Massey, μ = M/2 + (9 + (−1)^(M+1))/36 − (M/3 + 2/9)/2^M, T_i = (−1)^M (L_i − μ) + 2/9,
 * binned at ≤ −2.5, −1.5, −0.5, 0.5, 1.5, 2.5, > 2.5; χ² = Σ (ν_i − Nπ_i)²/(Nπ_i) with K = 6,
 * p = igamc(K/2, χ²/2). Default M = 500; constants 'sts' (default) uses STS's rounded π,
 * 'exact' the fractions of §3.10. Needs N ≥ 200 blocks (§2.10.7: n ≥ 10⁶ recommended).
 */
export function linearComplexityTest(seq: BitSequence, options: { M?: number } & ConstantsOption = {}): Sp80022Result {
  const M = options.M ?? 500;
  const K = 6;
  const constants = options.constants ?? 'sts';
  const { n, bits } = seq;
  const minBits = 200 * M;
  if (n < minBits) {
    return notApplicable('LinearComplexity', `not applicable (needs ${minBits.toLocaleString('en-US')} bits)`, { M });
  }
  const N = Math.floor(n / M);
  const pi = constants === 'exact' ? PI_EXACT : PI_STS;
  const mean = M / 2 + (9 + (-1) ** (M + 1)) / 36 - (M / 3 + 2 / 9) / 2 ** M;
  const sign = M % 2 === 0 ? 1 : -1;
  const nu = [0, 0, 0, 0, 0, 0, 0];
  const words = ((M + 31) >>> 5) + 2;
  const rev = new Uint32Array(words);
  const W = ((M + 1 + 31) >>> 5) + 1;
  const scratch = [new Uint32Array(W), new Uint32Array(W), new Uint32Array(W)];
  for (let b = 0; b < N; b++) {
    rev.fill(0);
    const last = b * M + M - 1;
    for (let j = 0; j < M; j++) if (bits[last - j]) rev[j >>> 5] |= 1 << (j & 31);
    const L = berlekampMasseyReversed(rev, M, scratch);
    const t = sign * (L - mean) + 2 / 9;
    if (t <= -2.5) nu[0]++;
    else if (t <= -1.5) nu[1]++;
    else if (t <= -0.5) nu[2]++;
    else if (t <= 0.5) nu[3]++;
    else if (t <= 1.5) nu[4]++;
    else if (t <= 2.5) nu[5]++;
    else nu[6]++;
  }
  const { chi2, pValue } = classChiSquare(nu, pi, N);
  return {
    name: 'LinearComplexity',
    applicable: true,
    pValues: [pValue],
    parameters: { M, N, K, constants },
    statistics: { nu, chi2, discarded: n - N * M },
  };
}
