import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { queryColumns } from '../../db/index.js';
import { OeError } from '../../errors.js';
import { fileEntry, listCoveredParts, listParts, parquetRowCount, verifyFiles } from './files.js';
import { type FileEntry, readManifest, type SessionManifest, type SourceCounts, writeManifest } from './manifest.js';
import { tableRelation } from './reader.js';
import { displayStatus } from './store.js';

export interface RepairResult {
  dir: string;
  manifest: SessionManifest;
  /** False when the session was already complete and every checksum matched. */
  changed: boolean;
  /** Unfinished writes (`*.tmp`) that were deleted. */
  removedTmp: string[];
  /** Parts that could not be read, renamed to `*.corrupt` and left out of the manifest. */
  corrupt: string[];
  /** Parts already held by a merged file that an interrupted merge had not deleted yet (now deleted). */
  finishedMerges: string[];
}

function findTmp(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...findTmp(dir, r));
    else if (e.name.endsWith('.tmp')) out.push(r);
  }
  return out;
}

/**
 * The repair steps that only touch files: delete unfinished writes (`.tmp`), set unreadable parts aside
 * as `.corrupt` (a merged file that is unreadable: the parts it covered, if still there, are live again),
 * then finish interrupted merges by deleting the parts a merged file covers.
 */
async function tidyParts(dir: string): Promise<Pick<RepairResult, 'removedTmp' | 'corrupt' | 'finishedMerges'>> {
  const removedTmp = findTmp(dir);
  for (const r of removedTmp) rmSync(join(dir, r), { force: true });
  const corrupt: string[] = [];
  for (const p of [...listParts(dir), ...listCoveredParts(dir)]) {
    try {
      await parquetRowCount(join(dir, p.path));
    } catch {
      renameSync(join(dir, p.path), join(dir, `${p.path}.corrupt`));
      corrupt.push(p.path);
    }
  }
  const finishedMerges = listCoveredParts(dir).map((p) => p.path);
  for (const r of finishedMerges) rmSync(join(dir, r), { force: true });
  return { removedTmp, corrupt, finishedMerges };
}

/**
 * Finalizes a session whose recorder died (kill -9, power loss, full disk): deletes unfinished `.tmp`
 * writes, sets unreadable parts aside as `.corrupt`, finishes interrupted merges, recounts samples,
 * batches and telemetry from the Parquet parts, computes every checksum, and rewrites session.json as
 * `complete` with `end_reason: "repaired"`. A complete session is verified; if a merge (by --compact)
 * was interrupted, the merge is finished and the file list rewritten after checking that every merged
 * file holds exactly the rows of the parts it replaced. A live recording is refused.
 */
export async function repairSession(dir: string): Promise<RepairResult> {
  const m = readManifest(dir);
  const shown = displayStatus(m);
  if (shown === 'recording') throw new OeError('USAGE', `${dir} is still being recorded (pid ${m.pid})`);
  const untouched = listCoveredParts(dir).length === 0 && findTmp(dir).length === 0 && sameFileSet(dir, m);
  if (m.status === 'complete' && untouched) {
    verifyFiles(dir, m);
    return { dir, manifest: m, changed: false, removedTmp: [], corrupt: [], finishedMerges: [] };
  }
  const tidy = await tidyParts(dir);
  const files: FileEntry[] = [];
  for (const p of listParts(dir)) files.push(await fileEntry(dir, p.path));
  const repaired = m.status === 'complete' ? reconcileComplete(dir, m, files) : await recountIncomplete(dir, m, files);
  writeManifest(dir, repaired);
  return { dir, manifest: repaired, changed: true, ...tidy };
}

/** The live parts on disk are exactly the files the manifest lists (paths only). */
function sameFileSet(dir: string, m: SessionManifest): boolean {
  const onDisk = listParts(dir).map((p) => p.path);
  const listed = new Set(m.files.map((f) => f.path));
  return onDisk.length === listed.size && onDisk.every((p) => listed.has(p));
}

/**
 * A complete session whose files changed by merging: every listed file is either still there
 * unchanged (checksum) or inside a merged file whose rows equal the rows of the listed files it covers.
 * Counts stay; the file list, part counts and size are rewritten.
 */
