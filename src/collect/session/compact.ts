/**
 * `oe sessions <id> --compact`: brings a session to the merged layout (docs/SESSIONS.md) — in every part
 * directory, about one file per `maxRows` rows — whatever layout it was recorded in (one file per
 * source per flush before merging existed, or a recording that ended before its last merge). The
 * manifest's counts stay; its file list, checksums, part counts and size are rewritten. Every merge is
 * crash safe on its own (merge.ts); a compaction interrupted between merges leaves a readable session
 * that `--repair` (or another `--compact`) finishes.
 */
import { basename } from 'node:path';
import { OeError } from '../../errors.js';
import { fileEntry, listParts, type PartOnDisk, partDirs } from './files.js';
import { isFlushPart } from './layout.js';
import { readManifest, type SessionManifest, type SourceCounts, writeManifest } from './manifest.js';
import { type MergeStep, mergeParts } from './merge.js';
import { planMerges } from './parts.js';
import { repairSession } from './repair.js';
import { displayStatus } from './store.js';

/** Rows per merged file when the manifest does not say (DEFAULT_MERGE_MAX_ROWS of the recorder). */
export const COMPACT_MAX_ROWS = 10_000_000;

export interface CompactOptions {
  /** Rows up to which files are combined (default: the session's merge_max_rows, else 10 M). */
  maxRows?: number;
  /** Called after each merge with the directory and the files merged so far. */
  onProgress?: (p: { dir: string; merged: number; total: number }) => void;
  /** How merged files are written (merge.ts; default 'auto'): 'concat' forces byte copies (the benchmark's arm). */
  mode?: 'auto' | 'concat' | 'rewrite';
  /** Test hook (merge.ts): a throw leaves the disk as a crash at that step would. */
  onStep?: (step: MergeStep) => void;
}

export interface CompactResult {
  dir: string;
  manifest: SessionManifest;
  /** Files before and after. */
  filesBefore: number;
  filesAfter: number;
  /** Merges run (0: already compact). */
  merges: number;
  /** The session was repaired first (it had not finished). */
  repaired: boolean;
}

/** The merges --compact would run: per directory, the live parts grouped up to maxRows. */
async function compactPlan(dir: string, maxRows: number): Promise<PartOnDisk[][]> {
  const plans: PartOnDisk[][] = [];
  const live = listParts(dir);
  for (const d of partDirs(dir)) {
    const inDir = live.filter((p) => p.path.startsWith(`${d.rel}/`));
    const withRows: (PartOnDisk & { rows: number; flushPart: boolean })[] = [];
    for (const p of inDir) {
      const e = await fileEntry(dir, p.path);
      withRows.push({ ...p, rows: e.rows, flushPart: isFlushPart(basename(p.path)) });
    }
    plans.push(...planMerges(withRows, maxRows, true));
  }
  return plans;
}

export async function compactSession(dir: string, options: CompactOptions = {}): Promise<CompactResult> {
  let m = readManifest(dir);
  if (displayStatus(m) === 'recording') throw new OeError('USAGE', `${dir} is still being recorded (pid ${m.pid})`);
  let repaired = false;
  // A dead recording, or a compaction that was interrupted, is finished first.
  const r = await repairSession(dir);
  if (r.changed) {
    m = r.manifest;
    repaired = true;
  }
  const filesBefore = m.files.length;
  const maxRows = options.maxRows ?? m.config.merge_max_rows ?? COMPACT_MAX_ROWS;
  if (!(maxRows >= 1)) throw new OeError('USAGE', `max rows must be at least 1, got ${maxRows}`);
  const plans = await compactPlan(dir, maxRows);
  const total = plans.reduce((a, p) => a + p.length, 0);
  let merged = 0;
  for (const plan of plans) {
    await mergeParts(dir, plan, { onStep: options.onStep, mode: options.mode });
    merged += plan.length;
    options.onProgress?.({ dir, merged, total });
  }
  if (plans.length > 0) {
    const files = [];
    for (const p of listParts(dir)) files.push(await fileEntry(dir, p.path));
    const counts: Record<string, SourceCounts> = {};
    for (const [name, c] of Object.entries(m.counts)) {
      counts[name] = { ...c, parts: files.filter((f) => f.path.startsWith(`samples/source=${name}/`)).length };
    }
    const samples = files.filter((f) => f.path.startsWith('samples/')).reduce((a, f) => a + f.rows, 0);
    if (samples !== m.total_samples) {
      throw new OeError('FAILED', `${dir}: ${samples} samples after compaction, the manifest says ${m.total_samples}`);
    }
    m = {
      ...m,
      counts,
      files,
      size_bytes: files.reduce((a, f) => a + f.bytes, 0),
      compacted_at: new Date().toISOString(),
    };
    writeManifest(dir, m);
  }
  return { dir, manifest: m, filesBefore, filesAfter: m.files.length, merges: plans.length, repaired };
}
