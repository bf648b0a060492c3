import { erfc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * Frequency (monobit) test, SP 800-22 Rev. 1a §2.1: S_n = Σ(2ε_i − 1), s_obs = |S_n|/√n,
 * p = erfc(s_obs/√2). Needs n ≥ 100 (§2.1.7).
 */
export function frequencyTest(seq: BitSequence): Sp80022Result {
  const { n, bits } = seq;
  if (n < 100) return notApplicable('Frequency', needsBits(100));
  let ones = 0;
  for (let i = 0; i < n; i++) ones += bits[i];
  const sum = 2 * ones - n;
  const sObs = Math.abs(sum) / Math.sqrt(n);
  return {
    name: 'Frequency',
    applicable: true,
    pValues: [erfc(sObs / Math.SQRT2)],
    parameters: {},
    statistics: { partialSum: sum, sumOverN: sum / n },
  };
}
