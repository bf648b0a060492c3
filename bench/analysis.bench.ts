/**
 * Analysis benchmark: a session of 20 sources × 1 M samples (written through the recorder and the one
 * Parquet writer from a deterministic generator; the benchmark is about the analysis path).
 *
 * Reports, each phase in its own child process so that peak RSS belongs to that phase:
 * - load: DuckDB → typed arrays (value + byte) for every source, in samples/s, as a ratio to the 10 M/s target
 *   and to DuckDB's own scan of the same columns (SELECT sum(value), sum(byte)) measured in the same run;
 * - full: `analyzeSession` (per-source statistics, MCV, dependence, entropy over time): seconds and peak RSS;
 * - windowed: streamed entropy over time on the full session and on one a quarter of its size: peak RSS of
 *   both (bounded by a window, not by the session).
 *
 *   npm run bench -- analysis            (OE_BENCH_SOURCES / OE_BENCH_SAMPLES override 20 / 1000000)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SOURCES = Number(process.env.OE_BENCH_SOURCES ?? 20);
const SAMPLES = Number(process.env.OE_BENCH_SAMPLES ?? 1_000_000);
const ROOT = join(tmpdir(), 'oe-bench-analysis');
const TARGET = 10_000_000;
const self = fileURLToPath(import.meta.url);

function sessionId(samples: number): string {
  return `bench-${SOURCES}x${samples}`;
}

async function generate(samples: number): Promise<void> {
  const { recordSession } = await import('../src/collect/recorder/index.js');
  const { lowByte } = await import('../src/collect/extract.js');
  const specs = Array.from({ length: SOURCES }, (_, k) => ({
    name: `gen_${String(k).padStart(2, '0')}`,
    category: 'timing' as const,
    kind: 'physical' as const,
    description: 'deterministic generator (benchmark only)',
    physics: 'none: benchmark data',
    requirements: [],
    fast: true,
    sampler: 'bench',
    batchSize: 65_536,
    credit: 0,
    extract: lowByte,
  }));
  const state = new Map<string, { x: number; seq: number }>();
  const sampler = {
    async sample(spec: { name: string }, n: number) {
      const k = Number(spec.name.slice(4));
      const s = state.get(spec.name) ?? { x: (0x9e3779b9 * (k + 1)) >>> 0 || 1, seq: 0 };
      const values = new BigInt64Array(n);
      const w = new Int32Array(values.buffer);
      let x = s.x;
      for (let i = 0; i < n; i++) {
        // xorshift32: a timing-like value 180..435 with a slowly drifting offset every 4th source
        x ^= x << 13;
        x ^= x >>> 17;
        x ^= x << 5;
        const drift = k % 4 === 3 ? Math.floor(20 * Math.sin((s.seq + i) / 5000)) : 0;
        w[2 * i] = 180 + ((x >>> 0) & 0xff) + drift;
      }
      s.x = x;
      s.seq += n;
      state.set(spec.name, s);
      const now = BigInt(Date.now()) * 1_000_000n;
      return { source: spec.name, values, unit: 'tsc' as const, startNs: now, endNs: now + 1_000_000n };
    },
  };
  const id = sessionId(samples);
  rmSync(join(ROOT, id), { recursive: true, force: true });
  const t = performance.now();
  const r = await recordSession({
    sources: specs,
    output: ROOT,
    id,
    maxSamples: samples,
    maxRate: Number.POSITIVE_INFINITY,
    telemetryIntervalMs: 500,
    flushIntervalMs: 1000,
    sampler,
    skipProbe: true,
  });
  const s = (performance.now() - t) / 1000;
  console.log(
    JSON.stringify({
      phase: 'gen',
      samples,
      rows: r.manifest.total_samples,
      seconds: s,
      bytesOnDisk: r.manifest.size_bytes,
    }),
  );
}

function peakRssMiB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

async function load(samples: number): Promise<void> {
  const { readSourceSamples, openSession } = await import('../src/collect/session/index.js');
  const { queryColumns, sqlString } = await import('../src/db/index.js');
  const dir = join(ROOT, sessionId(samples));
  const { manifest } = openSession(dir);
  // Three rounds (the machine is shared: best and median are reported). Baseline: DuckDB's own scan of the
  // same columns with no transfer to JS, in the same rounds.
  const scans: number[] = [];
  const loads: number[] = [];
  const concurrent: number[] = [];
  let rows = 0;
  for (let round = 0; round < 3; round++) {
    let tScan = 0;
    let tLoad = 0;
    rows = 0;
    for (const s of manifest.sources) {
      const glob = join(dir, 'samples', `source=${s.name}`, '*.parquet');
      let t = performance.now();
      await queryColumns(
        `SELECT sum(value)::DOUBLE AS v, sum(byte)::DOUBLE AS b FROM read_parquet(${sqlString(glob)})`,
      );
      tScan += performance.now() - t;
      t = performance.now();
      const r = await readSourceSamples(dir, s.name, { columns: ['value', 'byte'], manifest });
      tLoad += performance.now() - t;
      rows += r.rowCount;
    }
    scans.push(tScan / 1000);
    loads.push(tLoad / 1000);
    // Two sources at a time (DuckDB scans on its own threads while JS copies the other's chunks).
    const t = performance.now();
    const names = manifest.sources.map((x) => x.name);
    for (let i = 0; i < names.length; i += 2)
      await Promise.all(
        names.slice(i, i + 2).map((name) => readSourceSamples(dir, name, { columns: ['value', 'byte'], manifest })),
      );
    concurrent.push((performance.now() - t) / 1000);
  }
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      phase: 'load',
      rows,
      loadSeconds: sorted(loads)[0],
      loadMedianSeconds: sorted(loads)[1],
      scanSeconds: sorted(scans)[0],
      scanMedianSeconds: sorted(scans)[1],
      concurrentSeconds: sorted(concurrent)[0],
      peakRssMiB: peakRssMiB(),
    }),
  );
}

async function full(samples: number): Promise<void> {
  const { analyzeSession } = await import('../src/jobs/session-analysis.js');
  const dir = join(ROOT, sessionId(samples));
  const t = performance.now();
  const a = await analyzeSession(dir, { entropy: 'mcv', telemetry: true });
  const seconds = (performance.now() - t) / 1000;
  const dep = a.standard.dependence;
  console.log(
    JSON.stringify({
      phase: 'full',
      seconds,
      peakRssMiB: peakRssMiB(),
      sources: a.standard.sources.length,
      pairs: dep && 'pairs' in dep ? dep.pairs.length : 0,
      flagged: dep && 'flagged' in dep ? dep.flagged.length : 0,
      verdicts: a.standard.summary,
    }),
  );
}

async function windowed(samples: number): Promise<void> {
  const { entropyOverTimeStreaming } = await import('../src/jobs/session-analysis.js');
  const dir = join(ROOT, sessionId(samples));
  const t = performance.now();
  const r = await entropyOverTimeStreaming(dir, 65_536);
  const seconds = (performance.now() - t) / 1000;
  console.log(
    JSON.stringify({
      phase: 'windowed',
      samples,
      seconds,
      peakRssMiB: peakRssMiB(),
      windows: r.reduce((a, x) => a + x.windows.length, 0),
    }),
  );
}

function child(phase: string, samples: number): Record<string, unknown> {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, phase, String(samples)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`phase ${phase} failed (${r.status})`);
  const line = r.stdout.trim().split('\n').pop() ?? '{}';
  return JSON.parse(line);
}

async function parent(): Promise<void> {
  const quarter = Math.floor(SAMPLES / 4);
  for (const n of [SAMPLES, quarter]) {
    if (!existsSync(join(ROOT, sessionId(n), 'session.json'))) {
      const g = child('gen', n);
      console.log(
        `generated ${sessionId(n)}: ${g.rows} rows in ${(g.seconds as number).toFixed(1)} s (${((g.rows as number) / (g.seconds as number) / 1e6).toFixed(2)} M rows/s through the recorder), ${((g.bytesOnDisk as number) / 2 ** 20).toFixed(1)} MiB`,
      );
    }
  }
  const l = child('load', SAMPLES);
  const loadRate = (l.rows as number) / (l.loadSeconds as number);
  const scanRate = (l.rows as number) / (l.scanSeconds as number);
  const medianRate = (l.rows as number) / (l.loadMedianSeconds as number);
  const concRate = (l.rows as number) / (l.concurrentSeconds as number);
  console.log(
    `load: ${l.rows} samples (2 values each: value INT64 + byte UTINYINT) from DuckDB into typed arrays: best of 3 rounds ${(l.loadSeconds as number).toFixed(2)} s, median ${(l.loadMedianSeconds as number).toFixed(2)} s`,
  );
  console.log(
    `  one source at a time: ${(loadRate / 1e6).toFixed(2)} M samples/s = ${((2 * loadRate) / 1e6).toFixed(2)} M values/s (median ${((2 * medianRate) / 1e6).toFixed(2)}); ratio to the 10 M values/s target ${((2 * loadRate) / TARGET).toFixed(2)}× (median ${((2 * medianRate) / TARGET).toFixed(2)}×)`,
  );
  console.log(
    `  two sources at a time: ${(concRate / 1e6).toFixed(2)} M samples/s = ${((2 * concRate) / 1e6).toFixed(2)} M values/s = ${((2 * concRate) / TARGET).toFixed(2)}× the target`,
  );
  console.log(
    `  DuckDB's own scan of the same columns (best of 3): ${(scanRate / 1e6).toFixed(2)} M rows/s; loading one source at a time runs at ${(loadRate / scanRate).toFixed(2)}× of it`,
  );
  const f = child('full', SAMPLES);
  console.log(
    `full analysis (${f.sources} sources × ${SAMPLES}: statistics, MCV, ${f.pairs} dependence pairs, entropy over time vs telemetry): ${(f.seconds as number).toFixed(1)} s, peak RSS ${(f.peakRssMiB as number).toFixed(0)} MiB; ${JSON.stringify(f.verdicts)}`,
  );
  const w1 = child('windowed', SAMPLES);
  const w4 = child('windowed', quarter);
  console.log(
    `windowed entropy over time (65536-sample windows, streamed): ${SOURCES}×${SAMPLES}: ${(w1.seconds as number).toFixed(1)} s, peak RSS ${(w1.peakRssMiB as number).toFixed(0)} MiB; ${SOURCES}×${quarter}: peak RSS ${(w4.peakRssMiB as number).toFixed(0)} MiB; ratio ${((w1.peakRssMiB as number) / (w4.peakRssMiB as number)).toFixed(2)} for a 4× larger session`,
  );
}

const [phase, n] = process.argv.slice(2);
const samples = Number(n ?? SAMPLES);
if (phase === 'gen') await generate(samples);
else if (phase === 'load') await load(samples);
else if (phase === 'full') await full(samples);
else if (phase === 'windowed') await windowed(samples);
else await parent();
process.exit(0);
