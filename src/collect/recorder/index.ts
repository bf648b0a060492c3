/**
 * The session recorder: samples every selected source concurrently through the shared SamplerPool,
 * buffers the raw measurements, and every flush interval writes one Parquet part per source (plus the
 * batch log and the telemetry series) through src/db. See docs/SESSIONS.md for the layout.
 *
 * Crash safety: session.json is written atomically at the start (status `recording`) and at the end;
 * parts are written as `.tmp` and renamed, so a kill -9 loses at most the unflushed interval and
 * `oe sessions --repair` finalizes what is on disk.
 *
 * Fairness: each source runs its own loop with at most one batch in flight, and its batch size adapts
 * so that a batch takes about `batchTargetMs` of sampler time. The pool's FIFO queue then hands out
 * worker time round-robin in equal slices: a fast source cannot starve a slow one, and a source that
 * hits its batch deadline backs off exponentially so a hung sampler costs the others little.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type ColumnInput, fsyncDir, writeParquet } from '../../db/index.js';
import { errorMessage, isOeError, OeError } from '../../errors.js';
import { probeSource } from '../availability.js';
import { selectSources } from '../catalog.js';
import { parseConditioning } from '../conditioning/index.js';
import { EntropyPool } from '../entropy-pool.js';
import { fingerprint } from '../fingerprint.js';
import { SourceHealth } from '../health/source-health.js';
import { sharedSamplerPool } from '../sampler-pool.js';
import {
  BATCHES_DIR,
  CONDITIONED_DIR,
  DEFAULT_SESSIONS_DIR,
  isSafeSourceName,
  newSessionId,
  partName,
  sourceDir,
  TELEMETRY_DIR,
} from '../session/layout.js';
import {
  type FileEntry,
  type RecordConfig,
  type SessionManifest,
  type SessionSource,
  type SourceCounts,
  writeManifest,
} from '../session/manifest.js';
import { TelemetrySeries, telemetrySnapshot } from '../telemetry/index.js';
import type { SampleBatch, SourceSpec } from '../types.js';

/**
 * Default per-source cap, samples per second. 20 000/s gives every source 1.2 M samples in a 60 s
 * session (SP 800-90B §3.1.1 asks for at least 1 M samples for an assessment) while keeping the
 * session small: see README "Recording sessions" for the measured size.
 */
export const DEFAULT_MAX_RATE = 20_000;
/** Bytes per entropy-pool request when --conditioning is on. */
export const CONDITIONED_REQUEST = 4096;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_TELEMETRY_INTERVAL_MS = 1000;
export const DEFAULT_BATCH_TIMEOUT_MS = 5000;
/**
 * Parts written at once per flush. Two (the cores here) cut the wall time of a flush, and so the final
 * flush after the last sample, by about a third (bench/recorder.bench.ts); the CPU it takes is the same.
 */
export const DEFAULT_WRITE_CONCURRENCY = 2;
/** zstd level of the parts (DuckDB's default 3): see bench/recorder.bench.ts for the measurement. */
export const DEFAULT_COMPRESSION_LEVEL = 3;
/** Sampler time one batch should take; equal slices make the shared pool fair between sources. */
export const BATCH_TARGET_MS = 20;
/** First batch of every source: small, so that a slow source learns its size before hitting a deadline. */
export const INITIAL_BATCH = 8;

/** What a sampler must offer the recorder (SamplerPool does; tests may wrap it). */
export interface RecorderSampler {
  sample(source: SourceSpec, n: number, options?: { timeoutMs?: number }): Promise<SampleBatch>;
  /** When the sampler backs a failing source off, the time (ms since the epoch) it may be retried. */
  sourceState?(name: string): { retryAt?: number };
  /** Starts the worker threads up front, so thread start-up does not count against the first deadlines. */
  warmUp?(): Promise<unknown>;
}

