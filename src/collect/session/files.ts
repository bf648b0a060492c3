import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { queryColumns, sha256File, sqlString } from '../../db/index.js';
import { errorMessage, OeError } from '../../errors.js';
import { BATCHES_DIR, CONDITIONED_DIR, SAMPLES_DIR, TELEMETRY_DIR } from './layout.js';
import type { FileEntry, SessionManifest } from './manifest.js';

/** A finished Parquet part found on disk (`.tmp` files are never listed: they are unfinished writes). */
export interface PartOnDisk {
  /** Relative to the session directory, '/'-separated. */
  path: string;
  /** samples | batches | telemetry | conditioned */
  table: string;
  /** For samples parts: the hive partition value. */
  source: string | null;
  bytes: number;
}

function parquetParts(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^part-\d{5,}\.parquet$/.test(f))
    .sort();
}

/** Every finished part of a session directory, in a stable order (table, source, part number). */
export function listParts(sessionDir: string): PartOnDisk[] {
  const out: PartOnDisk[] = [];
  const samples = join(sessionDir, SAMPLES_DIR);
  if (existsSync(samples)) {
    for (const d of readdirSync(samples).sort()) {
      const m = /^source=(.+)$/.exec(d);
      if (!m) continue;
      for (const f of parquetParts(join(samples, d))) {
        const rel = `${SAMPLES_DIR}/${d}/${f}`;
        out.push({ path: rel, table: 'samples', source: m[1], bytes: statSync(join(sessionDir, rel)).size });
      }
    }
  }
  for (const t of [BATCHES_DIR, TELEMETRY_DIR, CONDITIONED_DIR]) {
    for (const f of parquetParts(join(sessionDir, t))) {
      const rel = `${t}/${f}`;
      out.push({ path: rel, table: t, source: null, bytes: statSync(join(sessionDir, rel)).size });
    }
  }
  return out;
}

/** Row count of a Parquet file from its footer; a truncated or foreign file is a one-line error naming it. */
export async function parquetRowCount(path: string): Promise<number> {
  try {
    const r = await queryColumns(`SELECT num_rows FROM parquet_file_metadata(${sqlString(path)})`);
    return Number((r.columns.num_rows as BigInt64Array)[0] ?? 0n);
  } catch (e) {
    throw new OeError('BAD_INPUT', `${path}: not a readable Parquet file (${errorMessage(e).split('\n')[0]})`);
  }
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
