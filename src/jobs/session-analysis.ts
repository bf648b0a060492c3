/**
 * The session-analysis job (`oe sessions <id> --analyze`; `oe analyze` once it has sampled): every source
 * streams through a SourceAnalyzer (src/analyze/source-analysis.ts) on a worker thread, as many sources at
 * once as there are cores, with each sample's recorded time interpolated inside its batch; then entropy
 * over time against the session's own telemetry, and the dependence between sources (its pairs shared
 * among the workers). Memory is bounded whatever the session's length: a few chunks in flight per source,
 * the accumulators, and the stated windows (SP 800-90B: the first `entropy_samples`; dependence: the first
 * `dependence_samples` of each source); the batch rows (sample times) and the telemetry, which grow with
 * the session, are streamed (session-times.ts, session-telemetry.ts).
 */
import { availableParallelism } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import type { Piscina } from 'piscina';
import { type DependenceOptions, dependenceOfPairs, type PairDependence } from '../analyze/dependence/dependence.js';
import {
  type EntropyWindow,
  EntropyWindowAccumulator,
  type TelemetryMetricSeries,
  telemetryRelation,
  type WindowSpec,
} from '../analyze/entropy-over-time.js';
import {
  type Analysis,
  type AnalysisInput,
  type AnalysisOptions,
  analysisSummary,
  defaultWindow,
  defaultWindowFor,
  dependenceSamplesFor,
  type EntropyOverTime,
  entropySamplesFor,
  type SourceAnalysis,
  type SourceAnalyzerSetup,
  type SourceData,
} from '../analyze/source-analysis.js';
import { listParts } from '../collect/session/files.js';
import type { SessionManifest } from '../collect/session/manifest.js';
import { countSourceSamples, openSession, streamSourceSamples } from '../collect/session/reader.js';
import type { TelemetryColumns } from '../contracts/telemetry.js';
import { errorMessage, OeError } from '../errors.js';
import { int64ToFloat64 } from '../util/int64.js';
import { settleLimited } from '../util/limit.js';
import { createWorkerPool } from '../util/workers.js';
import type { ChunkMessage, PairsTask, SourceOutcome, SourceTask, WorkerAnalysisOptions } from './analysis-worker.js';
import { type StreamedTelemetry, streamedTelemetry, streamedTelemetryRelations } from './session-telemetry.js';
import { type BatchTime, BatchTimesCursor, readBatchTimesSummary, sampleTime } from './session-times.js';

export { conditionForAssessment } from './conditioned-input.js';

/** One chunk of a source: its bytes, and its measurements and times when the analysis uses them. */
export interface SourceChunk {
  bytes: Uint8Array;
  values: BigInt64Array | null;
  times: Float64Array | null;
}

/** A source to analyse: what its analyzer must know before the first chunk, and its chunks in order. */
export interface SourceFeed {
  name: string;
  unit: string | null;
  /** The stream's length (exact: it fixes the stationarity windows, lags and Welch segments). */
  samples: number;
  values: boolean;
  /** Entropy-over-time windows; time windows need times in every chunk. */
  window: WindowSpec;
  timeOrigin: number;
  chunks(): AsyncIterable<SourceChunk>;
}

/** Chunks a reader may send ahead of the worker's acknowledgements (memory: ~1 MB each). */
const CHUNKS_IN_FLIGHT = 2;
/** Rows per chunk read from DuckDB. */
const CHUNK_ROWS = 65_536;

/** Telemetry in memory (live), streamed from a session, unavailable (with the reason), or not asked for. */
type TelemetryInput = TelemetryMetricSeries[] | StreamedTelemetry | { available: false; reason: string } | null;

/** The session's telemetry rows as columns (readTelemetry's chunk). */
export function telemetryColumns(chunk: { rowCount: number; columns: Record<string, unknown> }): {
  rowCount: number;
  columns: TelemetryColumns;
} {
  return { rowCount: chunk.rowCount, columns: chunk.columns as unknown as TelemetryColumns };
}

/** A typed array's own buffer, transferable without detaching memory shared with other views. */
function own<T extends Uint8Array | BigInt64Array | Float64Array>(a: T): T {
  return a.byteOffset === 0 && a.byteLength === a.buffer.byteLength && a.buffer instanceof ArrayBuffer
    ? a
    : (a.slice() as T);
}