export interface RecordOptions {
  /** A `--sources` filter (absent: the fast set) or explicit specs. */
  sources?: string | readonly SourceSpec[];
  /** Seconds to record; null/undefined records until `signal` aborts (or max-samples is reached everywhere). */
  durationSec?: number | null;
  /** Root directory of sessions (default `sessions`). */
  output?: string;
  tags?: Record<string, string>;
  note?: string | null;
  /** Pause between two batches of the same source, ms (default none: continuous). */
  intervalMs?: number | null;
  flushIntervalMs?: number;
  /** 0 turns the telemetry series off. */
  telemetryIntervalMs?: number;
  /**
   * Also record the entropy pool's output in this mode (sha256, vonneumann, raw) into conditioned/: an
   * EntropyPool over the same sources and sampler is asked for CONDITIONED_REQUEST bytes back to back
   * while the session runs. The pool samples the sources itself (its own health-tested harvest), so it
   * shares the workers with the raw recording.
   */
  conditioning?: string | null;
  /** Per-source sample limit. */
  maxSamples?: number | null;
  /** Per-source samples/s cap; null = DEFAULT_MAX_RATE, Infinity (or 0 from the CLI) = uncapped. */
  maxRate?: number | null;
  batchTimeoutMs?: number;
  signal?: AbortSignal;
  /** Sampler (default: the process-wide shared SamplerPool, which the recorder does not close). */
  sampler?: RecorderSampler;
  /** Batches in flight at once (default max(2, CPUs), the pool's thread count). */
  concurrency?: number;
  /** Explicit session id (tests); default `<time>-<label>-<random>`. */
  id?: string;
  /** Skip availability probes (explicit test specs). */
  skipProbe?: boolean;
  /**
   * Sources that must run (an unavailable one is an error). Others that are unavailable here are left
   * out and listed in the manifest's `skipped_sources`. Default: every selected source is required.
   */
  required?: readonly string[];
  /**
   * false: sample, buffer and count exactly as when recording, but drop the data at each flush instead of
   * writing Parquet (the baseline of the recorder-overhead benchmark). Default true.
   */
  writeParts?: boolean;
  /** The `--sources` text, stored in the config. */
  sourcesFilter?: string | null;
  /** Parts written at once during a flush (default DEFAULT_WRITE_CONCURRENCY). */
  writeConcurrency?: number;
  /** zstd level of every part (default DEFAULT_COMPRESSION_LEVEL; bench/recorder.bench.ts compares levels). */
  compressionLevel?: number;
}

export type SourceState = 'sampling' | 'backoff' | 'done' | 'stopped';

export interface SourceProgress {
  name: string;
  samples: number;
  batches: number;
  timeouts: number;
  errors: number;
  /** Samples per second over the last progress interval. */
  rate: number;
  state: SourceState;
  lastError: string | null;
}

export interface RecordProgress {
  id: string;
  dir: string;
  elapsedMs: number;
  durationMs: number | null;
  sources: SourceProgress[];
  totalSamples: number;
  bytesOnDisk: number;
  parts: number;
  telemetryRows: number;
  phase: 'recording' | 'stopping' | 'done';
}

export interface RecordResult {
  dir: string;
  manifest: SessionManifest;
}

interface PendingBatch {
  batch: number;
  seqStart: number;
  values: BigInt64Array;
  bytes: Uint8Array;
  requested: number;
  startNs: bigint;
  endNs: bigint;
  status: 'ok' | 'short';
  /** SP 800-90B health of this batch: startup, ok, quarantined, or the test it failed (rct, apt, startup). */
  health: string;
}

interface SourceRun {
  spec: SourceSpec;
  /** The pool's health tests, run on every recorded batch; they annotate, they never drop raw data. */
  health: SourceHealth;
  counts: SourceCounts;
  pending: PendingBatch[];
  nextSeq: number;
  nextBatch: number;
  nextPart: number;
  batchSize: number;
  backoffMs: number;
  state: SourceState;
  unit: string | null;
  lastSamples: number;
  rate: number;
  /** Samples and batches taken from the sampler (counts.* are those written to disk). */
  sampled: number;
  sampledBatches: number;
  /** Worker time this source has used (ms): the scheduler's fair-share key. */
  usedMs: number;
  /** performance.now() before which the source must not be sampled (rate cap, interval, backoff). */
  readyAt: number;
  busy: boolean;
  /** Rate cap: performance.now() at which the samples taken so far are paid for. */
  due: number;
}

/**
 * out[off + i] = start + i × step for i < n, written through the 32-bit halves (little-endian) instead of
 * creating a BigInt per element: ~20× faster for the seq column. Values stay below 2^53.
 */
function fillRange(out: BigInt64Array, off: number, n: number, start: number, step: number): void {
  const w = new Int32Array(out.buffer, out.byteOffset + off * 8, n * 2);
  for (let i = 0; i < n; i++) {
    const v = start + i * step;
    w[2 * i] = v | 0;
    w[2 * i + 1] = Math.floor(v / 4294967296);
  }
}

function concat<T extends BigInt64Array | Uint8Array>(parts: T[], ctor: new (n: number) => T): T {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new ctor(n);
  let off = 0;
  for (const p of parts) {
    out.set(p as never, off);
    off += p.length;
  }
  return out;
}

