/**
 * Session storage, old layout (one Parquet file per source per flush, `mergeIntervalMs: 0`) against the
 * merged layout (docs/SESSIONS.md, "Layout and merge rule"), each pair measured in the same run:
 *
 * 1. Files and bytes: the available fast sources at the default cap, recorded for OE_BENCH_STORAGE_SEC
 *    (default 75 s: more than one merge interval) in each layout, one after the other; the Parquet files
 *    of the session are counted every second. Printed: files per minute at the end (files / minutes
 *    recorded), the peak while recording, and bytes on disk per sample.
 * 2. Full scan: the old-layout session, a copy compacted by `oe sessions --compact` (row groups
 *    re-encoded where small) and a copy merged by byte copies only (row groups as the flushes wrote
 *    them), each read by the same DuckDB query (count, sum(value), sum(byte), max(seq) per source) over
 *    the plain glob, alternated OE_BENCH_SCANS times (default 7); medians and ratios.
 *
 *   npm run bench -- storage
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeSource } from '../src/collect/availability.js';
import { selectSources } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { compactSession, listParts } from '../src/collect/session/index.js';
import { closeDb, queryColumns, sqlString } from '../src/db/index.js';

const SEC = Number(process.env.OE_BENCH_STORAGE_SEC ?? 75);
const SCANS = Number(process.env.OE_BENCH_SCANS ?? 7);
const root = mkdtempSync(join(tmpdir(), 'oe-bench-storage-'));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const sources = selectSources(undefined).filter((s) => probeSource(s) === null);

function parquetFiles(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) n += parquetFiles(join(dir, e.name));
    else if (e.name.endsWith('.parquet')) n++;
  }
  return n;
}

/** Records one session in a layout; returns its directory, files and bytes per sample, and the peak file count. */
async function record(layout: 'old' | 'new') {
  const out = join(root, layout);
  let peak = 0;
  const timer = setInterval(() => {
    const d = existsSync(out) ? readdirSync(out)[0] : undefined;
    if (d) peak = Math.max(peak, parquetFiles(join(out, d)));
  }, 1000);
  const { dir, manifest } = await recordSession({
    sources,
    durationSec: SEC,
    output: out,
    mergeIntervalMs: layout === 'old' ? 0 : undefined,
  });
  clearInterval(timer);
  const files = manifest.files.length;
  const minutes = (manifest.duration_ms ?? 1) / 60_000;
  process.stdout.write(
    `  ${layout} layout: ${manifest.total_samples} samples from ${sources.length} sources in ${(minutes * 60).toFixed(0)} s, ` +
      `${files} files at the end (${(files / minutes).toFixed(0)} per minute), peak ${Math.max(peak, files)} while recording, ` +
      `${(manifest.size_bytes / manifest.total_samples).toFixed(3)} bytes/sample\n`,
  );
  return { dir, files, minutes, peak: Math.max(peak, files), bps: manifest.size_bytes / manifest.total_samples };
}

process.stdout.write(`1. files and bytes (${SEC} s at the default cap, each layout):\n`);
const oldRun = await record('old');
const newRun = await record('new');
await closeSharedSamplerPool();
process.stdout.write(
  `files per minute: old ${(oldRun.files / oldRun.minutes).toFixed(0)}, new ${(newRun.files / newRun.minutes).toFixed(1)} ` +
    `(${(oldRun.files / oldRun.minutes / (newRun.files / newRun.minutes)).toFixed(0)}× fewer); ` +
    `peak while recording old ${oldRun.peak}, new ${newRun.peak}; ` +
    `bytes per sample old ${oldRun.bps.toFixed(3)}, new ${newRun.bps.toFixed(3)} (new/old ${(newRun.bps / oldRun.bps).toFixed(3)})\n`,
);

// 2. The same session in three layouts.
const compacted = join(root, 'compacted');
const concatenated = join(root, 'concatenated');
cpSync(oldRun.dir, compacted, { recursive: true });
cpSync(oldRun.dir, concatenated, { recursive: true });
await compactSession(compacted);
await compactSession(concatenated, { mode: 'concat' });
const layouts: Record<string, string> = {
  'old layout': oldRun.dir,
  compacted: compacted,
  'byte-merged': concatenated,
};
const scan = (d: string) =>
  `SELECT source, count(*) AS n, sum(value)::DOUBLE AS sv, sum(byte)::BIGINT AS sb, max(seq) AS ms
     FROM read_parquet(${sqlString(join(d, 'samples', '*', '*.parquet'))}, hive_partitioning = true) GROUP BY source`;
const times: Record<string, number[]> = Object.fromEntries(Object.keys(layouts).map((k) => [k, []]));
for (let k = 0; k < SCANS; k++) {
  for (const [name, d] of Object.entries(layouts)) {
    const t = performance.now();
    await queryColumns(scan(d));
    times[name].push(performance.now() - t);
  }
}
const base = median(times['old layout']);
process.stdout.write(`2. DuckDB full scan of the same session (median of ${SCANS}, alternated):\n`);
for (const [name, d] of Object.entries(layouts)) {
  const files = listParts(d).filter((p) => p.table === 'samples').length;
  const rg = await queryColumns(
    `SELECT count(*)::BIGINT AS g FROM (SELECT DISTINCT file_name, row_group_id FROM parquet_metadata(${sqlString(join(d, 'samples', '*', '*.parquet'))}))`,
  );
  process.stdout.write(
    `  ${name.padEnd(12)} ${median(times[name]).toFixed(0).padStart(6)} ms  (${(base / median(times[name])).toFixed(2)}× the old layout's speed; ` +
      `${files} sample files, ${Number((rg.columns.g as BigInt64Array)[0])} row groups) [${times[name].map((x) => x.toFixed(0)).join(', ')}]\n`,
  );
}
await closeDb();
rmSync(root, { recursive: true, force: true });