/** Feeds one source's chunks to a worker task and returns its outcome; a reader error aborts the task. */
async function runFeed(pool: Piscina, feed: SourceFeed, options: AnalysisOptions): Promise<SourceOutcome> {
  const { port1, port2 } = new MessageChannel();
  const setup: SourceAnalyzerSetup = {
    name: feed.name,
    unit: feed.unit,
    expectedSamples: feed.samples,
    values: feed.values,
    maxLag: options.maxLag,
    window: feed.window,
    timeOrigin: feed.timeOrigin,
    keepSamples: entropySamplesFor(options),
    keepValues: (options.entropy ?? 'window') === 'full',
    dependenceSamples: dependenceSamplesFor(options),
  };
  const workerOptions: WorkerAnalysisOptions = {
    entropy: options.entropy,
    entropySamples: options.entropySamples,
    conditioning: options.conditioning,
    maxLag: options.maxLag,
  };
  const task: SourceTask = { kind: 'source', port: port2, setup, options: workerOptions };
  const done = pool.run(task, { transferList: [port2] }) as Promise<SourceOutcome>;
  let inFlight = 0;
  let wake: (() => void) | null = null;
  port1.on('message', () => {
    inFlight--;
    wake?.();
  });
  const send = (m: ChunkMessage, transfer: ArrayBuffer[] = []) => port1.postMessage(m, transfer);
  try {
    for await (const c of feed.chunks()) {
      while (inFlight >= CHUNKS_IN_FLIGHT) await new Promise<void>((r) => (wake = r));
      wake = null;
      const bytes = own(c.bytes);
      const values = c.values ? own(c.values) : null;
      const times = c.times ? own(c.times) : null;
      const transfer = [bytes.buffer, values?.buffer, times?.buffer].filter((b): b is ArrayBuffer => b !== undefined);
      inFlight++;
      send({ type: 'chunk', bytes, values, times }, transfer);
    }
    send({ type: 'end' });
  } catch (e) {
    send({ type: 'abort', reason: errorMessage(e) });
  } finally {
    port1.unref();
  }
  try {
    return await done;
  } finally {
    port1.close();
  }
}

/** The dependence between the sources' kept heads, its pairs shared among the pool's threads. */
async function dependenceOnPool(
  pool: Piscina,
  inputs: { name: string; bytes: Uint8Array }[],
  options: DependenceOptions,
  threads: number,
): Promise<Analysis['standard']['dependence']> {
  const parts = Math.max(1, threads);
  const shares = await Promise.all(
    Array.from({ length: parts }, (_, part) => {
      const task: PairsTask = { kind: 'pairs', sources: inputs, options, part, parts };
      return pool.run(task) as Promise<{
        pairs: PairDependence[];
        skipped: { a: string; b: string; reason: string }[];
      }>;
    }),
  );
  return dependenceOfPairs(
    inputs.map((s) => s.name),
    shares.flatMap((s) => s.pairs),
    shares[0].skipped,
    options,
  );
}

/** Each source's telemetry relation (see TelemetryInput); a streamed series that fails makes them all unavailable. */
async function telemetryRelations(
  eot: EntropyOverTime[],
  telemetry: TelemetryInput,
  options: AnalysisOptions,
): Promise<EntropyOverTime['telemetry'][] | null> {
  if (!telemetry) return null;
  if (Array.isArray(telemetry)) return eot.map((e) => telemetryRelation(e.windows, telemetry));
  if (!('kind' in telemetry)) return eot.map(() => telemetry);
  options.onProgress?.(`telemetry: ${telemetry.series.length} series against ${eot.length} sources' windows`);
  try {
    return await streamedTelemetryRelations(
      telemetry,
      eot.map((e) => e.windows),
    );
  } catch (e) {
    const reason = `telemetry unreadable: ${errorMessage(e)}`;
    return eot.map(() => ({ available: false as const, reason }));
  }
}

