/**
 * The session recorder: samples every selected source concurrently through the shared SamplerPool,
 * buffers the raw measurements, and every flush interval writes one Parquet part per source (plus the
 * batch log and the telemetry series) through src/db. See docs/SESSIONS.md for the layout.
 *
 * This file wires the steps, each in its own file:
 *   options.ts         options, defaults, checks and availability probes → a RecordPlan
 *   session-folder.ts  the session directory and its manifest
 *   scheduler.ts       the fair-share scheduler (worker time, batch sizes, rate cap, backoff, health)
 *   part-writer.ts     the Parquet part writer (one flush: parts, batch log, file list, counts)
 *   sink.ts            where parts are written and merged: in this process or (default) in the writer
 *                      process (writer-process.ts, writer-child.ts) at a lower scheduling priority
 *   merger.ts          merges flush parts into larger files (about one a minute, up to 10 M rows)
 *   timers.ts          telemetry, flush and progress timers
 *   conditioned.ts     the conditioned-output loop (--conditioning)
 *   size.ts            the size estimate over the first seconds, the stop of a session that cannot fit, --max-size
 *   stop.ts            when and why the recording ends
 *   finish.ts          the last flush and the final manifest
 *   events.ts          per-batch and per-flush events for counters and metrics
 *
 * Crash safety: session.json is written atomically at the start (status `recording`) and at the end;
 * parts are written as `.tmp` and renamed, so a kill -9 loses at most the unflushed interval; merges
 * write the merged file before deleting the parts it covers, and readers skip covered parts;
 * `oe sessions --repair` finalizes what is on disk.
 */
import { configureDb } from '../../db/index.js';
import { sharedSamplerPool } from '../sampler-pool.js';
import { ConditionedOutput } from './conditioned.js';
import { finishRecording, type RecordResult } from './finish.js';
import { PartMerger } from './merger.js';
import { KEEP_FREED_MEMORY_PASSES, planRecording, type RecordOptions, type RecordPlan } from './options.js';
import { PartWriter } from './part-writer.js';
import { Backlog, FairShareScheduler, newSourceRun, type SourceRun } from './scheduler.js';
import { type ManifestParts, SessionFolder } from './session-folder.js';
import { LocalSink, type PartSink } from './sink.js';
import { SizeCheck, SizeGuard } from './size.js';
import { RecordingStop } from './stop.js';
import { FlushTimer, ProgressTicker, progressReport, type RecordProgress, TelemetryTimer } from './timers.js';
import { sharedWriterProcess } from './writer-process.js';

export type {
  BatchEvent,
  BatchOutcome,
  FilesEvent,
  FlushEvent,
  MergeEvent,
  RecordedTable,
  RecorderEvents,
  WriterEvent,
} from './events.js';
export type { RecordResult } from './finish.js';
export {
  BATCH_TARGET_MS,
  CONDITIONED_REQUEST,
  DEFAULT_BATCH_TIMEOUT_MS,
  DEFAULT_COMPRESSION_LEVEL,
  DEFAULT_FLUSH_INTERVAL_MS,
  DEFAULT_MAX_BUFFERED_BYTES,
  DEFAULT_MAX_RATE,
  DEFAULT_MERGE_INTERVAL_MS,
  DEFAULT_MERGE_MAX_ROWS,
  DEFAULT_TELEMETRY_INTERVAL_MS,
  DEFAULT_WRITE_CONCURRENCY,
  INITIAL_BATCH,
  type RecordOptions,
  WRITER_NICE_DELTA,
} from './options.js';
export type { RecordingSourceState } from './scheduler.js';
export { DEFAULT_CALIBRATION_SEC, freeBytesAt, MIN_FREE_BYTES, type SizeEstimate } from './size.js';
export type { RecordProgress, SourceProgress } from './timers.js';
export { closeWriterProcesses } from './writer-process.js';

/**
 * Records a session and returns its directory and final manifest. `onProgress` is called about
 * every 250 ms (and once at the end) with per-source totals and rates; the library never prints.
 * Errors: unavailable sources → UNAVAILABLE before anything is written; a write failure (full disk)
 * ends the session, keeps every flushed part, marks the manifest `failed` when it can, and throws
 * OeError('IO') naming the file; a session the size check finds too big for the disk stops after its
 * first seconds (options.sizeCheck), marked `failed` with end reason `space-check`, OeError('IO').
 */