/** The columns of one sample part (schemas/PARQUET.md): the buffered batches of one source, in order. */
function sampleColumns(pending: readonly PendingBatch[]): ColumnInput[] {
  const values = concat(
    pending.map((p) => p.values),
    BigInt64Array,
  );
  const bytes = concat(
    pending.map((p) => p.bytes),
    Uint8Array,
  );
  const seq = new BigInt64Array(values.length);
  const batch = new BigInt64Array(values.length);
  let off = 0;
  for (const p of pending) {
    fillRange(seq, off, p.values.length, p.seqStart, 1);
    batch.fill(BigInt(p.batch), off, off + p.values.length); // a native fill: no per-element BigInt
    off += p.values.length;
  }
  return [
    { name: 'value', type: 'BIGINT', data: values },
    { name: 'byte', type: 'UTINYINT', data: bytes },
    { name: 'seq', type: 'BIGINT', data: seq },
    { name: 'batch', type: 'BIGINT', data: batch },
  ];
}

function ensureDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new OeError('IO', `cannot create ${path}: ${errorMessage(e)}`);
  }
}

function positiveOr(v: number | null | undefined, dflt: number, name: string): number {
  if (v === undefined || v === null) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw new OeError('USAGE', `${name} must be a positive number, got ${v}`);
  return v;
}

/**
 * Records a session and returns its directory and final manifest. `onProgress` is called about
 * every 250 ms (and once at the end) with per-source totals and rates; the library never prints.
 * Errors: unavailable sources → UNAVAILABLE before anything is written; a write failure (full disk)
 * ends the session, keeps every flushed part, marks the manifest `failed` when it can, and throws
 * OeError('IO') naming the file.
 */
