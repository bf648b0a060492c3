import type { HealthStatus } from '../health/source-health.js';

/**
 * What a recording reports as it goes, one event per sampler batch, per flush and per merge, for counters and
 * metrics (`RecordOptions.events`). Observers are called synchronously on the recorder's thread and must
 * be cheap and must not throw; the recorder never depends on them.
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

export interface FlushEvent {
  /** Parquet parts written by this flush (samples, batches, telemetry, conditioned). */
  parts: number;
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
  /** The part directory, relative to the session (`samples/source=x`, `batches`, …). */
  dir: string;
  /** Files merged into one, and the rows and bytes of the result. */
  parts: number;
  /** Re-encoded through DuckDB (small row groups) rather than copied byte for byte. */
  rewritten: boolean;
  rows: number;
  bytes: number;
  /** Wall time of the merge, ms. */
  ms: number;
}

export interface RecorderEvents {
  batch?(e: BatchEvent): void;
  flush?(e: FlushEvent): void;
  merge?(e: MergeEvent): void;
}
