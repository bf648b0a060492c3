import { erfc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * Runs test, SP 800-22 Rev. 1a §2.3: π = ones/n; V_n(obs) = 1 + #{k : ε_k ≠ ε_{k+1}};
 * p = erfc(|V − 2nπ(1−π)| / (2√(2n) π(1−π))). Prerequisite (frequency): |π − ½| < 2/√n; when it
 * fails STS reports p = 0 — we report p = 0 too, as the standard says the test "need not be
 * performed" and the sequence is non-random (§2.3.4 step 2).
 */
export function runsTest(seq: BitSequence): Sp80022Result {
  const { n, bits } = seq;
  if (n < 100) return notApplicable('Runs', needsBits(100));
  let ones = 0;
  let v = 1;
  for (let i = 0; i < n; i++) ones += bits[i];
  for (let i = 1; i < n; i++) v += bits[i] ^ bits[i - 1];
  const pi = ones / n;
  const tau = 2 / Math.sqrt(n);
  if (Math.abs(pi - 0.5) > tau) {
    return {
      name: 'Runs',
      applicable: true,
      pValues: [0],
      parameters: {},
      statistics: { pi, runs: v, prerequisiteFailed: 1 },
    };
  }
  const q = pi * (1 - pi);
  const arg = Math.abs(v - 2 * n * q) / (2 * Math.sqrt(2 * n) * q);
  return {
    name: 'Runs',
    applicable: true,
    pValues: [erfc(arg)],
    parameters: {},
    statistics: { pi, runs: v, normalized: (v - 2 * n * q) / (2 * Math.sqrt(2 * n) * q) },
  };
}
