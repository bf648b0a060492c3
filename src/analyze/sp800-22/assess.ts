import { OeError } from '../../errors.js';
import { type BitSequence, splitSequences } from './bits.js';
import { type RunSequencesOptions, runSp80022OnSequences } from './run-sequences.js';
import { type SecondLevelReport, secondLevelAnalysis } from './second-level.js';
import type { Sp80022Result } from './types.js';

/** The battery over K sequences plus the second-level analysis. */
export interface Sp80022Assessment {
  /** Bits available in the input. */
  bits: number;
  /** Bits per sequence (n). */
  sequenceLength: number;
  /** K. */
  sequences: number;
  /** Input bits beyond K·n, not tested. */
  unusedBits: number;
  constants: 'sts' | 'exact';
  alpha: number;
  /** perSequence[i] = the 15 results of sequence i, NIST order. */
  perSequence: Sp80022Result[][];
  secondLevel: SecondLevelReport;
}

export interface AssessOptions extends RunSequencesOptions {
  /** K sequences (default 1). */
  sequences?: number;
  /** Bits per sequence (default ⌊bits/K⌋). */
  sequenceLength?: number;
  /** Significance level α (default 0.01). */
  alpha?: number;
}

/**
 * Cuts the input into K consecutive sequences of n bits (as STS does with `assess n` and K
 * bitstreams), runs the 15 tests on each (in parallel) and the second-level analysis over them.
 */
export async function assessSp80022(all: BitSequence, options: AssessOptions = {}): Promise<Sp80022Assessment> {
  const K = options.sequences ?? 1;
  if (!Number.isInteger(K) || K < 1) throw new OeError('USAGE', `--sequences must be a positive integer, got ${K}`);
  const n = options.sequenceLength ?? Math.floor(all.n / K);
  if (n < 1 || n * K > all.n) {
    throw new OeError('BAD_INPUT', `the input has ${all.n} bits, fewer than ${K} sequences of ${Math.max(n, 1)} bits`);
  }
  const { sequences: _k, sequenceLength: _n, alpha = 0.01, ...run } = options;
  const seqs = splitSequences(all, K, n);
  const perSequence = await runSp80022OnSequences(seqs, run);
  return {
    bits: all.n,
    sequenceLength: n,
    sequences: K,
    unusedBits: all.n - n * K,
    constants: options.constants ?? 'sts',
    alpha,
    perSequence,
    secondLevel: secondLevelAnalysis(perSequence, alpha),
  };
}
