import type { BitSequence } from './bits.js';
import { classChiSquare } from './class-chi-square.js';
import type { Sp80022Result } from './types.js';
import { cycleConstraint, tooFewCycles, walk } from './walk.js';

/** π_k(x) for |x| = 1…4, k = 0…5 (SP 800-22 §3.14 table, as STS tabulates it to 10 decimals). */
const PI = [
  [0.5, 0.25, 0.125, 0.0625, 0.03125, 0.03125],
  [0.75, 0.0625, 0.046875, 0.03515625, 0.0263671875, 0.0791015625],
  [0.8333333333, 0.02777777778, 0.02314814815, 0.01929012346, 0.01607510288, 0.0803755144],
  [0.875, 0.015625, 0.013671875, 0.01196289063, 0.0104675293, 0.0732727051],
];

/**
 * Random excursions test, SP 800-22 Rev. 1a §2.14: the walk S_k = Σ(2ε_i − 1) is cut into J cycles
 * at its zeros; ν_k(x) = #cycles visiting state x exactly k times (k = 0…4, ≥ 5), for
 * x = −4…−1, +1…+4 (NIST's order); χ²(x) = Σ_k (ν_k(x) − Jπ_k(x))²/(Jπ_k(x)), p = igamc(5/2, χ²/2).
 * Not applicable when J < max(0.005√n, 500).
 */
export function randomExcursionsTest(seq: BitSequence): Sp80022Result {
  const { s, J } = walk(seq);
  if (J < cycleConstraint(seq.n)) return tooFewCycles('RandomExcursions', J, seq.n);
  const states = [-4, -3, -2, -1, 1, 2, 3, 4];
  // nu[k*8 + stateIndex]
  const nu = new Float64Array(6 * 8);
  const counter = new Int32Array(8);
  const flush = () => {
    for (let i = 0; i < 8; i++) {
      nu[Math.min(counter[i], 5) * 8 + i]++;
      counter[i] = 0;
    }
  };
  for (let i = 0; i < s.length; i++) {
    const v = s[i];
    if (v === 0) flush();
    else if (v >= -4 && v <= 4) counter[v < 0 ? v + 4 : v + 3]++;
  }
  if (s.length > 0 && s[s.length - 1] !== 0) flush();
  const pValues: number[] = [];
  const chi2s: number[] = [];
  for (let i = 0; i < 8; i++) {
    const counts = Array.from({ length: 6 }, (_, k) => nu[k * 8 + i]);
    const { chi2, pValue } = classChiSquare(counts, PI[Math.abs(states[i]) - 1], J);
    chi2s.push(chi2);
    pValues.push(pValue);
  }
  return {
    name: 'RandomExcursions',
    applicable: true,
    pValues,
    labels: states.map((x) => `x = ${x}`),
    parameters: {},
    statistics: { J, chi2: chi2s },
  };
}
