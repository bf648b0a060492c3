import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { DisplayStatus } from '../../contracts/session.js';
import { errorMessage, isOeError, OeError } from '../../errors.js';
import { listParts, parquetRowCount } from './files.js';
import { MANIFEST, manifestPath } from './layout.js';
import { readManifest, type SessionManifest } from './manifest.js';

export type { DisplayStatus } from '../../contracts/session.js';

export interface SessionSummary {
  id: string;
  dir: string;
  status: DisplayStatus;
  started_at: string | null;
  duration_ms: number | null;
  sources: string[];
  /** From the manifest when finished; counted from the Parquet footers otherwise. */
  samples: number | null;
  size_bytes: number;
  repaired: boolean;
  error: string | null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `recording` only if the recording process is still alive on this machine; otherwise `incomplete`. */
export function displayStatus(m: SessionManifest): DisplayStatus {
  if (m.status !== 'recording') return m.status;
  return m.pid > 0 && m.pid !== process.pid && processAlive(m.pid) ? 'recording' : 'incomplete';
}

function dirSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) total += dirSize(p);
    else if (e.isFile()) total += statSync(p).size;
  }
  return total;
}

/**
 * Samples counted from the live parts' Parquet footers (for sessions without final counts). A merge
 * may delete a part between the listing and its footer read: then the parts are listed again.
 */
export async function countSamplesOnDisk(sessionDir: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const parts = listParts(sessionDir).filter((p) => p.table === 'samples');
    try {
      let n = 0;
      for (const p of parts) n += await parquetRowCount(join(sessionDir, p.path));
      return n;
    } catch (e) {
      if (attempt >= 3 || parts.every((p) => existsSync(join(sessionDir, p.path)))) throw e;
    }
  }
}

/** A live recording: time since its start; a dead one: until its newest part was written. */
function recordedSoFarMs(dir: string, m: SessionManifest, status: DisplayStatus): number {
  const start = Date.parse(m.started_at);
  if (status === 'recording') return Date.now() - start;
  let last = start;
  for (const p of listParts(dir))
    last = Math.max(last, statSync(join(dir, p.path), { throwIfNoEntry: false })?.mtimeMs ?? 0);
  return Math.max(0, last - start);
}

/** Summary of one session directory; never throws for a broken session (it is listed as unreadable). */
export async function summarizeSession(dir: string): Promise<SessionSummary> {
  const id = basename(dir);
  const size = dirSize(dir);
  let m: SessionManifest;
  try {
    m = readManifest(dir);
  } catch (e) {
    return {
      id,
      dir,
      status: 'unreadable',
      started_at: null,
      duration_ms: null,
      sources: [],
      samples: null,
      size_bytes: size,
      repaired: false,
      error: errorMessage(e),
    };
  }
  const status = displayStatus(m);
  let samples: number | null = m.total_samples;
  let error = m.error;
  if (m.status === 'recording') {
    try {
      samples = await countSamplesOnDisk(dir);
    } catch (e) {
      samples = null;
      error = errorMessage(e);
    }
  }
  return {
    id: m.id,
    dir,
    status,
    started_at: m.started_at,
    duration_ms: m.status === 'recording' ? recordedSoFarMs(dir, m, status) : m.duration_ms,
    sources: m.sources.map((s) => s.name),
    samples,
    size_bytes: size,
    repaired: m.repaired_at !== null,
    error,
  };
}

/** Session directories under `root` (those with a session.json), newest first. */
export function sessionDirs(root: string): string[] {
  if (!existsSync(root)) throw new OeError('NOT_FOUND', `no sessions directory ${root}`);
  if (!statSync(root).isDirectory()) throw new OeError('USAGE', `${root} is not a directory`);
  return readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, MANIFEST)))
    .map((e) => join(root, e.name))
    .sort()
    .reverse();
}

/** Every session under `root`, newest first (ids start with the UTC start time). */
export async function listSessions(root: string): Promise<SessionSummary[]> {
  const out: SessionSummary[] = [];
  for (const d of sessionDirs(root)) out.push(await summarizeSession(d));
  out.sort((a, b) => (b.started_at ?? b.id).localeCompare(a.started_at ?? a.id));
  return out;
}

/**
 * The directory of session `ref` under `root`: an exact id, a unique prefix of one, a path to a
 * session directory, or `latest` (the newest session, by its id's start time) when no session has
 * that name. Unknown → NOT_FOUND; ambiguous prefix → USAGE listing the candidates.
 */
export function resolveSession(root: string, ref: string): string {
  if (!ref) throw new OeError('USAGE', 'name a session id (see "oe sessions")');
  if (ref === 'latest' && !existsSync(manifestPath(join(root, ref)))) {
    const newest = sessionDirs(root)[0];
    if (!newest) throw new OeError('NOT_FOUND', `no session in ${root} (record one with "oe record")`);
    return newest;
  }
  if (existsSync(manifestPath(ref)) && (ref.includes('/') || !existsSync(join(root, ref)))) return resolve(ref);
  const exact = join(root, ref);
  if (existsSync(manifestPath(exact))) return exact;
  let dirs: string[];
  try {
    dirs = sessionDirs(root);
  } catch (e) {
    if (isOeError(e) && e.code === 'NOT_FOUND') throw new OeError('NOT_FOUND', `no session "${ref}": ${e.message}`);
    throw e;
  }
  const hits = dirs.filter((d) => basename(d).startsWith(ref));
  // Ids start with a timestamp; also accept the random suffix or any unique substring.
  const matches = hits.length > 0 ? hits : dirs.filter((d) => basename(d).includes(ref));
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) throw new OeError('NOT_FOUND', `no session "${ref}" in ${root} (see "oe sessions")`);
  const names = matches.slice(0, 5).map((d) => basename(d));
  throw new OeError(
    'USAGE',
    `"${ref}" matches ${matches.length} sessions in ${root}: ${names.join(', ')}${matches.length > 5 ? ', …' : ''}`,
  );
}
