/**
 * telemetry_v1: the host conditions a measurement was taken under (load, memory, pressure, I/O,
 * frequency, temperatures). Best effort and user-space only: a metric that cannot be read is absent,
 * never synthesized; non-finite values are dropped. Model and field names follow openentropy's
 * `telemetry.rs`; every metric also says whether it is a cumulative `counter` or an instantaneous
 * `gauge`, and windows give per-second rates for counters. These are the shapes every stage shares:
 * src/collect/telemetry/ takes the snapshots, the recorder stores them as columns, analyze/ reads them.
 */
export const TELEMETRY_MODEL_ID = 'telemetry_v1';
export const TELEMETRY_MODEL_VERSION = 1;

/** `counter`: cumulative since boot, only meaningful as a difference; `gauge`: a level at that instant. */
export type MetricKind = 'counter' | 'gauge';

export interface TelemetryMetric {
  domain: string;
  name: string;
  value: number;
  unit: string;
  /** Where it was read from (procfs, psi, procfs_netdev, linux_hwmon …). */
  source: string;
  kind: MetricKind;
}

export interface TelemetrySnapshot {
  model_id: typeof TELEMETRY_MODEL_ID;
  model_version: typeof TELEMETRY_MODEL_VERSION;
  collected_unix_ms: number;
  os: string;
  arch: string;
  cpu_count: number;
  loadavg_1m: number | null;
  loadavg_5m: number | null;
  loadavg_15m: number | null;
  /** Sorted by domain, name, source, unit. */
  metrics: TelemetryMetric[];
}

export interface TelemetryMetricDelta {
  domain: string;
  name: string;
  unit: string;
  source: string;
  kind: MetricKind;
  start_value: number;
  end_value: number;
  delta_value: number;
  /** delta per second for counters (null for gauges, and for a counter that went backwards: reset/wrap). */
  rate_per_s: number | null;
}

export interface TelemetryWindow {
  model_id: typeof TELEMETRY_MODEL_ID;
  model_version: typeof TELEMETRY_MODEL_VERSION;
  elapsed_ms: number;
  start: TelemetrySnapshot;
  end: TelemetrySnapshot;
  /** Metrics present at both ends, matched on (domain, name, unit, source). */
  deltas: TelemetryMetricDelta[];
}

/**
 * The telemetry series as columns, one row per metric per snapshot: what the recorder writes to a
 * session's `telemetry/part-*.parquet` and what analyses read back (schemas/PARQUET.md).
 */
export interface TelemetryColumns {
  /** Wall clock of the snapshot, µs since the epoch (Parquet TIMESTAMP). */
  t: BigInt64Array;
  domain: string[];
  name: string[];
  unit: string[];
  source: string[];
  kind: string[];
  value: Float64Array;
  /** Counters: change per second since the previous snapshot of the series (NaN → NULL for gauges, the first snapshot, resets). */
  rate: Float64Array;
}
