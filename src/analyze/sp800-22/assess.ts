import { OeError, optionError } from '../../errors.js';
import { type BitSequence, splitSequences } from './bits.js';
import {
  packedSequences,
  type RunSequencesOptions,
  runSp80022OnPacked,
  runSp80022OnSequences,
} from './run-sequences.js';
import { type SecondLevelReport, secondLevelAnalysis } from './second-level.js';
import { UNIFORMITY_MIN_BITS } from './series-evidence.js';
import { type Sp80022Decisions, sp80022Decisions } from './test-decisions.js';
import type { Sp80022Result } from './types.js';

/** NIST's usual sequence length (STS `assess 1000000`). */
export const DEFAULT_SEQUENCE_BITS = 1_000_000;

/**
 * The sequence layout oe uses when the caller gives no length: with K given, K sequences of ⌊bits/K⌋;
 * without, as many 1,000,000-bit sequences as the bits allow (one sequence of all bits when fewer).
 */
export function defaultLayout(bits: number, sequences?: number): { sequences: number; sequenceLength: number } {
  if (sequences !== undefined) return { sequences, sequenceLength: Math.floor(bits / sequences) };
  const sequenceLength = Math.min(bits, DEFAULT_SEQUENCE_BITS);
  return { sequences: Math.max(1, Math.floor(bits / Math.max(1, sequenceLength))), sequenceLength };
}

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
  /** NIST's second-level figures (finalAnalysisReport). */
  secondLevel: SecondLevelReport;
  /** oe's verdicts: per test, with a stated family-wise error rate (test-decisions.ts). */
  decisions: Sp80022Decisions;
}

export interface Sp80022AssessOptions extends RunSequencesOptions {
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
export async function assessSp80022(all: BitSequence, options: Sp80022AssessOptions = {}): Promise<Sp80022Assessment> {
  const { K, n } = layout(all.n, options);
  const { sequences: _k, sequenceLength: _n, alpha = 0.01, ...run } = options;
  const perSequence = await runSp80022OnSequences(splitSequences(all, K, n), run);
  return assessment(all.n, K, n, alpha, options.constants ?? 'sts', perSequence);
}

function assessment(
  bits: number,
  K: number,
  n: number,
  alpha: number,
  constants: 'sts' | 'exact',
  perSequence: Sp80022Result[][],
): Sp80022Assessment {
  return {
    bits,
    sequenceLength: n,
    sequences: K,
    unusedBits: bits - n * K,
    constants,
    alpha,
    perSequence,
    secondLevel: secondLevelAnalysis(perSequence, alpha),
    decisions: sp80022Decisions(perSequence, { alpha, uniformity: n >= UNIFORMITY_MIN_BITS }),
  };
}

/** K and n from the options, checked against the available bits. */
function layout(bits: number, options: Sp80022AssessOptions): { K: number; n: number } {
  const K = options.sequences ?? 1;
  if (!Number.isInteger(K) || K < 1) throw optionError('sequences', `must be a positive integer, got ${K}`);
  const n = options.sequenceLength ?? Math.floor(bits / K);
  if (n < 1 || n * K > bits) {
    throw new OeError('BAD_INPUT', `the input has ${bits} bits, fewer than ${K} sequences of ${Math.max(n, 1)} bits`);
  }
  return { K, n };
}

/**
 * As assessSp80022 for a byte stream (bits MSB first), without unpacking the whole stream: each
 * sequence is unpacked only while it is tested (large files and sessions).
 */
export async function assessSp80022Bytes(
  bytes: Uint8Array,
  options: Sp80022AssessOptions = {},
): Promise<Sp80022Assessment> {
  const bits = bytes.length * 8;
  const { K, n } = layout(bits, options);
  const { sequences: _k, sequenceLength: _n, alpha = 0.01, ...run } = options;
  const perSequence = await runSp80022OnPacked(packedSequences(bytes, K, n), run);
  return assessment(bits, K, n, alpha, options.constants ?? 'sts', perSequence);
}
