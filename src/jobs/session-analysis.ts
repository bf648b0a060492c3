/**
 * The session-analysis job (`oe sessions <id> --analyze`, `oe analyze` once sampled): reads each source
 * of a recorded session from its Parquet parts, gives every sample its recorded time, runs the pure
 * per-source analysis (src/analyze/source-analysis.ts), entropy over time against the session's own
 * telemetry and the dependence between sources.
 */

import { dependence } from '../analyze/dependence/dependence.js';
import {
  type EntropyWindow,
  EntropyWindowAccumulator,
  entropyWindows,
  type TelemetryMetricSeries,
  telemetryRelation,
  telemetrySeries,
  type WindowSpec,
} from '../analyze/entropy-over-time.js';
import {
  type Analysis,
  type AnalysisInput,
  type AnalysisOptions,
  type AssessmentConditioner,
  analysisSummary,
  analyzeSource,
  defaultWindow,
  type EntropyOverTime,
  type SourceAnalysis,
  type SourceData,
} from '../analyze/source-analysis.js';
import { Sha256Conditioner, vonNeumann } from '../collect/conditioning/index.js';
import { listParts } from '../collect/session/files.js';
import type { SessionManifest } from '../collect/session/manifest.js';
import {
  openSession,
  readSourceSamples,
  readTelemetry,
  streamSourceSamples,
  tableRelation,
} from '../collect/session/reader.js';
import type { TelemetryColumns } from '../contracts/telemetry.js';
import { queryColumns } from '../db/index.js';
import { errorMessage, OeError } from '../errors.js';

/**
 * The bytes the SP 800-90B suite sees under `conditioning`. sha256 consumes ⌈320 / H⌉ raw bytes per 32-byte
 * block (H = MCV bits per byte), as the pool would; with H = 0 there is nothing to condition.
 */
export const conditionForAssessment: AssessmentConditioner = (bytes, mode, hPerByte) => {
  if (mode === 'raw') return bytes;
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
};

/** The session's telemetry rows as columns (readTelemetry's chunk). */
export function telemetryColumns(chunk: { rowCount: number; columns: Record<string, unknown> }): {
  rowCount: number;
  columns: TelemetryColumns;
} {
  return { rowCount: chunk.rowCount, columns: chunk.columns as unknown as TelemetryColumns };
}

/**
 * Analyses sources held in memory one after another. Only the bytes of every source are kept for the
 * dependence step (capped by its maxSamples); everything else is released after each source.
 */
export async function analyzeSourceData(
  load: { name: string; load: () => Promise<SourceData> }[],
  input: AnalysisInput,
  options: AnalysisOptions = {},
  telemetry: TelemetryMetricSeries[] | { available: false; reason: string } | null = null,
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
    const a = await analyzeSource(data, options, conditionForAssessment);
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
    standard: { sources, summary: analysisSummary(sources), dependence: dep },
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
  let telemetry: TelemetryMetricSeries[] | { available: false; reason: string } | null = null;
  if (options.telemetry !== false) {
    if (listParts(dir).every((p) => p.table !== 'telemetry'))
      telemetry = {
        available: false,
        reason: `session ${manifest.id} has no telemetry parts (recorded with --telemetry-interval 0, or the folder is missing)`,
      };
    else {
      try {
        telemetry = telemetrySeries(telemetryColumns(await readTelemetry(dir)));
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
