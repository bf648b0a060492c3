/**
 * The shapes of the `oe ui` API's own JSON (schemas/ui-api.schema.json), shared by the server that writes
 * them and the page that reads them (type-only: nothing here exists at run time). The analysis, compare
 * and session documents are the CLI's and keep their own types and schemas.
 */
import type { DisplayStatus } from '../contracts/session.js';

/** One row of the sessions list (#/$defs/sessionRow). */
export interface SessionRow {
  id: string;
  /** Index of the folder in the server's --dir list. */
  folder: number;
  status: DisplayStatus;
  repaired: boolean;
  started_at: string | null;
  duration_ms: number | null;
  sources: string[];
  samples: number | null;
  size_bytes: number;
  machine: string;
  machine_id: string | null;
  tags: Record<string, string>;
  note: string | null;
  error: string | null;
  /** For an incomplete session: the command that finalizes it. */
  repair_command: string | null;
  analysis: 'stored' | 'none' | 'running';
}

/** GET /api/sessions (#/$defs/sessionList). */
export interface SessionList {
  folders: string[];
  total: number;
  offset: number;
  limit: number;
  sessions: SessionRow[];
  facets: { tags: string[]; machines: string[]; sources: string[]; statuses: string[] };
}

/** An `oe bench --json` file of a folder (#/$defs/benchList). */
export interface BenchRow {
  name: string;
  folder: number;
  machine: string;
  generated_at: string | null;
  profile: string | null;
  sources: number;
  size_bytes: number;
}

export type JobState = 'queued' | 'running' | 'done' | 'failed';

/** GET /api/jobs/<id> (#/$defs/job). */
export interface JobView {
  id: string;
  kind: string;
  key: string;
  state: JobState;
  progress: { message: string; fraction: number | null };
  started_at: string;
  finished_at: string | null;
  error: string | null;
  result: unknown;
}

/** A recording started from the page (#/$defs/recording). */
export interface RecordingView {
  id: string;
  state: 'recording' | 'stopping' | 'done' | 'failed';
  folder: number;
  sources: string[];
  duration_s: number;
  tags: Record<string, string>;
  session_id: string | null;
  elapsed_ms: number;
  total_samples: number;
  bytes_on_disk: number;
  started_at: string;
  error: string | null;
}

/** One headline telemetry series in time buckets (#/$defs/telemetry). */
export interface TelemetryPlotSeries {
  domain: string;
  name: string;
  source: string;
  unit: string;
  /** `value` for gauges, `rate` (per second) for counters. */
  measure: 'value' | 'rate';
  /** Bucket mean time (seconds since the epoch) and value. */
  t: number[];
  v: (number | null)[];
}

/** One source in a live frame: what a row of `oe monitor` shows. */
export interface LiveSource {
  name: string;
  category: string;
  kind: string;
  health: string;
  reason: string | null;
  rate: number;
  min_entropy: number;
  shannon: number;
  total: number;
  history: number[];
}

/** The data of one `frame` event (#/$defs/liveFrame). */
export interface LiveFrame {
  at: string;
  tick: number;
  sources: LiveSource[];
  active: { name: string; histogram: number[]; autocorrelation: number[]; autocorrelation_threshold: number } | null;
}

/** A catalog source for the page's pickers (#/$defs/liveSources). */
export interface CatalogSource {
  name: string;
  category: string;
  kind: string;
  fast: boolean;
  description: string;
  unavailable: string | null;
}
