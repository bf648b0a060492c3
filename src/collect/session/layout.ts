import { join } from 'node:path';

/**
 * The on-disk layout of a session (docs/SESSIONS.md):
 *
 *   <root>/<id>/session.json
 *   <root>/<id>/samples/source=<name>/part-00000.parquet
 *   <root>/<id>/batches/part-00000.parquet
 *   <root>/<id>/telemetry/part-00000.parquet
 *   <root>/<id>/conditioned/part-00000.parquet
 *
 * `part-N.parquet` is what one flush wrote; `part-A-B.parquet` holds the rows of parts A..B of the same
 * directory, merged (the merge rule: src/collect/session/parts.ts).
 */
export const MANIFEST = 'session.json';
export const SAMPLES_DIR = 'samples';
export const BATCHES_DIR = 'batches';
export const TELEMETRY_DIR = 'telemetry';
export const CONDITIONED_DIR = 'conditioned';

/** Default root of sessions (`--dir`, `--output`). */
export const DEFAULT_SESSIONS_DIR = 'sessions';

export function partName(index: number): string {
  return `part-${String(index).padStart(5, '0')}.parquet`;
}

/** The name of the file that holds parts `first`..`last` of a directory, merged. */
export function mergedPartName(first: number, last: number): string {
  return `part-${String(first).padStart(5, '0')}-${String(last).padStart(5, '0')}.parquet`;
}

/** The part range a file name stands for (`part-N` → N..N, `part-A-B` → A..B), or null for other files. */
export function parsePartName(file: string): { first: number; last: number } | null {
  const m = /^part-(\d{5,})(?:-(\d{5,}))?\.parquet$/.exec(file);
  if (!m) return null;
  const first = Number(m[1]);
  const last = m[2] === undefined ? first : Number(m[2]);
  return last >= first ? { first, last } : null;
}

/** Whether a file name is a flush part (`part-N.parquet`), not a merged file. */
export function isFlushPart(file: string): boolean {
  return /^part-\d{5,}\.parquet$/.test(file);
}

/** `samples/source=<name>` relative to the session directory (hive partition). */
export function sourceDir(source: string): string {
  return `${SAMPLES_DIR}/source=${source}`;
}

export function manifestPath(sessionDir: string): string {
  return join(sessionDir, MANIFEST);
}

/** Source names are used as hive partition values and directory names: keep them to a safe alphabet. */
export function isSafeSourceName(name: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(name) && name !== '.' && name !== '..';
}

/**
 * A new session id: `<UTC yyyy-mm-ddThhmmssZ>-<label>-<8 hex>` (openentropy's form), where the label is the
 * first source (truncated) and `-plus<N-1>` for several. Short enough for any filesystem.
 */
export function newSessionId(sources: readonly string[], now: Date, random8: string): string {
  const ts = now
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '');
  const clean = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');
  let label = sources.length === 0 ? 'none' : clean(sources[0]);
  if (sources.length > 1) label = `${label.slice(0, 36)}-plus${sources.length - 1}`;
  else label = label.slice(0, 48);
  return `${ts}-${label}-${random8}`;
}
