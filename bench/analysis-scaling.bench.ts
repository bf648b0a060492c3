/**
 * Analysis time and peak RSS against session length, on real recordings: what the user waits for,
 * `oe sessions <dir> --analyze --json` from the command's start to its end (bin/oe.js, the built dist/),
 * measured by /usr/bin/time -v, for sessions of 1, 4 and 16 recorded minutes (and longer on request).
 *
 * The sessions: a real default recording of 60 s and one of 240 s (`oe record --duration 60|240`, or
 * OE_BENCH_RECORDING_1M / OE_BENCH_RECORDING_4M pointing at existing ones), each rewritten with one part
 * per source; a longer session joins the 4-minute recording end to end (minutes/4
 * copies; seq, batch and every timestamp shifted, so it reads as one continuous recording). The analysis's
 * contiguous windows are fixed (SP 800-90B: 16,384 samples, dependence: 65,536), its entropy-over-time
 * windows at most 200 per source, and batch rows and telemetry are streamed, so its time per recorded
 * minute should not grow and its peak RSS should level off. Reported per length: recorded minutes,
 * samples, wall and CPU seconds (median of OE_BENCH_REPEATS, default 2), peak RSS (the largest), seconds
 * per recorded minute and its ratio to the 1-minute session's in the same run, and the load average.
 *
 *   npm run build && npm run bench -- analysis-scaling
 *   OE_BENCH_MINUTES=1,4,16,64,256   the lengths (multiples of 4 past 4; default 1,4,16; OE_BENCH_64=1 adds 64)
 *   OE_BENCH_REPEATS=n               analyses per length
 *   OE_BENCH_KEEP=1                  keep the joined sessions longer than 16 minutes (deleted after their
 *                                    measurement otherwise: 256 minutes is ~2.8 GB)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '..');
const oe = join(repo, 'bin', 'oe.js');
const ROOT = join(tmpdir(), 'oe-bench-scaling');
const REPEATS = Number(process.env.OE_BENCH_REPEATS ?? 2);

/** A real default recording of `seconds`, recorded once into ROOT/raw (or given by `env`). */
function recording(seconds: number, env: string): string {
  const given = process.env[env];
  if (given) return given;
  const raw = join(ROOT, `raw-${seconds}s`);
  const found = existsSync(raw) ? readdirSync(raw).find((d) => existsSync(join(raw, d, 'session.json'))) : undefined;
  if (found) return join(raw, found);
  process.stdout.write(`recording a default ${seconds}-s session into ${raw} (once; set ${env} to reuse one)\n`);
  const r = spawnSync(process.execPath, [oe, 'record', '--duration', String(seconds), '--output', raw], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`oe record failed (${r.status})`);
  const made = readdirSync(raw).find((d) => existsSync(join(raw, d, 'session.json')));
  if (!made) throw new Error('oe record wrote no session');
  return join(raw, made);
}

/**
 * Writes `copies` copies of the session at `src` end to end into `out`: one samples part per source and
 * copy (DuckDB's COPY, row groups of its default 122,880), one batches and one telemetry part per copy,
 * and a manifest with the counts and checksums.
 */
