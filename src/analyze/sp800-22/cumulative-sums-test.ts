import { normalCdf } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * p-value of the cumulative sums statistic z (SP 800-22 §2.13.4 step 4):
 * p = 1 − Σ_{k=(−n/z+1)/4}^{(n/z−1)/4} [Φ((4k+1)z/√n) − Φ((4k−1)z/√n)]
 *       + Σ_{k=(−n/z−3)/4}^{(n/z−1)/4} [Φ((4k+3)z/√n) − Φ((4k+1)z/√n)].
 * The summation bounds use C integer division (truncation), as STS does.
 */
function cusumPValue(z: number, n: number): number {
  const sqrtN = Math.sqrt(n);
  const nz = Math.trunc(n / z);
  let sum1 = 0;
  for (let k = Math.trunc((-nz + 1) / 4); k <= Math.trunc((nz - 1) / 4); k++) {
    sum1 += normalCdf(((4 * k + 1) * z) / sqrtN) - normalCdf(((4 * k - 1) * z) / sqrtN);
  }
  let sum2 = 0;
  for (let k = Math.trunc((-nz - 3) / 4); k <= Math.trunc((nz - 1) / 4); k++) {
    sum2 += normalCdf(((4 * k + 3) * z) / sqrtN) - normalCdf(((4 * k + 1) * z) / sqrtN);
  }
  // The alternating sums can leave [0, 1] by rounding when z is near 0 or √n; p is a probability.
  return Math.min(1, Math.max(0, 1 - sum1 + sum2));
}

/**
 * Cumulative sums (cusum) test, SP 800-22 Rev. 1a §2.13: the maximal excursion of the random walk
 * S_k = Σ(2ε_i − 1), forward (mode 0) and backward (mode 1). p-values in NIST's order
 * [forward, reverse]. Needs n ≥ 100.
 */
export function cumulativeSumsTest(seq: BitSequence): Sp80022Result {
  const { n, bits } = seq;
  if (n < 100) return notApplicable('CumulativeSums', needsBits(100));
  let s = 0;
  let sup = 0;
  let inf = 0;
  for (let i = 0; i < n; i++) {
    s += 2 * bits[i] - 1;
    if (s > sup) sup = s;
    if (s < inf) inf = s;
  }
  const zForward = Math.max(sup, -inf);
  // The backward walk's partial sums are S_n − S_{k}, so its extremes follow from the forward ones.
  const zReverse = Math.max(sup - s, s - inf);
  return {
    name: 'CumulativeSums',
    applicable: true,
    pValues: [cusumPValue(zForward, n), cusumPValue(zReverse, n)],
    labels: ['forward', 'reverse'],
    parameters: {},
    statistics: { maxPartialSumForward: zForward, maxPartialSumReverse: zReverse },
  };
}