export async function recordSession(
  options: RecordOptions = {},
  onProgress?: (p: RecordProgress) => void,
): Promise<RecordResult> {
  const plan = planRecording(options);
  // A recording's DuckDB work comes in bursts (a merge pass a minute): keep its memory between them.
  if (plan.mergeIntervalMs > 0) configureDb({ keepFreedMemoryMs: KEEP_FREED_MEMORY_PASSES * plan.mergeIntervalMs });
  const folder = new SessionFolder(plan, options.id);
  const runs = plan.specs.map((spec) => newSourceRun(spec, plan.maxRate));
  const backlog = new Backlog(plan.maxBufferedBytes);
  // Asked for first: a new writer process loads while the sampler warms up.
  let sink: PartSink | null = null;
  if (plan.writeParts && plan.writerProcess) {
    const child = sharedWriterProcess(plan.writerNice);
    if (child.pid !== undefined) options.events?.writer?.({ pid: child.pid });
    sink = child;
  } else if (plan.writeParts) sink = new LocalSink(plan.writerNice);
  const writer = new PartWriter(folder.dir, plan, sink, backlog, options.events);
  return record(plan, folder, runs, writer, backlog, options, onProgress);
}

async function record(
  plan: RecordPlan,
  folder: SessionFolder,
  runs: SourceRun[],
  writer: PartWriter,
  backlog: Backlog,
  options: RecordOptions,
  onProgress?: (p: RecordProgress) => void,
): Promise<RecordResult> {
  const telemetry = plan.telemetryMs > 0 ? new TelemetryTimer() : null;
  let conditioned: ConditionedOutput | null = null;
  const parts: ManifestParts = {
    runs,
    files: () => writer.files,
    telemetry: () =>
      telemetry && {
        snapshots: telemetry.series.snapshots,
        rows: writer.telemetryRows,
        metrics: telemetry.metrics,
      },
    conditioned: () => ({
      bytes: conditioned?.bytes ?? 0,
      errors: conditioned?.errors ?? 0,
      last_error: conditioned?.lastError ?? null,
    }),
  };
  folder.begin(parts);

  const sampler = options.sampler ?? sharedSamplerPool();
  try {
    await sampler.warmUp?.();
  } catch {
    // a worker that fails to start shows up as batch errors below
  }
  const t0 = performance.now();
  const stop = new RecordingStop(options.signal, plan.durationSec);
  const guard = plan.writeParts
    ? new SizeGuard(writer, runs, stop, plan.root, plan.maxSizeBytes, plan.minFreeBytes)
    : null;
  const sizeCheck =
    plan.writeParts && plan.sizeCheck
      ? new SizeCheck(plan, runs, writer, stop, plan.sizeCheck, options.onEstimate, t0)
      : null;
  const scheduler = new FairShareScheduler(runs, sampler, plan, options.events, () => guard?.afterBatch(), backlog);
  if (plan.conditioning)
    conditioned = new ConditionedOutput(plan.conditioning, plan.specs, sampler, plan.batchTimeoutMs);
  telemetry?.start(plan.telemetryMs);
  const flush = new FlushTimer(
    writer,
    { runs, conditioned, telemetry: telemetry?.series ?? null },
    stop,
    plan.flushMs,
    () => {
      guard?.afterFlush();
      sizeCheck?.afterFlush();
    },
    backlog,
  );
  const merger =
    plan.writeParts && plan.mergeIntervalMs > 0
      ? new PartMerger(
          folder.dir,
          writer,
          runs,
          stop,
          { intervalMs: plan.mergeIntervalMs, maxRows: plan.mergeMaxRows, compressionLevel: plan.compressionLevel },
          options.events,
        )
      : null;
  merger?.start();
  const progressParts = { id: folder.id, dir: folder.dir, t0, durationSec: plan.durationSec, runs, writer, telemetry };
  const ticker: ProgressTicker = new ProgressTicker(runs, () =>
    onProgress?.(progressReport({ ...progressParts, ticker }, stop.signal.aborted ? 'stopping' : 'recording')),
  );

  // Run until every loop ends (duration, signal, max-samples, fatal error).
  // Every source at max-samples ends the recording, the conditioned loop included.
  const sampling = scheduler.run(stop.signal).then((allDone) => allDone && stop.request('max-samples'));
  await Promise.all([sampling, conditioned?.run(stop.signal)]);
  await conditioned?.close();
  sizeCheck?.dispose();
  return finishRecording({
    folder,
    parts,
    stop,
    flush,
    writer,
    merger,
    telemetry,
    ticker,
    t0,
    fallbackReason: plan.maxSamples !== null ? 'max-samples' : 'stopped',
    progress: (phase) => progressReport({ ...progressParts, ticker }, phase),
    onProgress,
  });
}
