/**
 * The analysis of one source (per-source statistics, min-entropy, verdict) and the shapes of the analysis
 * document (schemas/analysis.schema.json). Pure: the jobs that read sessions or sample live sources
 * (src/jobs/session-analysis.ts, src/jobs/live-analysis.ts) push typed-array chunks into a SourceAnalyzer,
 * whose memory does not grow with the stream: statistics are accumulators, and what needs a contiguous
 * block keeps a stated window of the first samples (the SP 800-90B suite, the dependence step).
 */

import { errorMessage } from '../errors.js';
import { int64ToFloat64 } from '../util/int64.js';
import type { DependenceOptions, DependenceResult } from './dependence/dependence.js';
import {
  type EntropyWindow,
  EntropyWindowAccumulator,
  type TelemetryRelation,
  type WindowSpec,
} from './entropy-over-time.js';
import { mostCommonValueOfCounts } from './sp800-90b/most-common-value.js';
import { assessNonIid, type NonIidResult } from './sp800-90b/non-iid.js';
import { type Reduced8, reduceTo8Bits } from './stats/reduce-to-8-bits.js';
import {
  type ByteStatistics,
  ByteStatisticsAccumulator,
  type SeriesStatistics,
  SeriesStatisticsAccumulator,
} from './stats/source-statistics.js';
import { type VerdictResult, verdict } from './stats/verdict.js';

/**
 * A step of an analysis in progress, as data (AnalysisOptions.onStep), for a progress bar: `source` each
 * time a source is finished (`index` of `total` sources finished so far, in the order they finish), then
 * `dependence` when the pairs start; a job that adds work after it (the stored analysis: the quantum
 * proxy, the file) reports `quantum` and `written`.
 */
export type AnalysisStep =
  | { phase: 'source'; source: string; index: number; total: number }
  | { phase: 'dependence'; sources: number }
  | { phase: 'quantum' }
  | { phase: 'written'; path: string };

/** Version of the analysis JSON (schemas/analysis.schema.json). */
export const ANALYSIS_FORMAT_VERSION = 1;

/** One source's data, in memory: from a session, or sampled live by `oe analyze`. */
export interface SourceData {
  name: string;
  /** Unit of the raw measurements (tsc, ns, count, value), when known. */
  unit: string | null;
  /** Raw measurements, or null when only bytes exist (e.g. conditioned output). */
  values: BigInt64Array | null;
  /** The raw byte stream (one extracted byte per measurement). */
  bytes: Uint8Array;
  /** Recorded time of each sample in seconds since `timeOrigin`, or null. */
  times: Float64Array | null;
  /** Seconds since the Unix epoch that `times` count from (a whole second near the first sample). */
  timeOrigin: number;
}

/**
 * - `none`: no min-entropy.
 * - `mcv`: SP 800-90B §6.3.1 Most Common Value on the whole raw byte stream.
 * - `window` (the default): MCV, and the non-IID suite (§6.3) on the first ENTROPY_WINDOW_SAMPLES raw
 *   bytes (fewer than §3.1.1's 1,000,000: an assessment of that window, stated in the JSON).
 * - `full`: MCV, and the non-IID suite on the first 1,000,000 raw bytes and on the measurements reduced to
 *   8 bits.
 */
export type EntropyMode = 'none' | 'mcv' | 'window' | 'full';

/** Samples the non-IID suite assesses in `window` mode: the size `oe bench` grades on (GRADE_SAMPLES). */
export const ENTROPY_WINDOW_SAMPLES = 16_384;
/** Samples it assesses in `full` mode: SP 800-90B §3.1.1's minimum. */
export const FULL_ENTROPY_SAMPLES = 1_000_000;

export interface AnalysisOptions {
  entropy?: EntropyMode;
  /** Samples fed to the non-IID suite (the first ones; default ENTROPY_WINDOW_SAMPLES or FULL_ENTROPY_SAMPLES by mode). */
  entropySamples?: number;
  /** Dependence between sources (default on with ≥ 2 sources); false turns it off. */
  dependence?: boolean | DependenceOptions;
  /** Entropy-over-time windows (default: by time, max(1 s, duration/200); by count when there are no times). */
  window?: WindowSpec;
  /** Relate entropy over time to the recorded telemetry (sessions only; default true). */
  telemetry?: boolean;
  /** Largest autocorrelation lag (default 1000). */
  maxLag?: number;
  /** Progress callback (the library never prints). */
  onProgress?: (message: string) => void;
  /** Progress as data, for a UI: each source as it is finished, then the dependence step. */
  onStep?: (step: AnalysisStep) => void;
  /** Non-IID worker threads (default: the number of CPUs). */
  threads?: number;
  /**
   * Input of the SP 800-90B suite on the bytes (`--conditioning`; the statistics always use the raw
   * bytes): `raw` (default), `vonneumann` (debiased bits packed into bytes), or `sha256` (the pool's
   * conditioner, crediting the raw bytes' MCV min-entropy: 32 output bytes per 320 credited bits).
   */
  conditioning?: 'raw' | 'vonneumann' | 'sha256';
}

