/**
 * Health-test evidence for a validation package (SP 800-90B §4.4): the continuous tests' cutoffs for
 * the claimed entropy at the chosen false-positive rate α, the false alarms they raise on the recorded
 * raw data next to what α allows, and induced failures fed through the same RepetitionCountTest and
 * AdaptiveProportionTest classes the entropy pool runs (src/collect/health/), each with the number of
 * samples until a test fired next to its cutoff. A source that stops delivering is run through the
 * real sampler pool and entropy pool, whose batch deadline is what catches it.
 */

import { EntropyPool } from '../../collect/entropy-pool.js';
import { AdaptiveProportionTest } from '../../collect/health/adaptive-proportion-test.js';
import { aptCutoff, binomialSurvival, DEFAULT_ALPHA, rctCutoff } from '../../collect/health/cutoffs.js';
import { RepetitionCountTest } from '../../collect/health/repetition-count-test.js';
import type { Sampler } from '../../collect/sampler.js';
import type { SourceSpec } from '../../collect/types.js';
import { errorMessage } from '../../errors.js';

export interface FalseAlarms {
  test: 'rct' | 'apt';
  /** Decisions the test made on the raw data: samples (RCT) or complete windows (APT). */
  decisions: number;
  observed: number;
  /** Upper bound on the expected count if the claimed H holds: RCT n·2^(−H·(C−1)) ≤ n·α; APT windows·α. */
  expectedAtMost: number;
}

export interface InducedFailure {
  fault: 'stuck' | 'mcv-jump' | 'stop';
  description: string;
  trials: number;
  /** Trials in which a test fired (within `maxSamples` of the fault's onset for mcv-jump). */
  detected: number;
  /** Which test fired first, per trial count. */
  firstBy: { rct: number; apt: number; sampler: number };
  /** Samples after the onset until the test fired: smallest, median, largest over the detected trials. */
  samplesToDetect: { min: number; median: number; max: number } | null;
  /**
   * What detection must not exceed: for a stuck source the RCT cutoff (the run of C equal samples ends
   * at the latest C − 1 samples after the onset); for mcv-jump the APT bound of `mcvJumpBound` (detection
   * by then with probability ≥ 1 − 10⁻⁹ per trial); null for stop (counted in time, not samples).
   */
  limit: { name: string; samples: number } | null;
  /** Trials not detected within `limit` samples (detected later, or not within `maxSamples` ≥ limit). */
  beyondLimit: number;
  maxSamples: number;
  /** For `stop`: milliseconds from the request until the pool reported the failure, and its message. */
  stop?: { deadlineMs: number; detectedAfterMs: number; error: string };
}

export interface HealthEvidence {
  alpha: number;
  /** −log2 α. */
  alphaBits: number;
  /** Min-entropy per sample the cutoffs are computed for. */
  h: number;
  binary: boolean;
  rct: { cutoff: number };
  apt: { cutoff: number; window: number };
  falseAlarms: FalseAlarms[];
  induced: InducedFailure[];
}

export interface HealthEvidenceOptions {
  alpha?: number;
  /** Probability the most common value jumps to in the mcv-jump fault (default 2^(−H/2): H halves). */
  faultProbability?: number;
  /** Trials per fault (default 100). */
  trials?: number;
  /** Seed of the mcv-jump fault's draws. */
  seed?: number;
  /** Sampler for the stop fault (default: the shared pool) and that fault's batch deadline. */
  sampler?: Sampler;
  stopDeadlineMs?: number;
}

/** Per-trial probability that the mcv-jump fault is still undetected at its limit. */
export const MCV_JUMP_MISS = 1e-9;

/**
 * Samples within which the APT catches a source whose most common value is emitted with probability
 * at least p (SP 800-90B §4.4.2), with probability ≥ 1 − MCV_JUMP_MISS: a window whose reference is
 * that value (probability ≥ p) fires when its other W − 1 samples hold it C − 1 more times (probability
 * f = P(Bin(W − 1, p) ≥ C − 1)), independently per window; so after the window running at the onset and
 * k more with (1 − p·f)^k ≤ MCV_JUMP_MISS, detection has happened. Infinity when p·f is 0.
 */
export function mcvJumpBound(p: number, cutoff: number, window: number): number {
  const fire = p * binomialSurvival(window - 1, p, cutoff - 2);
  if (!(fire > 0)) return Number.POSITIVE_INFINITY;
  if (fire >= 1) return 2 * window;
  const k = Math.ceil(Math.log(MCV_JUMP_MISS) / Math.log1p(-fire));
  return (k + 1) * window;
}

