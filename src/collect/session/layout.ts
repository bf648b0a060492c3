import { join } from 'node:path';

/**
 * The on-disk layout of a session (docs/SESSIONS.md, DESIGN.md "Sessions on disk"):
 *
 *   <root>/<id>/session.json
 *   <root>/<id>/samples/source=<name>/part-00000.parquet
 *   <root>/<id>/batches/part-00000.parquet
 *   <root>/<id>/telemetry/part-00000.parquet
 *   <root>/<id>/conditioned/part-00000.parquet
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
 * A new session id: `<UTC yyyy-mm-ddThhmmssZ>-<label>-<8 hex>` like the seed, where the label is the
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