/**
 * The bytes the SP 800-90B suite sees under a conditioning mode other than `raw`, given the raw bytes and
 * their MCV min-entropy per byte. Conditioning is collection code (src/collect/conditioning/): the job
 * that calls analyzeSource passes it in.
 */
export type AssessmentConditioner = (
  bytes: Uint8Array,
  mode: NonNullable<AnalysisOptions['conditioning']>,
  hPerByte: number,
) => Uint8Array;

const rawOnly: AssessmentConditioner = (bytes, mode) => {
  if (mode !== 'raw') throw new RangeError(`conditioning "${mode}" needs a conditioner`);
  return bytes;
};

export interface MinEntropySection {
  /** MCV on the raw bytes, bits per byte. */
  mcv: { pHat: number; pU: number; hMin: number } | null;
  /** The non-IID suite, or null when not run (with the reason). */
  sp800_90b: {
    /** Bytes the suite assessed (after conditioning, when asked). */
    samples: number;
    /** The window of the raw stream it came from: its first `samples` raw samples of `sourceSamples`. */
    window: { start: 0; samples: number; sourceSamples: number };
    /** What the suite saw on the byte track: the raw bytes, or their conditioned output. */
    conditioning: 'raw' | 'vonneumann' | 'sha256';
    bytes: NonIidSummary | { error: string };
    /**
     * On the measurements reduced to 8 bits; `sameAsBytes` when the reduction gives exactly the byte track's
     * input (a low-byte extraction of wide values), whose result is then reused rather than recomputed.
     */
    measurements:
      | (NonIidSummary & { reduction: Reduced8['method']; distinct: number | null; sameAsBytes?: boolean })
      | { error: string }
      | null;
  } | null;
}

export interface NonIidSummary {
  hOriginal: number;
  hBitstring: number | null;
  hAssessed: number;
  estimators: { name: string; track: string; hMin: number | null }[];
  warnings: string[];
}

export interface SourceAnalysis {
  name: string;
  unit: string | null;
  samples: number;
  /** Present when the source could not be analysed (empty, unreadable): the reason. */
  unavailable?: string;
  bytes?: ByteStatistics;
  measurements?: SeriesStatistics | null;
  minEntropy?: MinEntropySection;
  verdict?: VerdictResult;
}

export interface EntropyOverTime {
  source: string;
  window: WindowSpec;
  windows: EntropyWindow[];
  telemetry: TelemetryRelation | { available: false; reason: string } | null;
}

export interface AnalysisInput {
  kind: 'session' | 'live';
  id: string | null;
  dir: string | null;
  status: string | null;
  started_at: string | null;
  duration_ms: number | null;
}

export interface Analysis {
  input: AnalysisInput;
  standard: {
    sources: SourceAnalysis[];
    summary: { good: number; warning: number; critical: number; unavailable: number; recommendation: string };
    dependence: DependenceResult | { available: false; reason: string } | null;
  };
  experimental: {
    entropy_over_time: EntropyOverTime[];
  };
}

export interface AnalysisDocument {
  format: 'oe-analysis';
  version: number;
  generated_at: string;
  options: {
    entropy: EntropyMode;
    /** Samples (the first) of each source the SP 800-90B suite assessed; 0 when it did not run. */
    entropy_samples: number;
    /** Samples (the first) of each source the dependence step used; 0 when it did not run. */
    dependence_samples: number;
    max_lag: number;
    window: WindowSpec | null;
    dependence: boolean;
    telemetry: boolean;
  };
  analyses: Analysis[];
}

function summarizeNonIid(r: NonIidResult): NonIidSummary {
  return {
    hOriginal: r.hOriginal,
    hBitstring: r.hBitstring,
    hAssessed: r.hAssessed,
    estimators: r.estimators.map((e) => ({ name: e.name ?? String(e.id), track: e.track, hMin: e.hMin ?? null })),
    warnings: r.warnings,
  };
}