/** The dependence step over the sources' kept heads (null when not asked for). */
async function dependenceStep(
  pool: Piscina,
  depInputs: { name: string; bytes: Uint8Array }[],
  options: AnalysisOptions,
  threads: number,
): Promise<Analysis['standard']['dependence']> {
  if (options.dependence === false) return null;
  if (depInputs.length < 2)
    return { available: false, reason: `needs at least 2 sources with samples, got ${depInputs.length}` };
  options.onProgress?.(`dependence between ${depInputs.length} sources`);
  options.onStep?.({ phase: 'dependence', sources: depInputs.length });
  const depOpts = { ...(typeof options.dependence === 'object' ? options.dependence : {}) };
  depOpts.maxSamples = dependenceSamplesFor(options);
  return dependenceOnPool(pool, depInputs, depOpts, threads);
}

/**
 * Analyses sources fed as chunk streams, on worker threads (at most one per core, the longest sources
 * first); a source whose stream fails is reported unavailable with the reason, the others go on.
 * Results come in the feeds' order.
 */
export async function analyzeFeeds(
  feeds: readonly SourceFeed[],
  input: AnalysisInput,
  options: AnalysisOptions = {},
  telemetry: TelemetryInput = null,
  failed: readonly SourceAnalysis[] = [],
): Promise<Analysis> {
  const threads = Math.max(1, Math.min(options.threads ?? availableParallelism(), Math.max(1, feeds.length)));
  const pool = createWorkerPool(import.meta.url, 'analysis-worker', { minThreads: 1, maxThreads: threads });
  try {
    const order = feeds.map((_, i) => i).sort((a, b) => feeds[b].samples - feeds[a].samples || a - b);
    let finished = 0;
    const settled = await settleLimited(order, threads, async (i) => {
      options.onProgress?.(`${feeds[i].name}: ${feeds[i].samples} samples`);
      try {
        return await runFeed(pool, feeds[i], options);
      } finally {
        finished++; // not inside the optional calls: their arguments are skipped when the callback is absent
        options.onProgress?.(`analysed ${finished}/${feeds.length} sources (${feeds[i].name})`);
        options.onStep?.({ phase: 'source', source: feeds[i].name, index: finished, total: feeds.length });
      }
    });
    const outcomes: (SourceOutcome | { error: string })[] = new Array(feeds.length);
    order.forEach((i, k) => {
      const s = settled[k];
      outcomes[i] = s.status === 'fulfilled' ? s.value : { error: errorMessage(s.reason) };
    });
    const sources: SourceAnalysis[] = [];
    const eot: EntropyOverTime[] = [];
    const depInputs: { name: string; bytes: Uint8Array }[] = [];
    feeds.forEach((feed, i) => {
      const o = outcomes[i];
      if ('error' in o) {
        sources.push({ name: feed.name, unit: feed.unit, samples: 0, unavailable: o.error });
        return;
      }
      sources.push(o.analysis);
      if (o.analysis.samples === 0 || !o.windows || !o.window) return;
      depInputs.push({ name: feed.name, bytes: o.dependenceBytes });
      eot.push({ source: feed.name, window: o.window, windows: o.windows, telemetry: null });
    });
    sources.push(...failed);
    // The telemetry join runs on this thread while the dependence pairs run on the pool's.
    const [relations, dep] = await Promise.all([
      options.telemetry !== false ? telemetryRelations(eot, telemetry, options) : null,
      dependenceStep(pool, depInputs, options, threads),
    ]);
    if (relations)
      eot.forEach((e, k) => {
        e.telemetry = relations[k];
      });
    return {
      input,
      standard: { sources, summary: analysisSummary(sources), dependence: dep },
      experimental: { entropy_over_time: eot },
    };
  } finally {
    await pool.destroy();
  }
}

