import type { HealthStatus } from '../health/source-health.js';
import { BATCHES_DIR, CONDITIONED_DIR, SAMPLES_DIR, TELEMETRY_DIR } from '../session/layout.js';

/**
 * What a recording reports as it goes, one event per sampler batch, per flush, per merge and per Parquet
 * write started or ended, for counters and metrics (`RecordOptions.events`). Observers are called
 * synchronously on the recorder's thread and must be cheap and must not throw; the recorder never depends
 * on them.
 */

/**
 * How a batch ended: `ok` full, `short` fewer samples than asked (the sampler stopped early), `timeout`
 * the batch deadline passed, `unavailable` the sampler refused the source (backing off), `error` the
 * sampler failed, `congested` the batch never reached a worker (not the source's fault).
 */
export type BatchOutcome = 'ok' | 'short' | 'timeout' | 'unavailable' | 'error' | 'congested';

export interface BatchEvent {
  source: string;
  outcome: BatchOutcome;
  /** Samples asked for and delivered (0 unless ok/short). */
  requested: number;
  samples: number;
  /** Wall time of the call, ms. */
  ms: number;
  /**
   * The SP 800-90B health annotation of the batch as stored in batches/ (ok/short only): startup, ok,
   * quarantined, or the test it failed (rct, apt, startup: a failed start-up test; see healthFailed).
   */
  health: string | null;
  /** The batch failed a health test (its annotation names the test). */
  healthFailed: boolean;
  /** The source's SP 800-90B health state after the batch. */
  healthStatus: HealthStatus;
}

/** The session's Parquet tables, named by their top-level directory (schemas/PARQUET.md). */
export const RECORDED_TABLES = [SAMPLES_DIR, BATCHES_DIR, TELEMETRY_DIR, CONDITIONED_DIR] as const;
export type RecordedTable = (typeof RECORDED_TABLES)[number];

export interface FlushEvent {
  /** Parquet parts written by this flush (samples, batches, telemetry, conditioned). */
  parts: number;
  /** The same per table (all four present, zeros for a table this flush did not write). */
  tables: Record<RecordedTable, { parts: number; rows: number; bytes: number }>;
  /** Rows in them, of which sample rows. */
  rows: number;
  sampleRows: number;
  /** Bytes written. */
  bytes: number;
  /** Wall time of the flush, ms. */
  ms: number;
  /** false when the recording does not write (writeParts: false): the buffers were dropped. */
  written: boolean;
}

export interface MergeEvent {
  /** The part directory, relative to the session (`samples/source=x`, `batches`, …), and its table. */
  dir: string;
  table: RecordedTable;
  /** Files merged into one, and the rows and bytes of the result. */
  parts: number;
  /** Re-encoded through DuckDB (small row groups) rather than copied byte for byte. */
  rewritten: boolean;
  rows: number;
  bytes: number;
  /** Wall time of the merge, ms. */
  ms: number;
}

export interface FilesEvent {
  /** Parquet files the recorder is writing right now: flush parts and merge outputs. */
  open: number;
}

export interface WriterEvent {
  /** Process id of the writer process (RecordOptions.writerProcess), which writes and merges the parts. */
  pid: number;
}

export interface RecorderEvents {
  batch?(e: BatchEvent): void;
  flush?(e: FlushEvent): void;
  merge?(e: MergeEvent): void;
  /** Whenever a Parquet write starts or ends. */
  files?(e: FilesEvent): void;
  /** The writer process has been started (once per recording that writes through one). */
  writer?(e: WriterEvent): void;
}

/** The table a session-relative part path or directory belongs to (its first path segment). */
export function tableOf(path: string): RecordedTable {
  const top = path.split('/')[0];
  const table = RECORDED_TABLES.find((t) => t === top);
  if (!table) throw new Error(`internal: ${path} is not in a recorded table`);
  return table;
}