/** Runs the non-IID suite on symbols of `bits` bits (in a worker: the synchronous one). */
export type NonIidAssessor = (symbols: Uint8Array, bits: number) => NonIidResult | Promise<NonIidResult>;

/**
 * Samples of each source (the first) the dependence step compares by default: all pairs cost
 * O(sources² · n), so the window is fixed whatever the session's length.
 */
export const DEPENDENCE_WINDOW_SAMPLES = 65_536;

/** Samples of each source the dependence step uses under these options (0: none). */
export function dependenceSamplesFor(options: AnalysisOptions): number {
  if (options.dependence === false) return 0;
  return (
    (typeof options.dependence === 'object' ? options.dependence.maxSamples : undefined) ?? DEPENDENCE_WINDOW_SAMPLES
  );
}

/** Samples the non-IID suite assesses under these options (0: none). */
export function entropySamplesFor(options: AnalysisOptions): number {
  const mode = options.entropy ?? 'window';
  if (mode !== 'window' && mode !== 'full') return 0;
  return options.entropySamples ?? (mode === 'full' ? FULL_ENTROPY_SAMPLES : ENTROPY_WINDOW_SAMPLES);
}

/** What a SourceAnalyzer needs to know before the first chunk. */
export interface SourceAnalyzerSetup {
  name: string;
  unit: string | null;
  /** The stream's length (fixes the stationarity windows, lags and Welch segments); from the manifest. */
  expectedSamples: number;
  /** Whether chunks carry raw measurements. */
  values: boolean;
  maxLag?: number;
  /** Entropy-over-time windows (null: none); time windows need times in every chunk. */
  window: WindowSpec | null;
  /** Seconds since the epoch that chunk times count from. */
  timeOrigin?: number;
  /** First bytes (and, when `keepValues`, measurements) kept for the SP 800-90B suite. */
  keepSamples: number;
  keepValues?: boolean;
  /** First bytes kept for the dependence step. */
  dependenceSamples: number;
}

/** One source's streamed statistics and kept windows, before the SP 800-90B suite. */
export interface SourcePartial {
  name: string;
  unit: string | null;
  samples: number;
  bytes: ByteStatistics;
  measurements: SeriesStatistics | null;
  byteCounts: Float64Array;
  /** The first min(samples, keepSamples or dependenceSamples) bytes, and measurements when kept. */
  headBytes: Uint8Array;
  headValues: BigInt64Array | null;
  windows: EntropyWindow[] | null;
  window: WindowSpec | null;
}

/**
 * One source's analysis as its samples stream past (push chunks in order, then finish). Memory: the
 * accumulators' few thousand values, one entropy window's counts, and the kept heads.
 */
export class SourceAnalyzer {
  private readonly bytes: ByteStatisticsAccumulator;
  private readonly series: SeriesStatisticsAccumulator | null;
  private readonly eot: EntropyWindowAccumulator | null;
  private readonly head: Uint8Array;
  private readonly headValues: BigInt64Array | null;
  private kept = 0;
  private keptValues = 0;
  private n = 0;
  private scratch = new Float64Array(0);

  constructor(private readonly setup: SourceAnalyzerSetup) {
    const opts = { maxLag: setup.maxLag ?? 1000 };
    const expected = Math.max(0, setup.expectedSamples);
    this.bytes = new ByteStatisticsAccumulator(expected, opts);
    this.series = setup.values ? new SeriesStatisticsAccumulator(expected, opts) : null;
    this.eot = setup.window ? new EntropyWindowAccumulator(setup.window, setup.timeOrigin ?? 0) : null;
    const keep = Math.min(expected, Math.max(setup.keepSamples, setup.dependenceSamples));
    this.head = new Uint8Array(keep);
    this.headValues =
      setup.values && setup.keepValues ? new BigInt64Array(Math.min(expected, setup.keepSamples)) : null;
  }

