import type { BitSequence } from './bits.js';
import { classChiSquare } from './class-chi-square.js';
import { type ConstantsOption, needsBits, notApplicable, type Sp80022Result } from './types.js';

/** Class boundaries and probabilities of SP 800-22 §3.4, as STS 2.1.2 hard-codes them (M = 10⁴: 4 decimals). */
const CLASSES = [
  { minN: 750000, M: 10000, v: [10, 16], pi: [0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727] },
  { minN: 6272, M: 128, v: [4, 9], pi: [0.1174035788, 0.242955959, 0.249363483, 0.17517706, 0.102701071, 0.112398847] },
  { minN: 128, M: 8, v: [1, 4], pi: [0.21484375, 0.3671875, 0.23046875, 0.1875] },
] as const;

/** P(longest run of ones ≤ v) in M fair bits: p(n) = Σ_{j=0}^{v} 2^−(j+1) p(n−j−1), p(n ≤ v) = 1. */
export function longestRunAtMost(v: number, M: number): number {
  const p = new Float64Array(M + 1);
  for (let n = 0; n <= M; n++) {
    if (n <= v) {
      p[n] = 1;
      continue;
    }
    let sum = 0;
    let w = 0.5;
    for (let j = 0; j <= v; j++) {
      sum += w * p[n - j - 1];
      w /= 2;
    }
    p[n] = sum;
  }
  return p[M];
}

/** Exact class probabilities for classes ≤ vLo, vLo+1, …, ≥ vHi (SP 800-22 §3.4's table, unrounded). */
export function longestRunClassProbabilities(M: number, vLo: number, vHi: number): number[] {
  const pi: number[] = [longestRunAtMost(vLo, M)];
  for (let v = vLo + 1; v < vHi; v++) pi.push(longestRunAtMost(v, M) - longestRunAtMost(v - 1, M));
  pi.push(1 - longestRunAtMost(vHi - 1, M));
  return pi;
}

/**
 * Test for the longest run of ones in a block, SP 800-22 Rev. 1a §2.4: N = ⌊n/M⌋ blocks, the
 * longest run of ones per block binned into K+1 classes v_lo…v_hi, χ² = Σ (ν_i − Nπ_i)²/(Nπ_i),
 * p = igamc(K/2, χ²/2). M, K and the class probabilities depend on n (M = 8 for n ≥ 128,
 * 128 for n ≥ 6272, 10⁴ for n ≥ 750,000). constants 'sts' (default): STS 2.1.2's table; 'exact': the
 * class probabilities computed exactly (longestRunClassProbabilities).
 */
export function longestRunOfOnesTest(seq: BitSequence, options: ConstantsOption = {}): Sp80022Result {
  const { n, bits } = seq;
  const cls = CLASSES.find((c) => n >= c.minN);
  if (!cls) return notApplicable('LongestRun', needsBits(128));
  const { M } = cls;
  const [vLo, vHi] = cls.v;
  const constants = options.constants ?? 'sts';
  const pi = constants === 'exact' ? longestRunClassProbabilities(M, vLo, vHi) : cls.pi;
  const K = pi.length - 1;
  const N = Math.floor(n / M);
  const nu = new Array<number>(K + 1).fill(0);
  for (let i = 0; i < N; i++) {
    let run = 0;
    let longest = 0;
    const o = i * M;
    for (let j = 0; j < M; j++) {
      if (bits[o + j]) {
        run++;
        if (run > longest) longest = run;
      } else run = 0;
    }
    nu[Math.min(Math.max(longest, vLo), vHi) - vLo]++;
  }
  const { chi2, pValue } = classChiSquare(nu, pi, N);
  return {
    name: 'LongestRun',
    applicable: true,
    pValues: [pValue],
    parameters: { M, K, N, constants },
    statistics: { chi2, nu },
  };
}