/** Longest faulty stream fed to the tests in one mcv-jump trial. */
const MCV_JUMP_MAX_SAMPLES = 10_000_000;

/** Feeds `data` through fresh RCT and APT instances, counting failures (each test restarts after one). */
export function countFalseAlarms(data: Uint8Array, h: number, alpha: number, binary: boolean): FalseAlarms[] {
  const count = (feed: (s: Uint8Array) => number) => {
    let alarms = 0;
    let from = 0;
    while (from < data.length) {
      const i = feed(data.subarray(from));
      if (i < 0) break;
      alarms++;
      from += i + 1;
    }
    return alarms;
  };
  const rct = new RepetitionCountTest(h, alpha);
  const apt = new AdaptiveProportionTest(h, { alpha, binary });
  const n = data.length;
  const windows = Math.floor(n / apt.window);
  return [
    {
      test: 'rct',
      decisions: n,
      observed: count((s) => rct.feed(s)),
      expectedAtMost: n * 2 ** (-h * (rct.cutoff - 1)),
    },
    { test: 'apt', decisions: windows, observed: count((s) => apt.feed(s)), expectedAtMost: windows * alpha },
  ];
}

/** Small seeded generator for the injected faults (xorshift32; the fault is a simulation, not a measurement). */
function faultRng(seed: number): () => number {
  let s = (seed ^ 0x9e3779b9) >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

/**
 * Runs one induced fault `trials` times: the tests first see a healthy prefix of the recorded data
 * (ending at a different place each trial), then the faulty stream; returns the samples after the
 * onset until a test fired (or null within `maxSamples`).
 */
function induce(
  data: Uint8Array,
  h: number,
  alpha: number,
  binary: boolean,
  trials: number,
  faulty: (trial: number, onset: number) => (k: number) => number,
  maxSamples: number,
): Array<{ samples: number; test: 'rct' | 'apt' } | null> {
  const results: Array<{ samples: number; test: 'rct' | 'apt' } | null> = [];
  const prefix = Math.min(4096, Math.floor(data.length / 2));
  const chunk = new Uint8Array(256);
  for (let t = 0; t < trials; t++) {
    const onset = prefix + Math.floor(((data.length - prefix) * t) / Math.max(1, trials));
    const rct = new RepetitionCountTest(h, alpha);
    const apt = new AdaptiveProportionTest(h, { alpha, binary });
    const healthy = data.subarray(onset - prefix, onset);
    const pre = Math.max(rct.feed(healthy), apt.feed(healthy));
    if (pre >= 0) {
      // a false alarm in the healthy prefix: restart the tests on it (rare by construction of α)
      rct.reset();
      apt.reset();
    }
    const next = faulty(t, onset);
    let result: { samples: number; test: 'rct' | 'apt' } | null = null;
    for (let k = 0; k < maxSamples && !result; k += chunk.length) {
      const len = Math.min(chunk.length, maxSamples - k);
      for (let i = 0; i < len; i++) chunk[i] = next(k + i);
      const c = chunk.subarray(0, len);
      const r = rct.feed(c);
      const a = apt.feed(c);
      if (r >= 0 || a >= 0) {
        const first = r >= 0 && (a < 0 || r <= a) ? r : a;
        result = { samples: k + first + 1, test: first === r ? 'rct' : 'apt' };
      }
    }
    results.push(result);
  }
  return results;
}

function summarize(
  fault: InducedFailure['fault'],
  description: string,
  results: Array<{ samples: number; test: 'rct' | 'apt' } | null>,
  limit: { name: string; samples: number } | null,
  maxSamples: number,
): InducedFailure {
  const hit = results.filter((r): r is { samples: number; test: 'rct' | 'apt' } => r !== null);
  const s = hit.map((r) => r.samples).sort((a, b) => a - b);
  return {
    fault,
    description,
    trials: results.length,
    detected: hit.length,
    firstBy: {
      rct: hit.filter((r) => r.test === 'rct').length,
      apt: hit.filter((r) => r.test === 'apt').length,
      sampler: 0,
    },
    samplesToDetect: s.length ? { min: s[0], median: s[s.length >> 1], max: s[s.length - 1] } : null,
    limit,
    beyondLimit: limit ? results.length - s.filter((x) => x <= limit.samples).length : 0,
    maxSamples,
  };
}

/** The most common value of `data`. */
function modeOf(data: Uint8Array): number {
  const c = new Int32Array(256);
  for (const x of data) c[x]++;
  let best = 0;
  for (let v = 1; v < 256; v++) if (c[v] > c[best]) best = v;
  return best;
}

/**
 * The stop fault: a sampler that never returns (the addon's test_hang, standing in for a source that
 * stops), asked for output through an EntropyPool of its own; the batch deadline ends the batch, the
 * source is quarantined, and the request fails closed.
 */
async function stopFault(sampler: Sampler | undefined, deadlineMs: number): Promise<InducedFailure> {
  const spec: SourceSpec = {
    name: 'stopped_source',
    category: 'timing',
    kind: 'physical',
    description: 'a source that stops delivering samples (the test_hang sampler)',
    physics: '',
    requirements: [],
    fast: true,
    sampler: 'test_hang',
    batchSize: 1024,
    credit: 1,
    extract: (v) => new Uint8Array(v.length),
  };
  const pool = new EntropyPool({
    sources: [spec],
    probe: () => null,
    ...(sampler ? { sampler } : {}),
    batchTimeoutMs: deadlineMs,
    // the request must outlive the worker's start-up (seconds on a loaded machine) and the batch deadline,
    // so that the quarantine, not the request's own timeout, is what fails it
    requestTimeoutMs: deadlineMs + 120_000,
    backoffBaseMs: 60_000,
  });
  const t0 = performance.now();
  let error = 'no error: the pool returned output';
  try {
    await pool.getBytes(32, 'sha256');
  } catch (e) {
    error = errorMessage(e);
  } finally {
    await pool.close();
  }
  const after = performance.now() - t0;
  const report = pool.healthReport().sources.find((s) => s.name === spec.name);
  const failedBySampler = report?.failures.sampler ?? 0;
  return {
    fault: 'stop',
    description: `the sampler stops returning samples (batch deadline ${deadlineMs} ms)`,
    trials: 1,
    detected: failedBySampler > 0 ? 1 : 0,
    firstBy: { rct: 0, apt: 0, sampler: failedBySampler > 0 ? 1 : 0 },
    samplesToDetect: failedBySampler > 0 ? { min: 0, median: 0, max: 0 } : null,
    limit: null,
    beyondLimit: 0,
    maxSamples: 0,
    stop: { deadlineMs, detectedAfterMs: Math.round(after), error },
  };
}

/** The evidence for a source whose recorded, mapped samples are `data`, claiming `h` bits per sample. */
export async function healthEvidence(
  data: Uint8Array,
  h: number,
  bits: number,
  options: HealthEvidenceOptions = {},
): Promise<HealthEvidence> {
  const alpha = options.alpha ?? DEFAULT_ALPHA;
  const binary = bits === 1;
  const hTest = Math.min(h, bits);
  const rct = rctCutoff(hTest, alpha);
  const window = new AdaptiveProportionTest(hTest, { alpha, binary }).window;
  const apt = aptCutoff(hTest, alpha, window);
  const trials = options.trials ?? 100;
  const stuck = induce(
    data,
    hTest,
    alpha,
    binary,
    trials,
    (_t, onset) => {
      const v = data[onset - 1];
      return () => v;
    },
    4 * rct,
  );
  const mode = modeOf(data);
  const p = options.faultProbability ?? 2 ** (-hTest / 2);
  const bound = mcvJumpBound(p, apt, window);
  const jumpLimit =
    bound <= MCV_JUMP_MAX_SAMPLES ? { name: 'APT bound (missed with probability ≤ 10⁻⁹)', samples: bound } : null;
  const maxSamples = Math.min(MCV_JUMP_MAX_SAMPLES, Math.max(100 * window, bound));
  const jump = induce(
    data,
    hTest,
    alpha,
    binary,
    trials,
    (t, onset) => {
      const rnd = faultRng((options.seed ?? 1) * 1000003 + t);
      return (k) => (rnd() < p ? mode : data[(onset + k) % data.length]);
    },
    maxSamples,
  );
  return {
    alpha,
    alphaBits: -Math.log2(alpha),
    h: hTest,
    binary,
    rct: { cutoff: rct },
    apt: { cutoff: apt, window },
    falseAlarms: countFalseAlarms(data, hTest, alpha, binary),
    induced: [
      summarize(
        'stuck',
        'the last healthy sample repeats for ever (stuck-at fault)',
        stuck,
        { name: 'RCT cutoff', samples: rct },
        4 * rct,
      ),
      summarize(
        'mcv-jump',
        `the most common value (${mode}) is emitted with probability ${p.toPrecision(3)}, the other samples are the recorded ones`,
        jump,
        jumpLimit,
        maxSamples,
      ),
      await stopFault(options.sampler, options.stopDeadlineMs ?? 500),
    ],
  };
}