  push(bytes: Uint8Array, values: BigInt64Array | null = null, times: Float64Array | null = null): void {
    this.bytes.push(bytes);
    this.eot?.push(bytes, times);
    if (this.series) {
      if (!values || values.length !== bytes.length)
        throw new RangeError(`${this.setup.name}: a chunk without its values`);
      if (this.scratch.length < values.length) this.scratch = new Float64Array(values.length);
      this.series.push(int64ToFloat64(values, this.scratch).subarray(0, values.length));
    }
    if (this.kept < this.head.length) {
      const take = Math.min(this.head.length - this.kept, bytes.length);
      this.head.set(bytes.subarray(0, take), this.kept);
      this.kept += take;
    }
    if (this.headValues && values && this.keptValues < this.headValues.length) {
      const take = Math.min(this.headValues.length - this.keptValues, values.length);
      this.headValues.set(values.subarray(0, take), this.keptValues);
      this.keptValues += take;
    }
    this.n += bytes.length;
  }

  finish(): SourcePartial {
    return {
      name: this.setup.name,
      unit: this.setup.unit,
      samples: this.n,
      bytes: this.bytes.result(),
      measurements: this.series?.result() ?? null,
      byteCounts: this.bytes.counts,
      headBytes: this.head.subarray(0, this.kept),
      headValues: this.headValues?.subarray(0, this.keptValues) ?? null,
      windows: this.eot?.finish() ?? null,
      window: this.setup.window,
    };
  }
}

async function nonIid(
  assess: NonIidAssessor,
  symbols: Uint8Array,
  bits: number,
): Promise<NonIidSummary | { error: string }> {
  try {
    return summarizeNonIid(await assess(symbols, bits));
  } catch (e) {
    return { error: errorMessage(e) };
  }
}

/**
 * The min-entropy section of a streamed source: MCV over the whole stream (from its counts) and, by mode,
 * the non-IID suite on the kept window (conditioned first when asked) and, in `full` mode, on the kept
 * measurements reduced to 8 bits.
 */
export async function minEntropyOf(
  p: SourcePartial,
  options: AnalysisOptions,
  condition: AssessmentConditioner = rawOnly,
  assess: NonIidAssessor = (s, bits) => assessNonIid(s, bits, { threads: options.threads }),
): Promise<MinEntropySection> {
  const mode = options.entropy ?? 'window';
  const minEntropy: MinEntropySection = { mcv: null, sp800_90b: null };
  const n = p.samples;
  if (mode !== 'none' && n >= 2) {
    const m = mostCommonValueOfCounts(p.byteCounts, n);
    minEntropy.mcv = { pHat: m.pHat, pU: m.pU, hMin: m.hMin };
  }
  const cap = entropySamplesFor(options);
  if (cap === 0 || n === 0) return minEntropy;
  const cond = options.conditioning ?? 'raw';
  const raw = p.headBytes.subarray(0, Math.min(cap, p.headBytes.length));
  const b = condition(raw, cond, minEntropy.mcv?.hMin ?? 0).subarray(0, cap);
  const window = { start: 0 as const, samples: raw.length, sourceSamples: n };
  options.onProgress?.(`${p.name}: SP 800-90B non-IID suite on ${b.length} bytes`);
  const onBytes = await nonIid(assess, b, 8);
  let onValues: NonNullable<MinEntropySection['sp800_90b']>['measurements'] = null;
  if (mode === 'full' && p.headValues) {
    const r = reduceTo8Bits(p.headValues.subarray(0, Math.min(cap, p.headValues.length)));
    const same = r.method === 'low-byte' && r.symbols.length === b.length && r.symbols.every((v, i) => v === b[i]);
    if (same && !('error' in onBytes))
      onValues = { ...onBytes, reduction: r.method, distinct: r.distinct, sameAsBytes: true };
    else {
      const bits = r.method === 'rank' ? Math.max(1, Math.ceil(Math.log2(Math.max(2, r.distinct ?? 256)))) : 8;
      options.onProgress?.(`${p.name}: SP 800-90B non-IID suite on the measurements (${r.method}, ${bits} bits)`);
      const res = await nonIid(assess, r.symbols, bits);
      onValues = 'error' in res ? res : { ...res, reduction: r.method, distinct: r.distinct };
    }
  }
  minEntropy.sp800_90b = { samples: b.length, window, conditioning: cond, bytes: onBytes, measurements: onValues };
  return minEntropy;
}

