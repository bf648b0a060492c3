import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readParquetShape, sha256File } from '../../db/index.js';
import { OeError } from '../../errors.js';
import { BATCHES_DIR, CONDITIONED_DIR, parsePartName, SAMPLES_DIR, TELEMETRY_DIR } from './layout.js';
import type { FileEntry, SessionManifest } from './manifest.js';
import { splitCovered } from './parts.js';

/** A finished Parquet part found on disk (`.tmp` files are never listed: they are unfinished writes). */
export interface PartOnDisk {
  /** Relative to the session directory, '/'-separated. */
  path: string;
  /** samples | batches | telemetry | conditioned */
  table: string;
  /** For samples parts: the hive partition value. */
  source: string | null;
  bytes: number;
  /** The flush parts it holds: N..N for `part-N`, A..B for a merged `part-A-B` (parts.ts). */
  first: number;
  last: number;
}

/** The part directories of a session, relative to it: every samples/source=<name>, then the tables. */
export function partDirs(sessionDir: string): { rel: string; table: string; source: string | null }[] {
  const out: { rel: string; table: string; source: string | null }[] = [];
  const samples = join(sessionDir, SAMPLES_DIR);
  if (existsSync(samples)) {
    for (const d of readdirSync(samples).sort()) {
      const m = /^source=(.+)$/.exec(d);
      if (m) out.push({ rel: `${SAMPLES_DIR}/${d}`, table: 'samples', source: m[1] });
    }
  }
  for (const t of [BATCHES_DIR, TELEMETRY_DIR, CONDITIONED_DIR]) out.push({ rel: t, table: t, source: null });
  return out;
}

/** Every part file of one directory with its range, live and covered (see parts.ts). */
function partsIn(sessionDir: string, d: { rel: string; table: string; source: string | null }): PartOnDisk[] {
  const abs = join(sessionDir, d.rel);
  if (!existsSync(abs)) return [];
  const out: PartOnDisk[] = [];
  for (const f of readdirSync(abs)) {
    const range = parsePartName(f);
    if (!range) continue;
    const path = `${d.rel}/${f}`;
    // A merge may delete a part between the listing and this stat: it is covered, so skip it.
    const st = statSync(join(sessionDir, path), { throwIfNoEntry: false });
    if (st) out.push({ path, table: d.table, source: d.source, bytes: st.size, ...range });
  }
  return out;
}

function split(sessionDir: string): { live: PartOnDisk[]; covered: PartOnDisk[] } {
  const live: PartOnDisk[] = [];
  const covered: PartOnDisk[] = [];
  for (const d of partDirs(sessionDir)) {
    const s = splitCovered(partsIn(sessionDir, d), join(sessionDir, d.rel));
    live.push(...s.live);
    covered.push(...s.covered);
  }
  return { live, covered };
}

/**
 * Every live part of a session directory (each row exactly once: parts covered by a merged file are
 * left out), in a stable order: table, source, part number.
 */
export function listParts(sessionDir: string): PartOnDisk[] {
  return split(sessionDir).live;
}

/** Parts whose rows are already in a merged file: left behind by an interrupted merge (repair deletes them). */
export function listCoveredParts(sessionDir: string): PartOnDisk[] {
  return split(sessionDir).covered;
}

/** Row count of a Parquet file from its footer; a truncated or foreign file is a one-line error naming it. */
export async function parquetRowCount(path: string): Promise<number> {
  return readParquetShape(path).rows;
}

/**
 * Checks every file the manifest lists: present, same size, same sha256. The first problem is an
 * OeError('BAD_INPUT') naming the file.
 */
export function verifyFiles(sessionDir: string, manifest: SessionManifest): void {
  for (const f of manifest.files) {
    const path = join(sessionDir, f.path);
    if (!existsSync(path)) throw new OeError('BAD_INPUT', `${path}: missing (listed in session.json)`);
    const size = statSync(path).size;
    if (size !== f.bytes) {
      throw new OeError(
        'BAD_INPUT',
        `${path}: size ${size} bytes, session.json says ${f.bytes} (truncated or changed)`,
      );
    }
    const sha = sha256File(path);
    if (sha !== f.sha256) {
      throw new OeError(
        'BAD_INPUT',
        `${path}: checksum mismatch (sha256 ${sha.slice(0, 12)}…, expected ${f.sha256.slice(0, 12)}…)`,
      );
    }
  }
}

/** Entry for a file already on disk (used by repair). */
export async function fileEntry(sessionDir: string, rel: string): Promise<FileEntry> {
  const path = join(sessionDir, rel);
  return { path: rel, rows: await parquetRowCount(path), bytes: statSync(path).size, sha256: sha256File(path) };
}
