/**
 * telemetry_v1: the host conditions a measurement was taken under (load, memory, pressure, I/O,
 * frequency, temperatures). Best effort and user-space only: a metric that cannot be read is absent,
 * never synthesized; non-finite values are dropped. Model and field names follow the seed
 * (openentropy `telemetry.rs`), plus what it lacked: every metric says whether it is a cumulative
 * `counter` or an instantaneous `gauge`, and windows give per-second rates for counters.
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
