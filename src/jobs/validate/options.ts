/**
 * Options of `oe validate` (validateSource), their defaults and checks. Everything is checked before
 * a sample is taken: an unknown or unavailable source, an output folder that exists, bad numbers.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { probeSource } from '../../collect/availability.js';
import { getSource } from '../../collect/catalog.js';
import { DEFAULT_ALPHA } from '../../collect/health/cutoffs.js';
import type { Sampler } from '../../collect/sampler.js';
import type { SourceSpec } from '../../collect/types.js';
import { OeError, optionError } from '../../errors.js';

/** SP 800-90B §3.1.1: at least 1,000,000 consecutive samples for the assessment. */
export const MIN_RAW_SAMPLES = 1_000_000;
/** §3.1.4.1: 1000 restarts of 1000 samples each. */
export const DEFAULT_RESTARTS = 1000;
export const SAMPLES_PER_RESTART = 1000;
/** Samples of the separate calibration stretch that chooses the bit positions of `reduce: 'variable'`. */
export const CALIBRATION_SAMPLES = 100_000;
/** Longest the raw recording may take by default (15 minutes). */
export const DEFAULT_MAX_RAW_SECONDS = 900;

export type Reduction = 'low' | 'variable';

export interface ValidateOptions {
  /** Catalog name of the source (exact). */
  source: string;
  /** Package folder to create (must not exist). */
  output: string;
  /** Also run the IID track; H_I comes from it when the IID assumption is not rejected. */
  iid?: boolean;
  /** Keep N ≤ 8 bits of each measurement (default: the source's own extraction, 8 bits). */
  bits?: number;
  /** How to keep `bits` bits: the low ones (default) or the most variable positions on a calibration stretch. */
  reduce?: Reduction;
  /** Restart processes (default 1000; fewer only for quick checks: NIST's tool needs 1000). */
  restarts?: number;
  /** Raw samples (default and minimum 1,000,000; a smaller number only with `allowShortRaw`, for tests). */
  samples?: number;
  allowShortRaw?: boolean;
  /** Seed of the IID permutations and of the induced faults (default 1). */
  seed?: number;
  /** Longest the raw recording may take, s (the source's measured rate decides before anything is recorded). */
  maxRawSeconds?: number;
  /** False-positive rate of the health tests (default 2^-30). */
  alpha?: number;
  /** Restart processes at once (default: the CPU count). */
  restartConcurrency?: number;
  /** Worker threads for the assessment (default: the CPU count). */
  threads?: number;
  /** Sampler for the recording and the stop fault (default: the shared pool). */
  sampler?: Sampler;
  /** The command line recorded in the package (default: process.argv). */
  commandLine?: string;
}

export interface ValidatePlan {
  spec: SourceSpec;
  dir: string;
  iid: boolean;
  bits: number | null;
  reduce: Reduction;
  restarts: number;
  samples: number;
  seed: number;
  maxRawSeconds: number;
  alpha: number;
  restartConcurrency: number | undefined;
  threads: number | undefined;
  commandLine: string;
}

function integerIn(name: string, v: number | undefined, min: number, max: number, dflt: number): number {
  if (v === undefined) return dflt;
  if (!Number.isInteger(v) || v < min || v > max)
    throw optionError(name, `must be an integer from ${min} to ${max}, got ${v}`);
  return v;
}

/** Checks the options and the source (known, available here) and resolves the defaults. */
export function planValidation(o: ValidateOptions): ValidatePlan {
  const spec = getSource(o.source);
  const why = probeSource(spec);
  if (why !== null) throw new OeError('UNAVAILABLE', `source ${spec.name} is not available here: ${why}`);
  const dir = resolve(o.output);
  if (existsSync(dir)) throw new OeError('USAGE', `output folder ${o.output} already exists: give a new folder`);
  const bits = o.bits === undefined ? null : integerIn('bits', o.bits, 1, 8, 8);
  if (o.reduce !== undefined && bits === null) throw optionError('reduce', 'needs bits (the number of bits to keep)');
  const samples = integerIn(
    'samples',
    o.samples,
    o.allowShortRaw ? 1000 : MIN_RAW_SAMPLES,
    100_000_000,
    MIN_RAW_SAMPLES,
  );
  const alpha = o.alpha ?? DEFAULT_ALPHA;
  if (!(alpha >= 2 ** -64 && alpha <= 2 ** -10))
    throw optionError('alpha', `must be between 2^-64 and 2^-10, got ${alpha}`);
  return {
    spec,
    dir,
    iid: o.iid === true,
    bits,
    reduce: o.reduce ?? 'low',
    restarts: integerIn('restarts', o.restarts, 1, DEFAULT_RESTARTS, DEFAULT_RESTARTS),
    samples,
    seed: integerIn('seed', o.seed, 0, Number.MAX_SAFE_INTEGER, 1),
    maxRawSeconds: o.maxRawSeconds ?? DEFAULT_MAX_RAW_SECONDS,
    alpha,
    restartConcurrency: o.restartConcurrency,
    threads: o.threads,
    commandLine: o.commandLine ?? ['oe', ...process.argv.slice(2)].join(' '),
  };
}
