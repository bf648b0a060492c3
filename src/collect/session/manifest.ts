import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { schemaValidator } from '../../contracts/schema.js';
import type { SessionStatus } from '../../contracts/session.js';
import { errorMessage, OeError } from '../../errors.js';
import type { Fingerprint } from '../fingerprint.js';
import { manifestPath } from './layout.js';

export type { SessionStatus } from '../../contracts/session.js';

/** How a source was configured and what it produced (units come from the sampler). */
export interface SessionSource {
  name: string;
  category: string;
  kind: string;
  sampler: string;
  params: Record<string, number | boolean>;
  /** Unit of `value` (tsc, ns, count, value); null until the first batch arrived. */
  unit: string | null;
  /** Name of the documented extraction from value to byte (src/collect/extract.ts). */
  extraction: string;
  credit: number;
}

export interface SourceCounts {
  samples: number;
  batches: number;
  parts: number;
  /** Batches that hit their deadline and came back short. */
  timeouts: number;
  /** Batches that failed (sampler error); the source keeps being retried with backoff. */
  errors: number;
  last_error: string | null;
}

export interface FileEntry {
  /** Relative to the session directory, '/'-separated. */
  path: string;
  rows: number;
  bytes: number;
  sha256: string;
}

/** Everything `oe record` was asked for, stored verbatim so a session says how it was made. */
export interface RecordConfig {
  duration_s: number | null;
  sources: string[];
  sources_filter: string | null;
  interval_ms: number | null;
  flush_interval_ms: number;
  telemetry_interval_ms: number;
  conditioning: string | null;
  max_samples: number | null;
  max_rate: number | null;
  batch_timeout_ms: number;
  tags: Record<string, string>;
  note: string | null;
  output: string;
  /** How often flush parts were merged (null: never, one file per source per flush); absent in older sessions. */
  merge_interval_ms?: number | null;
  /** Rows up to which merged files were combined; absent in older sessions. */
  merge_max_rows?: number;
  /** The size at which the recording was to end cleanly (null: none); absent in older sessions. */
  max_size_bytes?: number | null;
}

export interface SessionManifest {
  format: 'oe-session';
  version: 1;
  id: string;
  /** `recording` while running (or if the recorder died), `complete`, or `failed` (ended by an error, data intact). */
  status: SessionStatus;
  started_at: string;
  ended_at: string | null;
  duration_ms: number | null;
  /** Why it ended: duration, max-samples, SIGINT, SIGTERM, aborted, error, repaired. */
  end_reason: string | null;
  error: string | null;
  /** Set by `oe sessions --repair`. */
  repaired_at: string | null;
  /** Set by `oe sessions --compact` when it merged files (absent otherwise). */
  compacted_at?: string;
  /** Process that recorded it (tells a live recording from a dead one on this machine). */
  pid: number;
  sources: SessionSource[];
  config: RecordConfig;
  tags: Record<string, string>;
  note: string | null;
  fingerprint: Fingerprint;
  counts: Record<string, SourceCounts>;
  total_samples: number;
  telemetry: { interval_ms: number; snapshots: number; rows: number; metrics: number } | null;
  conditioned: { mode: string; bytes: number; errors?: number; last_error?: string | null } | null;
  files: FileEntry[];
  size_bytes: number;
  /** Selected sources left out because they cannot run here, with the reason (absent in older manifests). */
  skipped_sources?: { name: string; reason: string }[];
}

/** Writes session.json atomically (tmp + fsync + rename), validated against schemas/session.schema.json. */
export function writeManifest(sessionDir: string, manifest: SessionManifest): void {
  const v = schemaValidator('session');
  if (!v(manifest)) {
    const why = (v.errors ?? [])
      .slice(0, 3)
      .map((e) => `${e.instancePath || '/'} ${e.message}`)
      .join('; ');
    throw new OeError('FAILED', `internal: session manifest does not match schemas/session.schema.json: ${why}`);
  }
  const path = manifestPath(sessionDir);
  const tmp = `${path}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    throw new OeError('IO', `cannot write ${path}: ${errorMessage(e)}`, { cause: e });
  }
}

/** Reads and validates session.json; every failure is one line naming the file. */
export function readManifest(sessionDir: string): SessionManifest {
  const path = manifestPath(sessionDir);
  if (!existsSync(path)) throw new OeError('NOT_FOUND', `${path}: missing (not a session directory?)`);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new OeError('IO', `${path}: cannot read: ${errorMessage(e)}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new OeError('BAD_INPUT', `${path}: invalid JSON (${errorMessage(e)})`);
  }
  const v = schemaValidator('session');
  if (!v(data)) {
    const first = v.errors?.[0];
    throw new OeError(
      'BAD_INPUT',
      `${path}: not a valid session manifest (${first ? `${first.instancePath || '/'} ${first.message}` : 'schema'})`,
    );
  }
  return data as SessionManifest;
}
