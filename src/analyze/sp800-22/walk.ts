import type { BitSequence } from './bits.js';
import type { Sp80022Result } from './types.js';

/** The ±1 random walk shared by the random excursions tests (SP 800-22 §2.14, §2.15). */
export interface Walk {
  /** Partial sums S_1 … S_n. */
  s: Int32Array;
  /** Number of cycles J (zero returns, plus one if the walk does not end at 0). */
  J: number;
}

export function walk(seq: BitSequence): Walk {
  const { n, bits } = seq;
  const s = new Int32Array(n);
  let sum = 0;
  let J = 0;
  for (let i = 0; i < n; i++) {
    sum += 2 * bits[i] - 1;
    s[i] = sum;
    if (sum === 0) J++;
  }
  if (sum !== 0) J++;
  return { s, J };
}

/** The rejection constraint of STS: J ≥ max(0.005·√n, 500) cycles (§2.14.7). */
export function cycleConstraint(n: number): number {
  return Math.max(0.005 * Math.sqrt(n), 500);
}

export function tooFewCycles(
  name: 'RandomExcursions' | 'RandomExcursionsVariant',
  J: number,
  n: number,
): Sp80022Result {
  return {
    name,
    applicable: false,
    reason: `not applicable (needs ${Math.ceil(cycleConstraint(n)).toLocaleString('en-US')} excursion cycles, the walk has ${J}; typically ≥ 1,000,000 bits)`,
    pValues: [],
    parameters: {},
    statistics: { J },
  };
}
