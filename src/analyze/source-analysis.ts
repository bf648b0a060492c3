/**
 * The analysis of one source held in memory (per-source statistics, min-entropy, verdict) and the shapes of
 * the analysis document (schemas/analysis.schema.json). Pure: the jobs that read sessions or sample live
 * sources (src/jobs/session-analysis.ts, src/jobs/live-analysis.ts) feed it typed arrays.
 */

import { errorMessage } from '../errors.js';
import type { DependenceOptions, DependenceResult } from './dependence/dependence.js';
import type { EntropyWindow, TelemetryRelation, WindowSpec } from './entropy-over-time.js';
import { mostCommonValue } from './sp800-90b/most-common-value.js';
import { assessNonIid, type NonIidResult } from './sp800-90b/non-iid.js';
import { type Reduced8, reduceTo8Bits } from './stats/reduce-to-8-bits.js';
import {
  type ByteStatistics,
  byteStatistics,
  type SeriesStatistics,
  seriesStatistics,
} from './stats/source-statistics.js';
import { type VerdictResult, verdict } from './stats/verdict.js';

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
 * - `mcv`: SP 800-90B §6.3.1 Most Common Value on the raw bytes (fast; the default).
 * - `full`: additionally the full non-IID suite (§6.3) on the raw bytes and on the measurements reduced to 8 bits.
 */
export type EntropyMode = 'none' | 'mcv' | 'full';

export interface AnalysisOptions {
  entropy?: EntropyMode;
  /** Samples fed to the non-IID suite (the first ones; default 1,000,000, SP 800-90B §3.1.1's minimum). */
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
    samples: number;
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

/**
 * Per-source statistics and min-entropy of one source held in memory. Statistics run on the raw bytes and
 * (when present) on the raw measurements as numbers; the verdict uses the bytes.
 */
export async function analyzeSource(
  src: SourceData,
  options: AnalysisOptions = {},
  condition: AssessmentConditioner = rawOnly,
): Promise<SourceAnalysis> {
  const n = src.bytes.length;
  if (n === 0)
    return { name: src.name, unit: src.unit, samples: 0, unavailable: 'no samples recorded for this source' };
  const maxLag = options.maxLag ?? 1000;
  const bytes = byteStatistics(src.bytes, { maxLag });
  let measurements: SeriesStatistics | null = null;
  if (src.values) {
    const v = new Float64Array(src.values.length);
    for (let i = 0; i < v.length; i++) v[i] = Number(src.values[i]);
    measurements = seriesStatistics(v, { maxLag });
  }
  const mode = options.entropy ?? 'mcv';
  const minEntropy: MinEntropySection = { mcv: null, sp800_90b: null };
  if (mode !== 'none' && n >= 2) {
    const m = mostCommonValue(src.bytes);
    minEntropy.mcv = { pHat: m.pHat, pU: m.pU, hMin: m.hMin };
  }
  if (mode === 'full') {
    const cap = options.entropySamples ?? 1_000_000;
    const cond = options.conditioning ?? 'raw';
    const b = condition(src.bytes, cond, minEntropy.mcv?.hMin ?? 0).subarray(0, cap);
    const run = async (data: Uint8Array) => {
      try {
        return summarizeNonIid(await assessNonIid(data, 8, { threads: options.threads }));
      } catch (e) {
        return { error: errorMessage(e) };
      }
    };
    options.onProgress?.(`${src.name}: SP 800-90B non-IID suite on ${b.length} bytes`);
    const onBytes = await run(b);
    let onValues: MinEntropySection['sp800_90b'] extends infer T
      ? T extends { measurements: infer M }
        ? M
        : never
      : never = null;
    if (src.values) {
      const r = reduceTo8Bits(src.values.subarray(0, Math.min(cap, n)));
      const same = r.method === 'low-byte' && r.symbols.length === b.length && r.symbols.every((v, i) => v === b[i]);
      if (same && !('error' in onBytes)) {
        minEntropy.sp800_90b = {
          samples: b.length,
          conditioning: cond,
          bytes: onBytes,
          measurements: { ...onBytes, reduction: r.method, distinct: r.distinct, sameAsBytes: true },
        };
        return finish();
      }
      const bits = r.method === 'rank' ? Math.max(1, Math.ceil(Math.log2(Math.max(2, r.distinct ?? 256)))) : 8;
      options.onProgress?.(`${src.name}: SP 800-90B non-IID suite on the measurements (${r.method}, ${bits} bits)`);
      const res = await (async () => {
        try {
          return summarizeNonIid(await assessNonIid(r.symbols, bits, { threads: options.threads }));
        } catch (e) {
          return { error: errorMessage(e) };
        }
      })();
      onValues = 'error' in res ? res : { ...res, reduction: r.method, distinct: r.distinct };
    }
    minEntropy.sp800_90b = { samples: b.length, conditioning: cond, bytes: onBytes, measurements: onValues };
  }
  return finish();

  function finish(): SourceAnalysis {
    const assessed =
      minEntropy.sp800_90b && minEntropy.sp800_90b.conditioning === 'raw' && !('error' in minEntropy.sp800_90b.bytes)
        ? minEntropy.sp800_90b.bytes.hAssessed
        : minEntropy.mcv?.hMin;
    return {
      name: src.name,
      unit: src.unit,
      samples: n,
      bytes,
      measurements,
      minEntropy,
      verdict: verdict({ stats: bytes, minEntropy: assessed }),
    };
  }
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
  const w = Math.max(10, Math.min(200, Math.floor(n / 4096)));
  // (1 + 1e-9): the last sample falls inside the last window instead of opening a window of its own.
  if (Number.isFinite(lo) && hi > lo) return { by: 'time', seconds: ((hi - lo) / w) * (1 + 1e-9) };
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
      entropy: options.entropy ?? 'mcv',
      max_lag: options.maxLag ?? 1000,
      window: options.window ?? null,
      dependence: options.dependence !== false,
      telemetry: options.telemetry !== false,
    },
    analyses,
  };
}
