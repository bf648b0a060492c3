import { probeSource } from '../collect/availability.js';
import { Sha256Conditioner, vonNeumann } from '../collect/conditioning/index.js';
import { sampleSource } from '../collect/sampler-pool.js';
import { listParts } from '../collect/session/files.js';
import type { SessionManifest } from '../collect/session/manifest.js';
import {
  openSession,
  readSourceSamples,
  readTelemetry,
  streamSourceSamples,
  tableRelation,
} from '../collect/session/reader.js';
import {
  TelemetrySeries as TelemetryRecorder,
  telemetrySnapshot,
  telemetryWindow,
} from '../collect/telemetry/index.js';
import type { TelemetryWindow } from '../collect/telemetry/types.js';
import type { SourceSpec } from '../collect/types.js';
import { queryColumns } from '../db/index.js';
import { errorMessage, OeError } from '../errors.js';
import { type DependenceOptions, type DependenceResult, dependence } from './dependence/dependence.js';
import {
  type EntropyWindow,
  EntropyWindowAccumulator,
  entropyWindows,
  type TelemetryRelation,
  type TelemetrySeries,
  telemetryRelation,
  telemetrySeries,
  type WindowSpec,
} from './entropy-over-time.js';
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
   * Input of the SP 800-90B suite on the bytes (the seed's `--conditioning`: statistics always use the raw
   * bytes): `raw` (default), `vonneumann` (debiased bits packed into bytes), or `sha256` (the pool's
   * conditioner, crediting the raw bytes' MCV min-entropy: 32 output bytes per 320 credited bits).
   */
  conditioning?: 'raw' | 'vonneumann' | 'sha256';
}

/**
 * The bytes the SP 800-90B suite sees under `conditioning`. sha256 consumes ⌈320 / H⌉ raw bytes per 32-byte
 * block (H = MCV bits per byte), as the pool would; with H = 0 there is nothing to condition.
 */
