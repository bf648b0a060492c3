import { igamc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { circularPatternCounts } from './pattern-counts.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/** φ(m) = Σ_i π_i ln π_i over the circular m-bit pattern frequencies (§2.12.4 step 4). */
function phi(seq: BitSequence, m: number): number {
  if (m === 0) return 0;
  const counts = circularPatternCounts(seq, m);
  let sum = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i];
    if (c > 0) sum += c * Math.log(c / seq.n);
  }
  return sum / seq.n;
}

/**
 * Approximate entropy test, SP 800-22 Rev. 1a §2.12: ApEn(m) = φ(m) − φ(m+1) over circular
 * overlapping patterns, χ² = 2n(ln 2 − ApEn), p = igamc(2^(m−1), χ²/2). Default m = 10;
 * applicable when m < ⌊log₂ n⌋ − 5 (§2.12.7), i.e. n ≥ 2^(m+6).
 */
export function approximateEntropyTest(seq: BitSequence, options: { m?: number } = {}): Sp80022Result {
  const m = options.m ?? 10;
  const { n } = seq;
  const minBits = 2 ** (m + 6);
  if (n < minBits) return notApplicable('ApproximateEntropy', needsBits(minBits), { m });
  const phiM = phi(seq, m);
  const phiM1 = phi(seq, m + 1);
  const apen = phiM - phiM1;
  const chi2 = 2 * n * (Math.LN2 - apen);
  return {
    name: 'ApproximateEntropy',
    applicable: true,
    pValues: [igamc(2 ** (m - 1), chi2 / 2)],
    parameters: { m },
    statistics: { chi2, phiM, phiM1, apen },
  };
}
