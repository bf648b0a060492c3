import { erfc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import type { Sp80022Result } from './types.js';
import { cycleConstraint, tooFewCycles, walk } from './walk.js';

/**
 * Random excursions variant test, SP 800-22 Rev. 1a §2.15: ξ(x) = total visits of the walk to
 * state x, p = erfc(|ξ(x) − J| / √(2J(4|x| − 2))) for x = −9…−1, +1…+9 (NIST's order).
 * Not applicable when J < max(0.005√n, 500).
 */
export function randomExcursionsVariantTest(seq: BitSequence): Sp80022Result {
  const { s, J } = walk(seq);
  if (J < cycleConstraint(seq.n)) return tooFewCycles('RandomExcursionsVariant', J, seq.n);
  const visits = new Float64Array(19);
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v >= -9 && v <= 9) visits[v + 9]++;
  }
  const states = [-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const pValues = states.map((x) => erfc(Math.abs(visits[x + 9] - J) / Math.sqrt(2 * J * (4 * Math.abs(x) - 2))));
  return {
    name: 'RandomExcursionsVariant',
    applicable: true,
    pValues,
    labels: states.map((x) => `x = ${x}`),
    parameters: {},
    statistics: { J, visits: states.map((x) => visits[x + 9]) },
  };
}
