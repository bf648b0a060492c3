import { logGamma } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { classChiSquare } from './class-chi-square.js';
import { overlappingTemplateClassProbabilities } from './overlapping-template-probabilities.js';
import { type ConstantsOption, needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * P(U = u) of SP 800-22 §3.8 eq. for the number of overlapping runs of m ones in a block
 * (the compound-Poisson formula STS 2.1.2 evaluates in `Pr`, η = λ/2).
 */
function pr(u: number, eta: number): number {
  if (u === 0) return Math.exp(-eta);
  let sum = 0;
  for (let l = 1; l <= u; l++) {
    sum += Math.exp(
      -eta - u * Math.LN2 + l * Math.log(eta) - logGamma(l + 1) + logGamma(u) - logGamma(l) - logGamma(u - l + 1),
    );
  }
  return sum;
}

/**
 * Overlapping template matching test, SP 800-22 Rev. 1a §2.8: the all-ones template of m bits,
 * N = ⌊n/M⌋ blocks of M = 1032 bits, ν_i = #blocks with i overlapping occurrences (i = 0…4, ≥ 5),
 * χ² = Σ (ν_i − Nπ_i)²/(Nπ_i), p = igamc(K/2, χ²/2).
 * constants 'sts' (default): π from the compound-Poisson approximation with η = (M − m + 1)/2^(m+1), as
 * STS 2.1.2 computes them (π₀ = 0.367879 for m = 9, M = 1032). 'exact': the exact class probabilities
 * (overlappingTemplateClassProbabilities; π₀ = 0.364091, Hamano and Kaneko's values of §3.8), any m, M.
 * Needs n ≥ 10⁶ (§2.8.7).
 */
export function overlappingTemplateTest(
  seq: BitSequence,
  options: { m?: number; M?: number; minBits?: number } & ConstantsOption = {},
): Sp80022Result {
  const m = options.m ?? 9;
  const M = options.M ?? 1032;
  const K = 5;
  const minBits = options.minBits ?? 1_000_000;
  const { n, bits } = seq;
  const constants = options.constants ?? 'sts';
  if (n < minBits) return notApplicable('OverlappingTemplate', needsBits(minBits), { m, M, K });
  const N = Math.floor(n / M);
  const lambda = (M - m + 1) / 2 ** m;
  const eta = lambda / 2;
  let pi: number[];
  if (constants === 'exact') pi = overlappingTemplateClassProbabilities(m, M, K);
  else {
    pi = [];
    let sum = 0;
    for (let i = 0; i < K; i++) {
      pi.push(pr(i, eta));
      sum += pi[i];
    }
    pi.push(1 - sum);
  }
  const nu = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < N; i++) {
    const base = i * M;
    let run = 0;
    let w = 0;
    for (let j = 0; j < M; j++) {
      if (bits[base + j]) {
        run++;
        if (run >= m) w++;
      } else run = 0;
    }
    nu[Math.min(w, K)]++;
  }
  const { chi2, pValue } = classChiSquare(nu, pi, N);
  return {
    name: 'OverlappingTemplate',
    applicable: true,
    pValues: [pValue],
    parameters: { m, M, N, K, constants },
    statistics: { lambda, eta, nu, chi2, pi },
  };
}
