import { igamc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { circularPatternCounts } from './pattern-counts.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/** ψ²_m = (2^m/n) Σ ν_i² − n over circular m-bit patterns; ψ²_0 = ψ²_{−1} = 0 (§2.11.4 step 3). */
function psi2(seq: BitSequence, m: number): number {
  if (m <= 0) return 0;
  const counts = circularPatternCounts(seq, m);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) sum += counts[i] * counts[i];
  return (sum * 2 ** m) / seq.n - seq.n;
}

/**
 * Serial test, SP 800-22 Rev. 1a §2.11: ∇ψ²_m = ψ²_m − ψ²_{m−1}, ∇²ψ²_m = ψ²_m − 2ψ²_{m−1} + ψ²_{m−2};
 * p₁ = igamc(2^(m−2), ∇ψ²_m/2), p₂ = igamc(2^(m−3), ∇²ψ²_m/2), in that order. Default m = 16;
 * applicable when m < ⌊log₂ n⌋ − 2 (§2.11.7), i.e. n ≥ 2^(m+3).
 */
export function serialTest(seq: BitSequence, options: { m?: number } = {}): Sp80022Result {
  const m = options.m ?? 16;
  const minBits = 2 ** (m + 3);
  if (seq.n < minBits) return notApplicable('Serial', needsBits(minBits), { m });
  const psiM = psi2(seq, m);
  const psiM1 = psi2(seq, m - 1);
  const psiM2 = psi2(seq, m - 2);
  const del1 = psiM - psiM1;
  const del2 = psiM - 2 * psiM1 + psiM2;
  return {
    name: 'Serial',
    applicable: true,
    pValues: [igamc(2 ** (m - 1) / 2, del1 / 2), igamc(2 ** (m - 2) / 2, del2 / 2)],
    labels: ['p-value 1', 'p-value 2'],
    parameters: { m },
    statistics: { psiM, psiM1, psiM2, del1, del2 },
  };
}