function reconcileComplete(dir: string, m: SessionManifest, files: FileEntry[]): SessionManifest {
  const byPath = new Map(files.map((f) => [f.path, f]));
  const live = listParts(dir);
  const covering = new Map<string, number>();
  for (const old of m.files) {
    const now = byPath.get(old.path);
    if (now) {
      if (now.sha256 !== old.sha256) {
        throw new OeError('BAD_INPUT', `${join(dir, old.path)}: checksum mismatch (changed since it was listed)`);
      }
      continue;
    }
    const dirOf = old.path.slice(0, old.path.lastIndexOf('/'));
    const n = Number(/part-(\d+)/.exec(old.path.slice(dirOf.length))?.[1]);
    const holder = live.find((p) => p.path.startsWith(`${dirOf}/`) && p.first <= n && n <= p.last);
    if (!holder) throw new OeError('BAD_INPUT', `${join(dir, old.path)}: missing and not held by a merged file`);
    covering.set(holder.path, (covering.get(holder.path) ?? 0) + old.rows);
  }
  for (const [path, rows] of covering) {
    const f = byPath.get(path) as FileEntry;
    if (f.rows !== rows) {
      throw new OeError('BAD_INPUT', `${join(dir, path)}: ${f.rows} rows, the parts it replaced had ${rows}`);
    }
  }
  const counts: Record<string, SourceCounts> = {};
  for (const [name, c] of Object.entries(m.counts)) {
    counts[name] = { ...c, parts: files.filter((f) => f.path.startsWith(`samples/source=${name}/`)).length };
  }
  return {
    ...m,
    repaired_at: new Date().toISOString(),
    counts,
    files,
    size_bytes: files.reduce((a, f) => a + f.bytes, 0),
  };
}

/** A session whose recorder died: everything counted again from the parts on disk. */
async function recountIncomplete(dir: string, m: SessionManifest, files: FileEntry[]): Promise<SessionManifest> {
  const counts: Record<string, SourceCounts> = {};
  const names = new Set([
    ...m.sources.map((s) => s.name),
    ...listParts(dir).flatMap((p) => (p.source ? [p.source] : [])),
  ]);
  for (const n of names) {
    const prev = m.counts[n];
    counts[n] = {
      samples: 0,
      batches: 0,
      parts: 0,
      timeouts: 0,
      errors: prev?.errors ?? 0,
      last_error: prev?.last_error ?? null,
    };
  }
  for (const f of files) {
    const mm = /^samples\/source=([^/]+)\//.exec(f.path);
    if (mm) {
      counts[mm[1]].samples += f.rows;
      counts[mm[1]].parts++;
    }
  }
  const endNs = await countBatches(dir, counts);
  const telemetry = await countTelemetry(dir, m);
  let conditioned = m.conditioned;
  if (conditioned) {
    const bytes = files.filter((f) => f.path.startsWith('conditioned/')).reduce((a, f) => a + f.rows, 0);
    conditioned = { ...conditioned, bytes };
  }
  // The end of the recording: the last batch's end, else the newest part on disk.
  let endedMs: number;
  if (endNs !== null) endedMs = Number(endNs / 1_000_000n);
  else {
    endedMs = Date.parse(m.started_at);
    for (const f of files) endedMs = Math.max(endedMs, statSync(join(dir, f.path)).mtimeMs);
  }
  return {
    ...m,
    status: 'complete',
    ended_at: new Date(endedMs).toISOString(),
    duration_ms: Math.max(0, endedMs - Date.parse(m.started_at)),
    end_reason: 'repaired',
    error: m.error,
    repaired_at: new Date().toISOString(),
    counts,
    total_samples: Object.values(counts).reduce((a, c) => a + c.samples, 0),
    telemetry,
    conditioned,
    files,
    size_bytes: files.reduce((a, f) => a + f.bytes, 0),
  };
}

/** Batches and deadline hits per source from batches/ (into `counts`); returns the last batch's end. */
async function countBatches(dir: string, counts: Record<string, SourceCounts>): Promise<bigint | null> {
  if (!listParts(dir).some((p) => p.table === 'batches')) return null;
  const r = await queryColumns(
    `SELECT source, count(*)::BIGINT AS batches, count(*) FILTER (WHERE status <> 'ok')::BIGINT AS short,
            max(end_ns) AS end_ns FROM ${tableRelation(dir, 'batches')} GROUP BY source`,
  );
  let endNs: bigint | null = null;
  (r.columns.source as string[]).forEach((s, i) => {
    if (!counts[s]) return;
    counts[s].batches = Number((r.columns.batches as BigInt64Array)[i]);
    counts[s].timeouts = Number((r.columns.short as BigInt64Array)[i]);
    const e = (r.columns.end_ns as BigInt64Array)[i];
    if (endNs === null || e > endNs) endNs = e;
  });
  return endNs;
}

async function countTelemetry(dir: string, m: SessionManifest): Promise<SessionManifest['telemetry']> {
  if (!listParts(dir).some((p) => p.table === 'telemetry')) return m.telemetry;
  const r = await queryColumns(
    `SELECT count(*)::BIGINT AS rows, count(DISTINCT t)::BIGINT AS snapshots,
            count(DISTINCT (domain, name, unit, source))::BIGINT AS metrics FROM ${tableRelation(dir, 'telemetry')}`,
  );
  return {
    interval_ms: m.config.telemetry_interval_ms,
    rows: Number((r.columns.rows as BigInt64Array)[0]),
    snapshots: Number((r.columns.snapshots as BigInt64Array)[0]),
    metrics: Number((r.columns.metrics as BigInt64Array)[0]),
  };
}