async function joinSession(src: string, copies: number, out: string): Promise<void> {
  const { execute, streamColumns, sqlString, writeParquet } = await import('../src/db/index.js');
  const { fileEntry, listParts } = await import('../src/collect/session/files.js');
  const { tableRelation } = await import('../src/collect/session/reader.js');
  const m = JSON.parse(readFileSync(join(src, 'session.json'), 'utf8'));
  const spanNs = BigInt(m.duration_ms) * 1_000_000n + 1_000_000_000n;
  rmSync(out, { recursive: true, force: true });
  const files: string[] = [];
  /** Per source: samples and batch ids of one copy (what the next copy's seq and batch are shifted by). */
  const offsets = new Map<string, { n: bigint; b: bigint }>();
  const counts: Record<string, { samples: number; batches: number; parts: number }> = {};
  const all = async (sql: string) => {
    const chunks = [];
    for await (const c of streamColumns(sql, undefined, { chunkRows: 1 << 22 })) chunks.push(c);
    return chunks;
  };
  for (const s of m.sources as { name: string }[]) {
    // The live parts only (a merged file covers the flush parts it replaced: src/collect/session/parts.ts).
    const paths = listParts(src)
      .filter((p) => p.table === 'samples' && p.source === s.name)
      .map((p) => sqlString(join(src, p.path)));
    if (paths.length === 0) continue;
    const glob = `[${paths.join(', ')}]`;
    const [{ n, b }] = (
      await all(`SELECT count(*)::BIGINT AS n, coalesce(max(batch) + 1, 0)::BIGINT AS b FROM read_parquet(${glob})`)
    ).map((c) => ({ n: (c.columns.n as BigInt64Array)[0], b: (c.columns.b as BigInt64Array)[0] }));
    counts[s.name] = { samples: Number(n) * copies, batches: Number(b) * copies, parts: n > 0n ? copies : 0 };
    offsets.set(s.name, { n, b });
    // One part per copy, written by DuckDB itself (COPY: no row passes through JS); copy 0 sorted by seq,
    // the others read back from it in that order (COPY keeps it) with seq and batch shifted.
    const first = join(out, `samples/source=${s.name}/part-00000.parquet`);
    mkdirSync(dirname(first), { recursive: true });
    for (let k = 0; k < copies; k++) {
      const rel = `samples/source=${s.name}/part-${String(k).padStart(5, '0')}.parquet`;
      const from = k === 0 ? `read_parquet(${glob}, hive_partitioning = false)` : `read_parquet(${sqlString(first)})`;
      const K = BigInt(k);
      await execute(
        `COPY (SELECT value, byte, seq + ${K * n} AS seq, batch + ${K * b} AS batch FROM ${from}${k === 0 ? ' ORDER BY seq' : ''})
           TO ${sqlString(join(out, rel))} (FORMAT parquet, COMPRESSION zstd, PARQUET_VERSION v2)`,
      );
      files.push(rel);
    }
  }
  mkdirSync(join(out, 'batches'), { recursive: true });
  mkdirSync(join(out, 'telemetry'), { recursive: true });
  for (let k = 0; k < copies; k++) {
    const K = BigInt(k);
    const [bt] = await all(`SELECT * FROM ${tableRelation(src, 'batches')} ORDER BY source, batch`);
    const src_ = bt.columns.source as string[];
    const shift = (col: string, by: (i: number) => bigint) =>
      (bt.columns[col] as BigInt64Array).map((v, i) => v + by(i));
    const rel = `batches/part-${String(k).padStart(5, '0')}.parquet`;
    await writeParquet(join(out, rel), [
      { name: 'source', type: 'VARCHAR', data: src_ },
      { name: 'batch', type: 'BIGINT', data: shift('batch', (i) => K * (offsets.get(src_[i])?.b ?? 0n)) },
      { name: 'seq_start', type: 'BIGINT', data: shift('seq_start', (i) => K * (offsets.get(src_[i])?.n ?? 0n)) },
      { name: 'n', type: 'INTEGER', data: bt.columns.n as Int32Array },
      { name: 'requested', type: 'INTEGER', data: bt.columns.requested as Int32Array },
      { name: 'start_ns', type: 'BIGINT', data: shift('start_ns', () => K * spanNs) },
      { name: 'end_ns', type: 'BIGINT', data: shift('end_ns', () => K * spanNs) },
      { name: 'status', type: 'VARCHAR', data: bt.columns.status as string[] },
      { name: 'health', type: 'VARCHAR', data: bt.columns.health as string[] },
    ]);
    files.push(rel);
    const [te] = await all(`SELECT * FROM ${tableRelation(src, 'telemetry')} ORDER BY t`);
    if (te) {
      const trel = `telemetry/part-${String(k).padStart(5, '0')}.parquet`;
      await writeParquet(join(out, trel), [
        { name: 't', type: 'TIMESTAMP', data: (te.columns.t as BigInt64Array).map((v) => v + (K * spanNs) / 1000n) },
        ...['domain', 'name', 'unit', 'source', 'kind'].map((n) => ({
          name: n,
          type: 'VARCHAR' as const,
          data: te.columns[n] as string[],
        })),
        { name: 'value', type: 'DOUBLE', data: te.columns.value as Float64Array },
        { name: 'rate', type: 'DOUBLE', data: te.columns.rate as Float64Array, nullIfNaN: true },
      ]);
      files.push(trel);
    }
  }
  const entries = [];
  for (const f of files) entries.push(await fileEntry(out, f));
  const manifest = {
    ...m,
    id: `${m.id}-x${copies}`,
    duration_ms: m.duration_ms * copies,
    ended_at: new Date(Date.parse(m.started_at) + m.duration_ms * copies).toISOString(),
    counts: Object.fromEntries(
      Object.entries(m.counts as Record<string, object>).map(([k, v]) => [k, { ...v, ...counts[k] }]),
    ),
    total_samples: Object.values(counts).reduce((a, c) => a + c.samples, 0),
    telemetry: m.telemetry
      ? { ...m.telemetry, snapshots: m.telemetry.snapshots * copies, rows: m.telemetry.rows * copies }
      : null,
    files: entries,
    size_bytes: entries.reduce((a, e) => a + e.bytes, 0),
    note: `${copies} copies of ${m.id} end to end (bench/analysis-scaling.bench.ts)`,
  };
  writeFileSync(join(out, 'session.json'), `${JSON.stringify(manifest, null, 2)}\n`);
}

interface Run {
  wall: number;
  cpu: number;
  rssMiB: number;
}

