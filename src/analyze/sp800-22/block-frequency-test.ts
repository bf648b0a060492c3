import { igamc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { needsBits, notApplicable, type Sp80022Result } from './types.js';

/**
 * Frequency test within a block, SP 800-22 Rev. 1a §2.2: N = ⌊n/M⌋ blocks, π_i the proportion of
 * ones in block i, χ² = 4M Σ(π_i − ½)², p = igamc(N/2, χ²/2). Default M = 128; needs n ≥ 100 and
 * at least one block.
 */
export function blockFrequencyTest(seq: BitSequence, options: { M?: number } = {}): Sp80022Result {
  const M = options.M ?? 128;
  const { n, bits } = seq;
  if (n < Math.max(100, M)) return notApplicable('BlockFrequency', needsBits(Math.max(100, M)), { M });
  const N = Math.floor(n / M);
  let sum = 0;
  for (let i = 0; i < N; i++) {
    let ones = 0;
    const o = i * M;
    for (let j = 0; j < M; j++) ones += bits[o + j];
    const v = ones / M - 0.5;
    sum += v * v;
  }
  const chi2 = 4 * M * sum;
  return {
    name: 'BlockFrequency',
    applicable: true,
    pValues: [igamc(N / 2, chi2 / 2)],
    parameters: { M },
    statistics: { chi2, blocks: N, discarded: n - N * M },
  };
}
