/**
 * Merging parts (the rule in parts.ts): consecutive live parts of one directory become one file named
 * by the range of flush parts it holds, in three steps, each leaving a readable session behind:
 *
 *   1. concatenate the parts into `part-A-B.parquet.tmp`, fsync, rename to `part-A-B.parquet`, fsync
 *      the directory (readers ignore `.tmp`; after the rename the parts are covered and skipped);
 *   2. delete the covered parts one by one;
 *   3. fsync the directory.
 *
 * A crash before the rename leaves a `.tmp` (repair deletes it); after it, covered parts (repair
 * deletes them).
 *
 * How the merged file is written depends on the row groups of its inputs: when they average at least
 * half of DuckDB's 122 880 rows they are copied byte for byte (src/db/parquet-concat.ts: I/O, no
 * encoding); smaller ones (a capped or slow source writes one small row group per flush) are re-encoded
 * through DuckDB into row groups of 122 880 rows, which scan about twice as fast (bench/storage.bench.ts).
 */
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { concatParquet, fsyncDir, readParquetShape, rewriteParquet } from '../../db/index.js';
import { OeError } from '../../errors.js';
import { mergedPartName } from './layout.js';
import type { FileEntry } from './manifest.js';

/** A live part to merge: its path relative to the session and its flush-part range. */
export interface MergeInput {
  path: string;
  first: number;
  last: number;
}

export interface MergeOutcome {
  /** The merged file (path relative to the session, rows, bytes, sha256). */
  entry: FileEntry;
  /** Re-encoded through DuckDB (true) or copied byte for byte. */
  rewritten: boolean;
  /** The parts it replaced, relative paths, in order. */
  removed: string[];
}

/** Test hook: called after each step; a throw leaves the disk as a crash at that point would. */
export type MergeStep = 'renamed' | 'deleted-one' | 'done';

/** Row groups of DuckDB's default size: what a scan handles well. */
export const SCAN_ROW_GROUP_ROWS = 122_880;

export interface MergeOptions {
  fsync?: boolean;
  /** 'auto' (default): re-encode when the inputs' row groups average under SCAN_ROW_GROUP_ROWS / 2. */
  mode?: 'auto' | 'concat' | 'rewrite';
  /** zstd level of a re-encoded file (default DuckDB's, 3). */
  compressionLevel?: number;
  /** Re-encode on a thread this many nice levels lower (rewriteParquet's `nice`; the recorder's in-process merges). */
  nice?: number;
  onStep?: (step: MergeStep) => void;
}

/** Whether merging these files should re-encode them (small row groups) or copy their bytes. */
export function shouldRewrite(paths: readonly string[]): boolean {
  let rows = 0;
  let groups = 0;
  for (const p of paths) {
    const s = readParquetShape(p);
    rows += s.rows;
    groups += s.rowGroups;
  }
  return groups > 1 && rows / groups < SCAN_ROW_GROUP_ROWS / 2;
}

/** Merges consecutive live parts of one directory (at least two, in part order) into one file. */
export async function mergeParts(
  sessionDir: string,
  parts: readonly MergeInput[],
  options: MergeOptions = {},
): Promise<MergeOutcome> {
  if (parts.length < 2) throw new OeError('USAGE', 'mergeParts: needs two or more parts');
  const dir = dirname(parts[0].path);
  for (let i = 1; i < parts.length; i++) {
    if (dirname(parts[i].path) !== dir || parts[i].first <= parts[i - 1].last) {
      throw new OeError('USAGE', `mergeParts: ${parts[i].path} does not follow ${parts[i - 1].path} in one directory`);
    }
  }
  const rel = `${dir}/${mergedPartName(parts[0].first, parts[parts.length - 1].last)}`;
  const inputs = parts.map((p) => join(sessionDir, p.path));
  const mode = options.mode ?? 'auto';
  const rewrite = mode === 'rewrite' || (mode === 'auto' && shouldRewrite(inputs));
  const written = rewrite
    ? await rewriteParquet(inputs, join(sessionDir, rel), {
        fsync: options.fsync,
        compressionLevel: options.compressionLevel,
        nice: options.nice,
      })
    : await concatParquet(inputs, join(sessionDir, rel), { fsync: options.fsync });
  options.onStep?.('renamed');
  for (const p of parts) {
    rmSync(join(sessionDir, p.path), { force: true });
    options.onStep?.('deleted-one');
  }
  if (options.fsync !== false) await fsyncDir(join(sessionDir, dir));
  options.onStep?.('done');
  return {
    entry: { path: rel, rows: written.rows, bytes: written.bytes, sha256: written.sha256 },
    rewritten: rewrite,
    removed: parts.map((p) => p.path),
  };
}