/** A source's analysis from its streamed statistics and min-entropy; the verdict uses the bytes. */
export function sourceAnalysisOf(p: SourcePartial, minEntropy: MinEntropySection): SourceAnalysis {
  if (p.samples === 0)
    return { name: p.name, unit: p.unit, samples: 0, unavailable: 'no samples recorded for this source' };
  const e = minEntropy.sp800_90b;
  const assessed = e && e.conditioning === 'raw' && !('error' in e.bytes) ? e.bytes.hAssessed : minEntropy.mcv?.hMin;
  return {
    name: p.name,
    unit: p.unit,
    samples: p.samples,
    bytes: p.bytes,
    measurements: p.measurements,
    minEntropy,
    verdict: verdict({ stats: p.bytes, minEntropy: assessed }),
  };
}

/** The SourceAnalyzer setup of a source held in memory (its whole length known). */
export function setupFor(src: SourceData, options: AnalysisOptions, window: WindowSpec | null): SourceAnalyzerSetup {
  return {
    name: src.name,
    unit: src.unit,
    expectedSamples: src.bytes.length,
    values: src.values !== null,
    maxLag: options.maxLag,
    window,
    timeOrigin: src.timeOrigin,
    keepSamples: entropySamplesFor(options),
    keepValues: (options.entropy ?? 'window') === 'full',
    dependenceSamples: 0,
  };
}

/**
 * Per-source statistics and min-entropy of one source held in memory (a SourceAnalyzer over one chunk).
 * Statistics run on the raw bytes and (when present) on the raw measurements as numbers.
 */
export async function analyzeSource(
  src: SourceData,
  options: AnalysisOptions = {},
  condition: AssessmentConditioner = rawOnly,
  assess?: NonIidAssessor,
): Promise<SourceAnalysis> {
  const a = new SourceAnalyzer(setupFor(src, options, null));
  a.push(src.bytes, src.values);
  const p = a.finish();
  return sourceAnalysisOf(p, await minEntropyOf(p, options, condition, assess));
}

export function analysisSummary(sources: SourceAnalysis[]): Analysis['standard']['summary'] {
  const count = (v: string) => sources.filter((s) => s.verdict?.verdict === v).length;
  const good = count('GOOD');
  const warning = count('WARNING');
  const critical = count('CRITICAL');
  const unavailable = sources.filter((s) => s.unavailable).length;
  const recommendation =
    critical > 0
      ? `exclude the ${critical} critical source(s) from credited entropy, or condition them and credit only their assessed min-entropy`
      : warning > 0
        ? 'warnings mean measurable structure: credit the assessed min-entropy, not 8 bits per byte, and condition the output'
        : sources.length > unavailable
          ? 'no source shows significant structure at this sample size'
          : 'nothing to analyse';
  return { good, warning, critical, unavailable, recommendation };
}

/**
 * Default window: W = clamp(⌊n/4096⌋, 10, 200) windows (each with enough samples for a stable MCV, and enough
 * windows for a rank correlation), by time (span/W seconds) when sample times exist, else by count (n/W).
 */
export function defaultWindow(data: SourceData[]): WindowSpec {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let n = 0;
  for (const d of data) {
    n = Math.max(n, d.bytes.length);
    if (d.times && d.times.length > 0) {
      lo = Math.min(lo, d.times[0]);
      hi = Math.max(hi, d.times[d.times.length - 1]);
    }
  }
  return defaultWindowFor(n, Number.isFinite(lo) ? [lo, hi] : null);
}

/** defaultWindow for a stream of n samples whose first and last sample times are `span` (or unknown). */
export function defaultWindowFor(n: number, span: [number, number] | null): WindowSpec {
  const w = Math.max(10, Math.min(200, Math.floor(n / 4096)));
  // (1 + 1e-9): the last sample falls inside the last window instead of opening a window of its own.
  if (span && span[1] > span[0]) return { by: 'time', seconds: ((span[1] - span[0]) / w) * (1 + 1e-9) };
  return { by: 'count', samples: Math.max(2, Math.ceil(n / w)) };
}

/** The analysis document over one or more analyses (validated against schemas/analysis.schema.json by the writer). */
export function analysisDocument(
  analyses: Analysis[],
  options: AnalysisOptions,
  generatedAt = new Date(),
): AnalysisDocument {
  return {
    format: 'oe-analysis',
    version: ANALYSIS_FORMAT_VERSION,
    generated_at: generatedAt.toISOString(),
    options: {
      entropy: options.entropy ?? 'window',
      entropy_samples: entropySamplesFor(options),
      dependence_samples: dependenceSamplesFor(options),
      max_lag: options.maxLag ?? 1000,
      window: options.window ?? null,
      dependence: options.dependence !== false,
      telemetry: options.telemetry !== false,
    },
    analyses,
  };
}