export async function recordSession(
  options: RecordOptions = {},
  onProgress?: (p: RecordProgress) => void,
): Promise<RecordResult> {
  const specs =
    typeof options.sources === 'string' || options.sources === undefined
      ? selectSources(options.sources as string | undefined)
      : [...options.sources];
  if (specs.length === 0) throw new OeError('USAGE', 'no sources selected');
  for (const s of specs) {
    if (!isSafeSourceName(s.name)) throw new OeError('USAGE', `source name "${s.name}" cannot be a directory name`);
  }
  const skipped: { name: string; reason: string }[] = [];
  if (!options.skipProbe) {
    const bad = specs.map((s) => [s, probeSource(s)] as const).filter(([, r]) => r !== null);
    const mustHave = new Set(options.required ?? specs.map((s) => s.name));
    const fatalBad = bad.filter(([s]) => mustHave.has(s.name));
    if (fatalBad.length > 0) {
      throw new OeError('UNAVAILABLE', `unavailable here: ${fatalBad.map(([s, r]) => `${s.name} (${r})`).join('; ')}`);
    }
    for (const [s, r] of bad) {
      skipped.push({ name: s.name, reason: r as string });
      specs.splice(specs.indexOf(s), 1);
    }
    if (specs.length === 0) {
      throw new OeError(
        'UNAVAILABLE',
        `none of the selected sources can run here: ${skipped.map((x) => `${x.name} (${x.reason})`).join('; ')}`,
      );
    }
  }
  const durationSec = options.durationSec ?? null;
  if (durationSec !== null && (!Number.isFinite(durationSec) || durationSec <= 0)) {
    throw new OeError('USAGE', `--duration must be a positive number of seconds, got ${durationSec}`);
  }
  const flushMs = positiveOr(options.flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS, '--flush-interval');
  const telemetryMs = options.telemetryIntervalMs ?? DEFAULT_TELEMETRY_INTERVAL_MS;
  if (!Number.isFinite(telemetryMs) || telemetryMs < 0) {
    throw new OeError('USAGE', `--telemetry-interval must be >= 0, got ${telemetryMs}`);
  }
  const batchTimeoutMs = positiveOr(options.batchTimeoutMs, DEFAULT_BATCH_TIMEOUT_MS, 'batch timeout');
  const maxRate = options.maxRate === undefined || options.maxRate === null ? DEFAULT_MAX_RATE : options.maxRate;
  if (!(maxRate > 0)) throw new OeError('USAGE', `--max-rate must be positive (0 on the CLI means uncapped)`);
  const maxSamples = options.maxSamples ?? null;
  if (maxSamples !== null && (!Number.isInteger(maxSamples) || maxSamples <= 0)) {
    throw new OeError('USAGE', `--max-samples must be a positive integer, got ${maxSamples}`);
  }
  const intervalMs = options.intervalMs ?? null;
  if (intervalMs !== null && (!Number.isFinite(intervalMs) || intervalMs < 0)) {
    throw new OeError('USAGE', `--interval must be >= 0 ms, got ${intervalMs}`);
  }

  const conditioning = options.conditioning ? parseConditioning(options.conditioning) : null;
  const root = options.output ?? DEFAULT_SESSIONS_DIR;
  const started = new Date();
  const id =
    options.id ??
    newSessionId(
      specs.map((s) => s.name),
      started,
      randomBytes(4).toString('hex'),
    );
  const dir = join(root, id);
  try {
    mkdirSync(root, { recursive: true });
    mkdirSync(dir);
  } catch (e) {
    throw new OeError('IO', `cannot create session directory ${dir}: ${errorMessage(e)}`);
  }

  const runs: SourceRun[] = specs.map((spec) => ({
    spec,
    health: new SourceHealth(spec.name, spec.kind, spec.credit),
    counts: { samples: 0, batches: 0, parts: 0, timeouts: 0, errors: 0, last_error: null },
    pending: [],
    nextSeq: 0,
    nextBatch: 0,
    nextPart: 0,
    // Start small: the first batches measure the source's speed, then the size adapts (see sourceLoop).
    batchSize: Math.max(
      1,
      Math.min(spec.batchSize, INITIAL_BATCH, Number.isFinite(maxRate) ? Math.ceil(maxRate / 20) : Infinity),
    ),
    backoffMs: 0,
    state: 'sampling',
    unit: null,
    lastSamples: 0,
    rate: 0,
    sampled: 0,
    sampledBatches: 0,
    usedMs: 0,
    readyAt: 0,
    busy: false,
    due: 0,
  }));

  const config: RecordConfig = {
    duration_s: durationSec,
    sources: specs.map((s) => s.name),
    sources_filter: options.sourcesFilter ?? (typeof options.sources === 'string' ? options.sources : null),
    interval_ms: intervalMs,
    flush_interval_ms: flushMs,
    telemetry_interval_ms: telemetryMs,
    conditioning,
    max_samples: maxSamples,
    max_rate: Number.isFinite(maxRate) ? maxRate : null,
    batch_timeout_ms: batchTimeoutMs,
    tags: { ...(options.tags ?? {}) },
    note: options.note ?? null,
    output: root,
  };
  const files: FileEntry[] = [];
  const series = new TelemetrySeries();
  let telemetryRows = 0;
  let telemetryMetrics = 0;
  let nextBatchesPart = 0;
  let nextTelemetryPart = 0;
  let nextConditionedPart = 0;
  let condBytes = 0;
  let condErrors = 0;
  let condLastError: string | null = null;
  let condPending: Uint8Array[] = [];
  let condSeq = 0;
  const manifest = (): SessionManifest => {
    const counts: Record<string, SourceCounts> = {};
    for (const r of runs) counts[r.spec.name] = { ...r.counts };
    return {
      format: 'oe-session',
      version: 1,
      id,
      status: 'recording',
      started_at: started.toISOString(),
      ended_at: null,
      duration_ms: null,
      end_reason: null,
      error: null,
      repaired_at: null,
      pid: process.pid,
      sources: runs.map(
        (r): SessionSource => ({
          name: r.spec.name,
          category: r.spec.category,
          kind: r.spec.kind,
          sampler: r.spec.sampler,
          params: { ...(r.spec.params ?? {}) },
          unit: r.unit,
          extraction: r.spec.extract.name || 'custom',
          credit: r.spec.credit,
        }),
      ),
      config,
      tags: config.tags,
      note: config.note,
      fingerprint: fp,
      counts,
      total_samples: runs.reduce((a, r) => a + r.counts.samples, 0),
      telemetry:
        telemetryMs > 0
          ? { interval_ms: telemetryMs, snapshots: series.snapshots, rows: telemetryRows, metrics: telemetryMetrics }
          : null,
      conditioned: conditioning
        ? { mode: conditioning, bytes: condBytes, errors: condErrors, last_error: condLastError }
        : null,
      files: [...files],
      size_bytes: files.reduce((a, f) => a + f.bytes, 0),
      skipped_sources: skipped,
    };
  };
  const fp = fingerprint();
  try {
    writeManifest(dir, manifest());
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }

  const sampler: RecorderSampler = options.sampler ?? sharedSamplerPool();
  if (sampler.warmUp) {
    try {
      await sampler.warmUp();
    } catch {
      // a worker that fails to start shows up as batch errors below
    }
  }
  const t0 = performance.now();
  const stop = new AbortController();
  let endReason: string | null = null;
  let fatal: OeError | null = null;
  const requestStop = (reason: string) => {
    if (!endReason) endReason = reason;
    stop.abort();
  };
  const onAbort = () => {
    const r = options.signal?.reason;
    requestStop(typeof r === 'string' ? r : r instanceof Error && r.message ? r.message : 'aborted');
  };
  if (options.signal?.aborted) onAbort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  const durationTimer = durationSec !== null ? setTimeout(() => requestStop('duration'), durationSec * 1000) : null;

  // --- the scheduler: fair shares of the worker threads ------------------------------------------
  // At most `slots` batches are in flight (one per worker thread), so no batch waits in a queue and
  // its deadline measures the sampler alone. When a slot frees, the ready source that has used the
  // least worker time so far gets it; a batch is sized to take about BATCH_TARGET_MS. A slow or hung
  // source is charged the time it took (up to its deadline), so it cannot crowd out the others.
  const slots = Math.max(1, options.concurrency ?? Math.max(2, availableParallelism()));
  let inFlight = 0;
  let wake: (() => void) | null = null;
  const poke = () => {
    const w = wake;
    wake = null;
    w?.();
  };
  stop.signal.addEventListener('abort', poke, { once: true });

  const runBatch = async (run: SourceRun): Promise<void> => {
    let n = run.batchSize;
    if (maxSamples !== null) n = Math.min(n, maxSamples - run.sampled);
    const t = performance.now();
    let batch: SampleBatch;
    try {
      batch = await sampler.sample(run.spec, n, { timeoutMs: batchTimeoutMs });
    } catch (e) {
      run.usedMs += performance.now() - t;
      const err = isOeError(e) ? e : new OeError('FAILED', errorMessage(e));
      run.counts.last_error = err.message;
      if (err.code === 'TIMEOUT' && /no free worker/.test(err.message)) {
        // The batch never reached a worker (a thread was still starting): not the source's fault.
        run.usedMs -= performance.now() - t;
        run.readyAt = performance.now() + 50;
        return;
      }
      if (err.code === 'TIMEOUT') {
        // A slow or hung sampler (the pool discards a batch that missed its deadline): smaller batches.
        run.counts.timeouts++;
        run.batchSize = Math.max(1, Math.floor(n / 4));
      } else if (err.code !== 'UNAVAILABLE') {
        run.counts.errors++;
      }
      // Wait for the pool's retry time when it backs the source off, else an own exponential backoff.
      const retryAt = sampler.sourceState?.(run.spec.name).retryAt;
      run.backoffMs = Math.min(30_000, Math.max(100, run.backoffMs * 2));
      const wait = retryAt !== undefined && retryAt > Date.now() ? retryAt - Date.now() : run.backoffMs;
      run.readyAt = performance.now() + wait;
      run.state = 'backoff';
      return;
    }
    const took = performance.now() - t;
    // A source's first batches pay one-time set-up in each worker (buffers, threads): charge them as one
    // target slice, so set-up does not cost the source its share for the rest of the session.
    run.usedMs += run.sampledBatches < slots ? Math.min(took, BATCH_TARGET_MS) : took;
    run.backoffMs = 0;
    run.state = 'sampling';
    const filled = batch.values.length;
    run.unit ??= batch.unit;
    if (filled > 0) {
      const values = batch.values;
      const bytes = run.spec.extract(values);
      run.pending.push({
        batch: run.nextBatch++,
        seqStart: run.nextSeq,
        values,
        bytes,
        requested: n,
        startNs: batch.startNs,
        endNs: batch.endNs,
        status: filled < n ? 'short' : 'ok',
        health: batchHealth(run.health, bytes),
      });
      run.nextSeq += filled;
      run.sampled += filled;
      run.sampledBatches++;
    }
    // Adapt the batch to ~BATCH_TARGET_MS of work: grow at most 4× per batch, within the catalog size × 4.
    const perSample = took / Math.max(1, filled);
    let next = Math.round(BATCH_TARGET_MS / Math.max(perSample, 1e-6));
    next = Math.min(next, run.spec.batchSize * 4, Math.max(1, run.batchSize * 4));
    if (Number.isFinite(maxRate)) next = Math.min(next, Math.max(1, Math.ceil(maxRate / 20)));
    run.batchSize = Math.max(1, next);
    // Pacing: the rate cap and --interval decide when this source may run again.
    const now = performance.now();
    let readyAt = now;
    if (Number.isFinite(maxRate)) {
      // Token bucket: at most 250 ms of catch-up after the source was held back, then maxRate on average.
      run.due = Math.max(run.due, now - 250) + (filled / maxRate) * 1000;
      readyAt = Math.max(readyAt, run.due);
    }
    if (intervalMs) readyAt = Math.max(readyAt, performance.now() + intervalMs);
    run.readyAt = readyAt;
    if (maxSamples !== null && run.sampled >= maxSamples) run.state = 'done';
  };

  const scheduler = async (): Promise<void> => {
    const running = new Set<Promise<void>>();
    for (;;) {
      const active = runs.filter((r) => r.state !== 'done');
      if (stop.signal.aborted || active.length === 0) break;
      while (inFlight < slots) {
        const now = performance.now();
        let best: SourceRun | null = null;
        for (const r of active) {
          if (r.busy || r.readyAt > now) continue;
          if (!best || r.usedMs < best.usedMs) best = r;
        }
        if (!best) break;
        const run = best;
        run.busy = true;
        inFlight++;
        const p = runBatch(run).finally(() => {
          run.busy = false;
          inFlight--;
          running.delete(p);
          poke();
        });
        running.add(p);
      }
      // Sleep until a batch finishes, the next source becomes ready, or the recording stops.
      const idle = runs.filter((r) => r.state !== 'done' && !r.busy).map((r) => r.readyAt);
      const nextReady = idle.length > 0 ? Math.min(...idle) - performance.now() : Number.POSITIVE_INFINITY;
      await new Promise<void>((resolve) => {
        wake = resolve;
        if (Number.isFinite(nextReady) && inFlight < slots) setTimeout(poke, Math.max(1, nextReady));
      });
    }
    await Promise.all(running);
    for (const r of runs) if (r.state !== 'done') r.state = 'stopped';
    if (!endReason && runs.every((r) => r.state === 'done')) endReason = 'max-samples';
  };

  // --- flushing ------------------------------------------------------------------------------
  const writeConcurrency = Math.max(1, Math.trunc(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY));
  const compressionLevel = options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL;
  /** One part to write: its columns are built just before the write, so only the parts in flight hold copies. */
  interface PartJob {
    rel: string;
    build: () => ColumnInput[];
    /** Bookkeeping once the part is on disk (counts, rows). */
    written?: () => void;
  }
  /**
   * Writes the parts `writeConcurrency` at a time (COPY on DuckDB's threads, fsync on libuv's, so a flush
   * takes less wall time than one part after the other) and lists them in `files` in job order. After a
   * failure no further part is started; the parts that did land are kept and counted, then the first
   * error is thrown.
   */
  const writeParts = async (jobs: readonly PartJob[]): Promise<FileEntry[]> => {
    const entries: (FileEntry | undefined)[] = new Array(jobs.length);
    let error: unknown = null;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length && error === null) {
        const i = next++;
        const job = jobs[i];
        try {
          const part = await writeParquet(join(dir, job.rel), job.build(), { fsyncDir: false, compressionLevel });
          entries[i] = { path: job.rel, rows: part.rows, bytes: part.bytes, sha256: part.sha256 };
        } catch (e) {
          error ??= e;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(writeConcurrency, jobs.length) }, lane));
    const done: FileEntry[] = [];
    jobs.forEach((job, i) => {
      const entry = entries[i];
      if (!entry) return;
      job.written?.();
      done.push(entry);
    });
    if (error !== null) {
      files.push(...done);
      throw error;
    }
    return done;
  };

  const flush = async (): Promise<void> => {
    if (options.writeParts === false) {
      for (const run of runs) {
        for (const p of run.pending) {
          run.counts.samples += p.values.length;
          run.counts.batches++;
        }
        run.pending = [];
      }
      condPending = [];
      series.drain();
      return;
    }
    const touchedDirs = new Set<string>();
    const batchRows: { run: SourceRun; b: PendingBatch }[] = [];
    const sampleJobs: PartJob[] = [];
    for (const run of runs) {
      if (run.pending.length === 0) continue;
      const pending = run.pending;
      run.pending = [];
      touchedDirs.add(join(dir, sourceDir(run.spec.name)));
      ensureDir(join(dir, sourceDir(run.spec.name)));
      sampleJobs.push({
        rel: `${sourceDir(run.spec.name)}/${partName(run.nextPart)}`,
        build: () => sampleColumns(pending),
        written: () => {
          run.nextPart++;
          run.counts.parts++;
          // Counted once on disk: the manifest's counts are what a reader finds.
          for (const p of pending) {
            run.counts.samples += p.values.length;
            batchRows.push({ run, b: p });
          }
          run.counts.batches += pending.length;
        },
      });
    }
    const otherJobs: PartJob[] = [];
    if (condPending.length > 0) {
      const chunks = condPending;
      condPending = [];
      const start = condSeq;
      const bytes = concat(chunks, Uint8Array);
      condSeq += bytes.length;
      touchedDirs.add(join(dir, CONDITIONED_DIR));
      ensureDir(join(dir, CONDITIONED_DIR));
      otherJobs.push({
        rel: `${CONDITIONED_DIR}/${partName(nextConditionedPart++)}`,
        build: () => {
          const seq = new BigInt64Array(bytes.length);
          fillRange(seq, 0, bytes.length, start, 1);
          return [
            { name: 'seq', type: 'BIGINT', data: seq },
            { name: 'byte', type: 'UTINYINT', data: bytes },
          ];
        },
      });
    }
    if (series.pending > 0) {
      const rows = series.drain();
      touchedDirs.add(join(dir, TELEMETRY_DIR));
      ensureDir(join(dir, TELEMETRY_DIR));
      otherJobs.push({
        rel: `${TELEMETRY_DIR}/${partName(nextTelemetryPart++)}`,
        build: () => [
          { name: 't', type: 'TIMESTAMP', data: rows.t },
          { name: 'domain', type: 'VARCHAR', data: rows.domain },
          { name: 'name', type: 'VARCHAR', data: rows.name },
          { name: 'unit', type: 'VARCHAR', data: rows.unit },
          { name: 'source', type: 'VARCHAR', data: rows.source },
          { name: 'kind', type: 'VARCHAR', data: rows.kind },
          { name: 'value', type: 'DOUBLE', data: rows.value },
          { name: 'rate', type: 'DOUBLE', data: rows.rate, nullIfNaN: true },
        ],
        written: () => {
          telemetryRows += rows.value.length;
        },
      });
    }
    // The sample parts, conditioned and telemetry parts at once; the batch log after them, listing exactly
    // the batches whose samples are on disk.
    const first = await writeParts([...sampleJobs, ...otherJobs]);
    const sampleEntries = first.slice(0, first.length - otherJobs.length);
    const otherEntries = first.slice(first.length - otherJobs.length);
    let batchEntries: FileEntry[] = [];
    if (batchRows.length > 0) {
      const n = batchRows.length;
      const col = {
        source: new Array<string>(n),
        batch: new BigInt64Array(n),
        seq_start: new BigInt64Array(n),
        n: new Int32Array(n),
        requested: new Int32Array(n),
        start_ns: new BigInt64Array(n),
        end_ns: new BigInt64Array(n),
        status: new Array<string>(n),
        health: new Array<string>(n),
      };
      batchRows.forEach(({ run, b }, i) => {
        col.source[i] = run.spec.name;
        col.batch[i] = BigInt(b.batch);
        col.seq_start[i] = BigInt(b.seqStart);
        col.n[i] = b.values.length;
        col.requested[i] = b.requested;
        col.start_ns[i] = b.startNs;
        col.end_ns[i] = b.endNs;
        col.status[i] = b.status;
        col.health[i] = b.health;
      });
      touchedDirs.add(join(dir, BATCHES_DIR));
      ensureDir(join(dir, BATCHES_DIR));
      try {
        batchEntries = await writeParts([
          {
            rel: `${BATCHES_DIR}/${partName(nextBatchesPart++)}`,
            build: () => [
              { name: 'source', type: 'VARCHAR', data: col.source },
              { name: 'batch', type: 'BIGINT', data: col.batch },
              { name: 'seq_start', type: 'BIGINT', data: col.seq_start },
              { name: 'n', type: 'INTEGER', data: col.n },
              { name: 'requested', type: 'INTEGER', data: col.requested },
              { name: 'start_ns', type: 'BIGINT', data: col.start_ns },
              { name: 'end_ns', type: 'BIGINT', data: col.end_ns },
              { name: 'status', type: 'VARCHAR', data: col.status },
              { name: 'health', type: 'VARCHAR', data: col.health },
            ],
          },
        ]);
      } catch (e) {
        files.push(...first);
        throw e;
      }
    }
    // Manifest order as before: sample parts, batches, conditioned, telemetry.
    files.push(...sampleEntries, ...batchEntries, ...otherEntries);
    // One directory fsync per touched directory per flush (not per part): the renames are durable.
    await Promise.all([...touchedDirs].map((d) => fsyncDir(d)));
  };

  // --- telemetry, flush and progress timers ---------------------------------------------------
  const takeTelemetry = () => {
    try {
      const s = telemetrySnapshot();
      telemetryMetrics = Math.max(telemetryMetrics, s.metrics.length);
      series.add(s);
    } catch {
      // telemetry is best effort: a failed read never ends a recording
    }
  };
  if (telemetryMs > 0) takeTelemetry();
  const telemetryTimer = telemetryMs > 0 ? setInterval(takeTelemetry, telemetryMs) : null;

  let flushing: Promise<void> = Promise.resolve();
  const scheduleFlush = () => {
    flushing = flushing
      .then(async () => {
        if (fatal) return;
        try {
          await flush();
        } catch (e) {
          fatal = isOeError(e) ? e : new OeError('IO', errorMessage(e));
          requestStop('error');
        }
      })
      .catch(() => undefined);
    return flushing;
  };
  const flushTimer = setInterval(scheduleFlush, flushMs);

  const progress = (phase: RecordProgress['phase']): RecordProgress => {
    const elapsedMs = performance.now() - t0;
    return {
      id,
      dir,
      elapsedMs,
      durationMs: durationSec === null ? null : durationSec * 1000,
      sources: runs.map((r) => ({
        name: r.spec.name,
        samples: r.sampled,
        batches: r.sampledBatches,
        timeouts: r.counts.timeouts,
        errors: r.counts.errors,
        rate: r.rate,
        state: r.state,
        lastError: r.counts.last_error,
      })),
      totalSamples: runs.reduce((a, r) => a + r.sampled, 0),
      bytesOnDisk: files.reduce((a, f) => a + f.bytes, 0),
      parts: files.length,
      telemetryRows: telemetryRows + series.pending,
      phase,
    };
  };
  const PROGRESS_MS = 250;
  let lastTick = performance.now();
  const progressTimer = setInterval(() => {
    const now = performance.now();
    const dt = (now - lastTick) / 1000;
    lastTick = now;
    for (const r of runs) {
      const inst = (r.sampled - r.lastSamples) / dt;
      r.rate = r.rate === 0 ? inst : 0.7 * r.rate + 0.3 * inst;
      r.lastSamples = r.sampled;
    }
    onProgress?.(progress(stop.signal.aborted ? 'stopping' : 'recording'));
  }, PROGRESS_MS);

  // --- run until every loop ends (duration, signal, max-samples, fatal error) --------------------
  const entropyPool = conditioning
    ? new EntropyPool({
        sources: specs,
        sampler: sampler as never,
        batchTimeoutMs,
        requestTimeoutMs: 2000,
        probe: () => null,
      })
    : null;
  const conditionedLoop = async (): Promise<void> => {
    if (!entropyPool || !conditioning) return;
    while (!stop.signal.aborted) {
      try {
        const b = await entropyPool.getBytes(CONDITIONED_REQUEST, conditioning);
        condPending.push(b);
        condBytes += b.length;
      } catch (e) {
        // Fail closed is the pool's job: no unbacked byte is recorded; note the error and retry.
        condErrors++;
        condLastError = errorMessage(e);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  await Promise.all([scheduler(), conditionedLoop()]);
  await entropyPool?.close();
  if (!endReason) endReason = maxSamples !== null ? 'max-samples' : 'stopped';
  stop.abort();
  if (durationTimer) clearTimeout(durationTimer);
  if (telemetryTimer) clearInterval(telemetryTimer);
  clearInterval(flushTimer);
  clearInterval(progressTimer);
  options.signal?.removeEventListener('abort', onAbort);
  if (telemetryMs > 0 && !fatal) takeTelemetry();
  await scheduleFlush();

  const ended = new Date();
  const final = manifest();
  final.status = fatal ? 'failed' : 'complete';
  final.ended_at = ended.toISOString();
  final.duration_ms = Math.round(performance.now() - t0);
  final.end_reason = endReason;
  final.error = fatal ? (fatal as OeError).message : null;
  try {
    writeManifest(dir, final);
  } catch (e) {
    // A full disk may refuse the final manifest too; the parts are intact and --repair can finish it.
    if (!fatal) fatal = isOeError(e) ? e : new OeError('IO', errorMessage(e));
  }
  onProgress?.({ ...progress('done'), bytesOnDisk: dirBytes(dir, files) });
  if (fatal) {
    const f = fatal as OeError;
    throw new OeError(
      f.code,
      `${f.message}; session ${id} ended early, ${final.total_samples} samples flushed intact in ${dir}`,
      { cause: f },
    );
  }
  return { dir, manifest: final };
}

function dirBytes(dir: string, files: FileEntry[]): number {
  let n = files.reduce((a, f) => a + f.bytes, 0);
  try {
    n += statSync(join(dir, 'session.json')).size;
  } catch {
    // manifest missing: counted as 0
  }
  return n;
}

/**
 * Runs a batch through the source's SP 800-90B health tests (the entropy pool's, §4.3–4.4) and names
 * the outcome. A quarantined source re-enters start-up testing once its backoff has passed.
 */
function batchHealth(health: SourceHealth, bytes: Uint8Array): string {
  health.canSample();
  const before = health.status;
  const r = health.feed(bytes);
  if (!r.ok) return r.failure.test;
  if (before === 'quarantined' || before === 'unavailable') return 'quarantined';
  return health.status === 'startup' ? 'startup' : 'ok';
}
