import { readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { queryColumns } from '../../db/index.js';
import { OeError } from '../../errors.js';
import { fileEntry, listParts, parquetRowCount, verifyFiles } from './files.js';
import { readManifest, type SessionManifest, type SourceCounts, writeManifest } from './manifest.js';
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
 * Finalizes a session whose recorder died (kill -9, power loss, full disk): deletes unfinished `.tmp`
 * writes, sets unreadable parts aside as `.corrupt`, recounts samples, batches and telemetry from the
 * Parquet parts, computes every checksum, and rewrites session.json as `complete` with
 * `end_reason: "repaired"`. A complete session is only verified. A live recording is refused.
 */
export async function repairSession(dir: string): Promise<RepairResult> {
  const m = readManifest(dir);
  const shown = displayStatus(m);
  if (shown === 'recording') throw new OeError('USAGE', `${dir} is still being recorded (pid ${m.pid})`);
  if (m.status === 'complete') {
    verifyFiles(dir, m);
    return { dir, manifest: m, changed: false, removedTmp: [], corrupt: [] };
  }
  const removedTmp = findTmp(dir);
  for (const r of removedTmp) rmSync(join(dir, r), { force: true });

  const corrupt: string[] = [];
  const good: string[] = [];
  for (const p of listParts(dir)) {
    try {
      await parquetRowCount(join(dir, p.path));
      good.push(p.path);
    } catch {
      renameSync(join(dir, p.path), join(dir, `${p.path}.corrupt`));
      corrupt.push(p.path);
    }
  }
  const files = [];
  for (const rel of good) files.push(await fileEntry(dir, rel));

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
  const parts = listParts(dir);
  let endNs: bigint | null = null;
  if (parts.some((p) => p.table === 'batches')) {
    const r = await queryColumns(
      `SELECT source, count(*)::BIGINT AS batches, count(*) FILTER (WHERE status <> 'ok')::BIGINT AS short,
              max(end_ns) AS end_ns FROM ${tableRelation(dir, 'batches')} GROUP BY source`,
    );
    const src = r.columns.source as string[];
    src.forEach((s, i) => {
      if (!counts[s]) return;
      counts[s].batches = Number((r.columns.batches as BigInt64Array)[i]);
      counts[s].timeouts = Number((r.columns.short as BigInt64Array)[i]);
      const e = (r.columns.end_ns as BigInt64Array)[i];
      if (endNs === null || e > endNs) endNs = e;
    });
  }
  let telemetry = m.telemetry;
  if (parts.some((p) => p.table === 'telemetry')) {
    const r = await queryColumns(
      `SELECT count(*)::BIGINT AS rows, count(DISTINCT t)::BIGINT AS snapshots,
              count(DISTINCT (domain, name, unit, source))::BIGINT AS metrics FROM ${tableRelation(dir, 'telemetry')}`,
    );
    telemetry = {
      interval_ms: m.config.telemetry_interval_ms,
      rows: Number((r.columns.rows as BigInt64Array)[0]),
      snapshots: Number((r.columns.snapshots as BigInt64Array)[0]),
      metrics: Number((r.columns.metrics as BigInt64Array)[0]),
    };
  }
  let conditioned = m.conditioned;
  if (conditioned) {
    const bytes = files.filter((f) => f.path.startsWith('conditioned/')).reduce((a, f) => a + f.rows, 0);
    conditioned = { ...conditioned, bytes };
  }
  // The end of the recording: the last batch's end, else the newest part on disk.
  let endedMs: number;
  if (endNs !== null) endedMs = Number((endNs as bigint) / 1_000_000n);
  else {
    endedMs = Date.parse(m.started_at);
    for (const f of files) endedMs = Math.max(endedMs, statSync(join(dir, f.path)).mtimeMs);
  }
  const total = Object.values(counts).reduce((a, c) => a + c.samples, 0);
  const repaired: SessionManifest = {
    ...m,
    status: 'complete',
    ended_at: new Date(endedMs).toISOString(),
    duration_ms: Math.max(0, endedMs - Date.parse(m.started_at)),
    end_reason: 'repaired',
    error: m.error,
    repaired_at: new Date().toISOString(),
    counts,
    total_samples: total,
    telemetry,
    conditioned,
    files,
    size_bytes: files.reduce((a, f) => a + f.bytes, 0),
  };
  writeManifest(dir, repaired);
  return { dir, manifest: repaired, changed: true, removedTmp, corrupt };
}