/** `oe sessions <dir> --analyze --json` under /usr/bin/time -v. */
function analyse(dir: string): Run {
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, oe, 'sessions', dir, '--analyze', '--json'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`oe sessions --analyze failed: ${r.stderr.split('\n').slice(-25).join('\n')}`);
  const field = (re: RegExp) => {
    const m = re.exec(r.stderr);
    if (!m) throw new Error(`no ${re} in /usr/bin/time's output`);
    return m[1];
  };
  const [mm, ss] = field(/Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)/)
    .split(':')
    .slice(-2);
  return {
    wall: Number(mm) * 60 + Number(ss),
    cpu: Number(field(/User time \(seconds\): (\S+)/)) + Number(field(/System time \(seconds\): (\S+)/)),
    rssMiB: Number(field(/Maximum resident set size \(kbytes\): (\d+)/)) / 1024,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];

async function main(): Promise<void> {
  if (!existsSync(join(repo, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('dist/ is missing: run "npm run build" first (the bench times the built command)\n');
    process.exit(1);
  }
  if (!existsSync('/usr/bin/time')) {
    process.stdout.write('/usr/bin/time is missing (Debian package "time"): it measures the peak RSS\n');
    process.exit(1);
  }
  mkdirSync(ROOT, { recursive: true });
  const one = recording(60, 'OE_BENCH_RECORDING_1M');
  const four = recording(240, 'OE_BENCH_RECORDING_4M');
  const minutes = (process.env.OE_BENCH_MINUTES ?? '1,4,16').split(',').map(Number);
  if (process.env.OE_BENCH_64 === '1' && !minutes.includes(64)) minutes.push(64);
  const bad = minutes.filter((m) => !(m === 1 || (Number.isInteger(m) && m >= 4 && m % 4 === 0)));
  if (bad.length > 0) {
    process.stdout.write(`OE_BENCH_MINUTES: ${bad.join(', ')} (each 1, or a multiple of 4)\n`);
    process.exit(1);
  }
  const plan = minutes
    .sort((a, b) => a - b)
    .map((m) => (m === 1 ? { minutes: 1, src: one, copies: 1 } : { minutes: m, src: four, copies: m / 4 }));
  const keep = process.env.OE_BENCH_KEEP === '1';
  const { closeDb } = await import('../src/db/index.js');
  /** The joined session of `p` (built once; the stamp says from what). */
  const build = async (p: (typeof plan)[number]): Promise<string> => {
    const out = join(ROOT, `m${p.minutes}`);
    const stamp = join(out, '.from');
    const from = `${p.src} x${p.copies}`;
    if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== from) {
      process.stdout.write(`building the ${p.minutes}-minute session (${from})\n`);
      await joinSession(p.src, p.copies, out);
      writeFileSync(stamp, from);
      await closeDb();
    }
    return out;
  };
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  process.stdout.write(
    `\noe sessions <dir> --analyze --json, median of ${REPEATS} (peak RSS: the largest; nice ${niceness()})\n`,
  );
  const rows: string[] = [
    'minutes      samples   wall s   CPU s  wall s/min  CPU s/min  wall/min ratio to 1 min  peak RSS MiB  load before -> after',
  ];
  process.stdout.write(`${rows[0]}\n`);
  let perMinute1 = 0;
  for (const p of plan) {
    const dir = await build(p);
    const samples = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8')).total_samples;
    const before = load();
    const runs = Array.from({ length: REPEATS }, () => analyse(dir));
    const wall = median(runs.map((r) => r.wall));
    const cpu = median(runs.map((r) => r.cpu));
    const rss = Math.max(...runs.map((r) => r.rssMiB));
    const perMinute = wall / p.minutes;
    if (p.minutes === 1) perMinute1 = perMinute;
    const ratio = perMinute1 > 0 ? (perMinute / perMinute1).toFixed(2) : '-';
    const row = `${String(p.minutes).padStart(7)}  ${String(samples).padStart(11)}  ${wall.toFixed(1).padStart(7)}  ${cpu.toFixed(1).padStart(6)}  ${perMinute.toFixed(2).padStart(10)}  ${(cpu / p.minutes).toFixed(2).padStart(9)}  ${ratio.padStart(23)}  ${rss.toFixed(0).padStart(12)}  ${before} -> ${load()}`;
    rows.push(row);
    process.stdout.write(`${row}\n`);
    if (p.minutes > 16 && !keep) rmSync(dir, { recursive: true, force: true });
  }
  const size = (d: string): number =>
    readdirSync(d, { recursive: true, encoding: 'utf8' }).reduce(
      (a: number, f: string) => a + statSync(join(d, f)).size,
      0,
    );
  // Again in one piece (building a joined session prints between the rows).
  process.stdout.write(`\n${rows.join('\n')}\n`);
  process.stdout.write(
    `sessions in ${ROOT} (${(size(ROOT) / 2 ** 20).toFixed(0)} MiB; those past 16 minutes ${keep ? 'kept' : 'deleted'}); delete it to rebuild them\n`,
  );
}

/** This process's nice value (the analyses inherit it): timings under nice 15 are rough. */
function niceness(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
}

await main();