export function conditionForAssessment(
  bytes: Uint8Array,
  mode: AnalysisOptions['conditioning'],
  hPerByte: number,
): Uint8Array {
  if (!mode || mode === 'raw') return bytes;
  if (mode === 'vonneumann') return vonNeumann(bytes);
  if (!(hPerByte > 0)) return new Uint8Array(0);
  const per = Math.ceil(320 / hPerByte);
  const blocks = Math.floor(bytes.length / per);
  const out = new Uint8Array(blocks * 32);
  const c = new Sha256Conditioner('oe-analyze');
  for (let b = 0; b < blocks; b++) {
    const chunk = bytes.subarray(b * per, (b + 1) * per);
    out.set(c.generate([{ source: 'input', bytes: chunk, creditBits: chunk.length * hPerByte }]), b * 32);
  }
  return out;
}

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
export async function analyzeSource(src: SourceData, options: AnalysisOptions = {}): Promise<SourceAnalysis> {
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
    const b = conditionForAssessment(src.bytes, cond, minEntropy.mcv?.hMin ?? 0).subarray(0, cap);
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

function summary(sources: SourceAnalysis[]): Analysis['standard']['summary'] {
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

/**
 * Analyses sources held in memory one after another. Only the bytes of every source are kept for the
 * dependence step (capped by its maxSamples); everything else is released after each source.
 */
export async function analyzeSourceData(
  load: { name: string; load: () => Promise<SourceData> }[],
  input: AnalysisInput,
  options: AnalysisOptions = {},
  telemetry: TelemetrySeries[] | { available: false; reason: string } | null = null,
): Promise<Analysis> {
  const sources: SourceAnalysis[] = [];
  const depInputs: { name: string; bytes: Uint8Array }[] = [];
  const depOpts = typeof options.dependence === 'object' ? options.dependence : {};
  const depCap = depOpts.maxSamples ?? 262_144;
  const eot: EntropyOverTime[] = [];
  for (const item of load) {
    options.onProgress?.(`${item.name}: loading`);
    let data: SourceData;
    try {
      data = await item.load();
    } catch (e) {
      sources.push({ name: item.name, unit: null, samples: 0, unavailable: errorMessage(e) });
      continue;
    }
    options.onProgress?.(`${item.name}: ${data.bytes.length} samples: statistics`);
    const a = await analyzeSource(data, options);
    sources.push(a);
    if (data.bytes.length > 0) {
      depInputs.push({ name: data.name, bytes: data.bytes.slice(0, depCap) });
      const spec = options.window ?? defaultWindow([data]);
      const windowSpec: WindowSpec =
        spec.by === 'time' && !data.times ? defaultWindow([{ ...data, times: null }]) : spec;
      const windows = entropyWindows(data.bytes, data.times, windowSpec, data.timeOrigin);
      let rel: EntropyOverTime['telemetry'] = null;
      if (telemetry && options.telemetry !== false)
        rel = Array.isArray(telemetry) ? telemetryRelation(windows, telemetry) : telemetry;
      eot.push({ source: data.name, window: windowSpec, windows, telemetry: rel });
    }
  }
  let dep: Analysis['standard']['dependence'] = null;
  if (options.dependence !== false) {
    if (depInputs.length < 2)
      dep = { available: false, reason: `needs at least 2 sources with samples, got ${depInputs.length}` };
    else {
      options.onProgress?.(`dependence between ${depInputs.length} sources`);
      dep = dependence(depInputs, depOpts);
    }
  }
  return {
    input,
    standard: { sources, summary: summary(sources), dependence: dep },
    experimental: { entropy_over_time: eot },
  };
}

interface BatchTimes {
  /** Whole seconds since the epoch; batch start/end are relative to it. */
  origin: number;
  byBatch: Map<bigint, { seqStart: number; n: number; start: number; end: number }>;
}

async function readBatchTimes(dir: string, source: string): Promise<BatchTimes | null> {
  if (listParts(dir).every((p) => p.table !== 'batches')) return null;
  const r = await queryColumns(
    `SELECT batch, seq_start, n, start_ns, end_ns FROM ${tableRelation(dir, 'batches')} WHERE source = $1 ORDER BY batch`,
    [source],
  );
  const byBatch = new Map<bigint, { seqStart: number; n: number; start: number; end: number }>();
  const c = r.columns;
  const starts = c.start_ns as BigInt64Array;
  let min = r.rowCount > 0 ? starts[0] : 0n;
  for (let i = 1; i < r.rowCount; i++) if (starts[i] < min) min = starts[i];
  const originNs = (min / 1_000_000_000n) * 1_000_000_000n;
  for (let i = 0; i < r.rowCount; i++) {
    byBatch.set((c.batch as BigInt64Array)[i], {
      seqStart: Number((c.seq_start as BigInt64Array)[i]),
      n: (c.n as Int32Array)[i],
      start: Number(starts[i] - originNs) / 1e9,
      end: Number((c.end_ns as BigInt64Array)[i] - originNs) / 1e9,
    });
  }
  return { origin: Number(originNs / 1_000_000_000n), byBatch };
}

/**
 * A recorded source as typed arrays (value, byte) with each sample's time interpolated inside its batch:
 * t = start + (seq − seq_start + ½)/n · (end − start).
 */
export async function loadSessionSource(dir: string, source: string, manifest: SessionManifest): Promise<SourceData> {
  const s = await readSourceSamples(dir, source, { columns: ['value', 'byte', 'seq', 'batch'], manifest });
  const unit = manifest.sources.find((x) => x.name === source)?.unit ?? null;
  const bt = await readBatchTimes(dir, source);
  let times: Float64Array | null = null;
  if (bt && bt.byBatch.size > 0 && s.rowCount > 0) {
    times = new Float64Array(s.rowCount);
    const seq = s.seq as BigInt64Array;
    const batch = s.batch as BigInt64Array;
    let missing = 0;
    let prev: bigint | null = null;
    let b: { seqStart: number; n: number; start: number; end: number } | undefined;
    for (let i = 0; i < s.rowCount; i++) {
      if (batch[i] !== prev) {
        prev = batch[i];
        b = bt.byBatch.get(prev);
      }
      if (!b) {
        missing++;
        times[i] = Number.NaN;
        continue;
      }
      times[i] = b.start + ((Number(seq[i]) - b.seqStart + 0.5) / Math.max(1, b.n)) * (b.end - b.start);
    }
    if (missing > 0) times = null; // batches table incomplete (e.g. after kill -9): windows by count instead
  }
  return {
    name: source,
    unit,
    values: s.value ?? null,
    bytes: s.byte ?? new Uint8Array(0),
    times,
    timeOrigin: times && bt ? bt.origin : 0,
  };
}

/** Analyses one recorded session (its directory). */
export async function analyzeSession(
  dir: string,
  options: AnalysisOptions & { sources?: string[] } = {},
): Promise<Analysis> {
  const { manifest } = openSession(dir);
  let names = manifest.sources.map((s) => s.name).sort();
  if (options.sources && options.sources.length > 0) {
    const unknown = options.sources.filter((s) => !names.includes(s));
    if (unknown.length > 0)
      throw new OeError(
        'NOT_FOUND',
        `session ${manifest.id} has no source ${unknown.map((u) => `"${u}"`).join(', ')} (it has: ${names.join(', ')})`,
      );
    names = names.filter((n) => options.sources?.includes(n));
  }
  let telemetry: TelemetrySeries[] | { available: false; reason: string } | null = null;
  if (options.telemetry !== false) {
    if (listParts(dir).every((p) => p.table !== 'telemetry'))
      telemetry = {
        available: false,
        reason: `session ${manifest.id} has no telemetry parts (recorded with --telemetry-interval 0, or the folder is missing)`,
      };
    else {
      try {
        telemetry = telemetrySeries(await readTelemetry(dir));
      } catch (e) {
        telemetry = { available: false, reason: `telemetry unreadable: ${errorMessage(e)}` };
      }
    }
  }
  const input: AnalysisInput = {
    kind: 'session',
    id: manifest.id,
    dir,
    status: manifest.status,
    started_at: manifest.started_at,
    duration_ms: manifest.duration_ms,
  };
  return analyzeSourceData(
    names.map((name) => ({ name, load: () => loadSessionSource(dir, name, manifest) })),
    input,
    options,
    telemetry,
  );
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

export interface LiveOptions extends AnalysisOptions {
  /** Measurements per source (default 50,000, the seed's). */
  samples?: number;
  /** Telemetry snapshots every this many ms while sampling (0: none). */
  telemetryIntervalMs?: number;
  /** Receives the sampled data before it is analysed (e.g. for the experimental quantum proxy). */
  onData?: (data: readonly SourceData[]) => void;
}

/**
 * `oe analyze`: samples each source now (through the shared sampler pool, one source after another), with
 * periodic telemetry snapshots of this host while it samples when asked, then analyses the samples like a
 * session. Sample times are interpolated over each source's sampling interval.
 */
export async function analyzeLive(
  specs: readonly SourceSpec[],
  options: LiveOptions = {},
): Promise<Analysis & { experimental: { telemetry_v1?: TelemetryWindow } }> {
  const samples = options.samples ?? 50_000;
  if (!Number.isInteger(samples) || samples < 2)
    throw new OeError('USAGE', `--samples must be an integer ≥ 2, got ${samples}`);
  const data: SourceData[] = [];
  const skipped: SourceAnalysis[] = [];
  const interval = options.telemetryIntervalMs ?? 0;
  const recorder = new TelemetryRecorder();
  const first = interval > 0 ? telemetrySnapshot() : null;
  if (first) recorder.add(first);
  const timer = interval > 0 ? setInterval(() => recorder.add(telemetrySnapshot()), interval) : null;
  const started = Date.now();
  try {
    for (const spec of specs) {
      const reason = probeSource(spec);
      if (reason !== null) {
        skipped.push({ name: spec.name, unit: null, samples: 0, unavailable: reason });
        continue;
      }
      options.onProgress?.(`${spec.name}: sampling ${samples}`);
      try {
        const r = await sampleSource(spec.name, samples);
        const originNs = (r.startNs / 1_000_000_000n) * 1_000_000_000n;
        const t0 = Number(r.startNs - originNs) / 1e9;
        const t1 = Number(r.endNs - originNs) / 1e9;
        const n = r.bytes.length;
        const times = Float64Array.from({ length: n }, (_, i) => t0 + ((i + 0.5) / n) * (t1 - t0));
        data.push({
          name: spec.name,
          unit: r.unit,
          values: r.values,
          bytes: r.bytes,
          times,
          timeOrigin: Number(originNs / 1_000_000_000n),
        });
      } catch (e) {
        skipped.push({ name: spec.name, unit: null, samples: 0, unavailable: errorMessage(e) });
      }
    }
  } finally {
    if (timer) clearInterval(timer);
  }
  let telemetry: TelemetrySeries[] | null = null;
  let window: TelemetryWindow | undefined;
  if (first) {
    const last = telemetrySnapshot();
    recorder.add(last);
    window = telemetryWindow(first, last);
    const rows = recorder.drain();
    telemetry = telemetrySeries({ rowCount: rows.t.length, columns: rows as unknown as ColumnChunkColumns });
  }
  const input: AnalysisInput = {
    kind: 'live',
    id: null,
    dir: null,
    status: null,
    started_at: new Date(started).toISOString(),
    duration_ms: null,
  };
  options.onData?.(data);
  const a = await analyzeSourceData(
    data.map((d) => ({ name: d.name, load: async () => d })),
    input,
    options,
    telemetry,
  );
  a.standard.sources.push(...skipped);
  a.standard.summary = summary(a.standard.sources);
  return window ? { ...a, experimental: { ...a.experimental, telemetry_v1: window } } : a;
}

type ColumnChunkColumns = Parameters<typeof telemetrySeries>[0]['columns'];

/**
 * Entropy over time of every source of a session, streamed: each source is read chunk by chunk from DuckDB
 * and cut into windows as it passes, so memory is bounded by one chunk plus one window whatever the size
 * of the session. Windows by count here (times need the batches join, which `analyzeSession` does).
 */
export async function entropyOverTimeStreaming(
  dir: string,
  samplesPerWindow: number,
  options: { sources?: string[]; chunkRows?: number } = {},
): Promise<{ source: string; samples: number; windows: EntropyWindow[] }[]> {
  const { manifest } = openSession(dir);
  const names = manifest.sources
    .map((s) => s.name)
    .filter((n) => !options.sources || options.sources.includes(n))
    .sort();
  const out: { source: string; samples: number; windows: EntropyWindow[] }[] = [];
  for (const name of names) {
    const acc = new EntropyWindowAccumulator({ by: 'count', samples: samplesPerWindow });
    let samples = 0;
    for await (const chunk of streamSourceSamples(dir, name, {
      columns: ['byte'],
      manifest,
      chunkRows: options.chunkRows ?? 65_536,
    })) {
      acc.push(chunk.columns.byte as Uint8Array);
      samples += chunk.rowCount;
    }
    out.push({ source: name, samples, windows: acc.finish() });
  }
  return out;
}