/** One recorded source as a feed: value, byte and (when complete) interpolated times, streamed from its parts. */
async function sessionFeed(
  dir: string,
  name: string,
  manifest: SessionManifest,
  options: AnalysisOptions,
): Promise<SourceFeed> {
  const samples = await countSourceSamples(dir, name, manifest);
  const unit = manifest.sources.find((x) => x.name === name)?.unit ?? null;
  const bt = await readBatchTimesSummary(dir, name);
  // Times need every sample's batch row (Σ n covers the samples): a session cut short (kill -9) can have
  // samples whose batch row never landed, and its windows are then by count.
  const timed = bt !== null && bt.rows > 0 && bt.covered >= samples;
  let window = options.window ?? defaultWindowFor(samples, timed ? bt.span : null);
  if (window.by === 'time' && !timed) window = defaultWindowFor(samples, null);
  const withTimes = window.by === 'time';
  return {
    name,
    unit,
    samples,
    values: true,
    window,
    timeOrigin: timed ? bt.origin : 0,
    async *chunks() {
      const columns = withTimes ? (['value', 'byte', 'seq', 'batch'] as const) : (['value', 'byte'] as const);
      const cursor = withTimes && bt ? new BatchTimesCursor(dir, name, bt.originNs) : null;
      let prevBatch = Number.NaN;
      let b: BatchTime | undefined;
      let lastTime = 0;
      let batch = new Float64Array(0);
      try {
        for await (const c of streamSourceSamples(dir, name, { columns, manifest, chunkRows: CHUNK_ROWS })) {
          let times: Float64Array | null = null;
          if (cursor) {
            // seq and batch as doubles (exact below 2^53), then each seq replaced by its sample's time.
            times = int64ToFloat64(c.columns.seq as BigInt64Array);
            if (batch.length < c.rowCount) batch = new Float64Array(c.rowCount);
            int64ToFloat64(c.columns.batch as BigInt64Array, batch);
            let lo = Number.POSITIVE_INFINITY;
            let hi = Number.NEGATIVE_INFINITY;
            for (let i = 0; i < c.rowCount; i++) {
              if (batch[i] < lo) lo = batch[i];
              if (batch[i] > hi) hi = batch[i];
            }
            if (c.rowCount > 0) await cursor.cover(lo, hi);
            prevBatch = Number.NaN;
            for (let i = 0; i < c.rowCount; i++) {
              if (batch[i] !== prevBatch) {
                prevBatch = batch[i];
                b = cursor.get(prevBatch);
              }
              // A sample without its batch row keeps the previous time (it stays in the current window).
              if (b) lastTime = sampleTime(b, times[i] - b.seqStart);
              times[i] = lastTime;
            }
          }
          yield {
            bytes: c.columns.byte as Uint8Array,
            values: c.columns.value as BigInt64Array,
            times,
          };
        }
      } finally {
        await cursor?.close();
      }
    },
  };
}

/** A source held in memory (sampled live) as a feed, in chunks of CHUNK_ROWS (copies: they are transferred). */
export function memoryFeed(d: SourceData, options: AnalysisOptions): SourceFeed {
  let window = options.window ?? defaultWindow([d]);
  if (window.by === 'time' && !d.times) window = defaultWindow([{ ...d, times: null }]);
  const n = d.bytes.length;
  return {
    name: d.name,
    unit: d.unit,
    samples: n,
    values: d.values !== null,
    window,
    timeOrigin: d.timeOrigin,
    async *chunks() {
      for (let i = 0; i < n; i += CHUNK_ROWS) {
        const j = Math.min(n, i + CHUNK_ROWS);
        yield {
          bytes: d.bytes.slice(i, j),
          values: d.values ? d.values.slice(i, j) : null,
          times: window.by === 'time' && d.times ? d.times.slice(i, j) : null,
        };
      }
    },
  };
}

/** Session telemetry, streamed (see session-telemetry.ts), or why there is none. */
async function sessionTelemetry(dir: string, manifest: SessionManifest): Promise<TelemetryInput> {
  if (listParts(dir).every((p) => p.table !== 'telemetry'))
    return {
      available: false,
      reason: `session ${manifest.id} has no telemetry parts (recorded with --telemetry-interval 0, or the folder is missing)`,
    };
  try {
    return await streamedTelemetry(dir);
  } catch (e) {
    return { available: false, reason: `telemetry unreadable: ${errorMessage(e)}` };
  }
}

/** Analyses one recorded session (its directory); see the module comment. */
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
  const telemetry = options.telemetry !== false ? await sessionTelemetry(dir, manifest) : null;
  const input: AnalysisInput = {
    kind: 'session',
    id: manifest.id,
    dir,
    status: manifest.status,
    started_at: manifest.started_at,
    duration_ms: manifest.duration_ms,
  };
  const feeds: SourceFeed[] = [];
  const failed: SourceAnalysis[] = [];
  for (const name of names) {
    try {
      feeds.push(await sessionFeed(dir, name, manifest, options));
    } catch (e) {
      failed.push({ name, unit: null, samples: 0, unavailable: errorMessage(e) });
    }
  }
  const a = await analyzeFeeds(feeds, input, options, telemetry, failed);
  a.standard.sources.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  return a;
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
