import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource } from '../src/collect/availability.js';
import { CATALOG, getSource } from '../src/collect/catalog.js';
import { lowByte } from '../src/collect/extract.js';
import { recordSession, WRITER_NICE_DELTA } from '../src/collect/recorder/index.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import {
  listParts,
  openSession,
  readSourceSamples,
  readTelemetry,
  samplesRelation,
  tableRelation,
  verifyFiles,
} from '../src/collect/session/index.js';
import type { SourceSpec } from '../src/collect/types.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { closeDb, nativeScanBuilt, queryColumns } from '../src/db/index.js';
import { packageRoot } from '../src/util/paths.js';
import { autogroupNice } from '../src/util/priority.js';

const root = mkdtempSync(join(tmpdir(), 'oe-rec-'));
let pool: SamplerPool;
beforeAll(() => {
  pool = new SamplerPool();
});
afterAll(async () => {
  await pool.close();
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

/** The documented column types, parsed from schemas/PARQUET.md (so the doc and the files must agree). */
function documentedTypes(section: string): Record<string, string> {
  const md = readFileSync(join(packageRoot(), 'schemas', 'PARQUET.md'), 'utf8');
  const start = md.indexOf(`## \`${section}`);
  const end = md.indexOf('\n## ', start + 1);
  const out: Record<string, string> = {};
  for (const line of md.slice(start, end < 0 ? undefined : end).split('\n')) {
    const m = /^\|\s*`(\w+)`\s*\|\s*([A-Z]+)\s*\|/.exec(line);
    if (m) out[m[1]] = m[2];
  }
  return out;
}

async function describeTypes(relation: string): Promise<Record<string, string>> {
  const r = await queryColumns(`SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM ${relation})`);
  const out: Record<string, string> = {};
  (r.columns.column_name as string[]).forEach((n, i) => {
    out[n] = (r.columns.column_type as string[])[i];
  });
  return out;
}

/** A few fast sources that run here (clock_jitter first), so the test does not depend on one machine's set. */
function fastAvailable(n: number): SourceSpec[] {
  const picked = [getSource('clock_jitter')];
  for (const s of CATALOG) {
    if (picked.length >= n) break;
    if (s.fast && !s.optIn && s.kind === 'physical' && !picked.includes(s) && probeSource(s) === null) picked.push(s);
  }
  return picked;
}

const hangSpec: SourceSpec = {
  name: 'test_hang',
  category: 'timing',
  kind: 'physical',
  description: 'test-only sampler that never produces a sample before its deadline',
  physics: 'none: it spins until cancelled',
  requirements: [],
  fast: true,
  sampler: 'test_hang',
  batchSize: 1024,
  credit: 0,
  extract: lowByte,
};

describe('recordSession', () => {
  it('records a short session whose Parquet matches the manifest, the documented types and the extraction', async () => {
    const sources = fastAvailable(3);
    const { dir, manifest } = await recordSession({
      sources,
      durationSec: 2.5,
      output: root,
      flushIntervalMs: 500,
      telemetryIntervalMs: 400,
      maxRate: 50_000,
      tags: { test: 'roundtrip' },
      note: 'vitest',
      sampler: pool,
    });
    expect(schemaValidator('session')(manifest)).toBe(true);
    expect(manifest.status).toBe('complete');
    expect(manifest.end_reason).toBe('duration');
    expect(manifest.tags).toEqual({ test: 'roundtrip' });
    expect(openSession(dir, { verify: true }).manifest).toEqual(manifest);
    verifyFiles(dir, manifest);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      listParts(dir)
        .map((p) => p.path)
        .sort(),
    );

    // Counts per source: DuckDB over the hive glob == manifest == sum of batch sizes.
    const counts = await queryColumns(
      `SELECT source, count(*)::BIGINT AS n, min(seq) AS lo, max(seq) AS hi, count(DISTINCT seq)::BIGINT AS d
         FROM ${samplesRelation(dir)} GROUP BY source ORDER BY source`,
    );
    const batches = await queryColumns(
      `SELECT source, sum(n)::BIGINT AS n, count(*)::BIGINT AS b FROM ${tableRelation(dir, 'batches')} GROUP BY source ORDER BY source`,
    );
    const names = counts.columns.source as string[];
    // On a heavily loaded machine a source can be starved for the whole 2.5 s: it is then reported with no
    // samples, batches or parts (not lost, not a crash); every source that got samples round-trips exactly.
    const fed = sources.filter((s) => manifest.counts[s.name].samples > 0);
    for (const s of sources.filter((x) => !fed.includes(x))) {
      expect(manifest.counts[s.name]).toMatchObject({ samples: 0, batches: 0, parts: 0 });
    }
    expect(fed.length).toBeGreaterThan(0);
    expect(names).toEqual(fed.map((s) => s.name).sort());
    names.forEach((name, i) => {
      const n = Number((counts.columns.n as BigInt64Array)[i]);
      expect(n).toBe(manifest.counts[name].samples);
      expect(n).toBeGreaterThan(0);
      expect((counts.columns.lo as BigInt64Array)[i]).toBe(0n);
      expect(Number((counts.columns.hi as BigInt64Array)[i])).toBe(n - 1);
      expect(Number((counts.columns.d as BigInt64Array)[i])).toBe(n);
      expect(Number((batches.columns.n as BigInt64Array)[i])).toBe(n);
      expect(Number((batches.columns.b as BigInt64Array)[i])).toBe(manifest.counts[name].batches);
    });
    expect(manifest.total_samples).toBe(names.reduce((a, n) => a + manifest.counts[n].samples, 0));

    // Types as documented in schemas/PARQUET.md.
    const sampleTypes = await describeTypes(samplesRelation(dir));
    expect(sampleTypes).toEqual({ ...documentedTypes('samples'), source: 'VARCHAR' });
    expect(await describeTypes(tableRelation(dir, 'batches'))).toEqual(documentedTypes('batches'));
    expect(await describeTypes(tableRelation(dir, 'telemetry'))).toEqual(documentedTypes('telemetry'));

    // The byte column is the source's documented extraction of the value column, in seq order.
    for (const spec of fed) {
      const s = await readSourceSamples(dir, spec.name);
      expect(s.rowCount).toBe(manifest.counts[spec.name].samples);
      expect(Array.from(s.seq as BigInt64Array).every((v, i) => v === BigInt(i))).toBe(true);
      expect(Buffer.from(s.byte as Uint8Array).equals(Buffer.from(spec.extract(s.value as BigInt64Array)))).toBe(true);
      expect(manifest.sources.find((x) => x.name === spec.name)?.unit).toMatch(/^(tsc|ns|count|value)$/);
    }

    // Telemetry present: several snapshots, counters with rates, gauges without.
    const tel = await readTelemetry(dir);
    expect(tel.rowCount).toBe(manifest.telemetry?.rows);
    expect(manifest.telemetry?.snapshots).toBeGreaterThanOrEqual(3);
    const tnames = tel.columns.name as string[];
    expect(tnames).toContain('uptime_seconds');
    const kinds = tel.columns.kind as string[];
    const rate = tel.columns.rate as Float64Array;
    expect(kinds.some((k, i) => k === 'counter' && !Number.isNaN(rate[i]))).toBe(true);
    expect(kinds.every((k, i) => k === 'counter' || Number.isNaN(rate[i]))).toBe(true);
  });

  it('records the entropy pool output into conditioned/ with --conditioning', async () => {
    const { dir, manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 1.5,
      output: root,
      flushIntervalMs: 300,
      telemetryIntervalMs: 0,
      conditioning: 'raw',
      sampler: pool,
    });
    expect(schemaValidator('session')(manifest)).toBe(true);
    expect(manifest.config.conditioning).toBe('raw');
    expect(manifest.conditioned?.mode).toBe('raw');
    // The pool fails closed when its sources cannot be health-tested in time (a heavily loaded machine):
    // then no byte is recorded and the failure is reported instead.
    if (manifest.conditioned?.bytes === 0) {
      expect(manifest.conditioned.errors).toBeGreaterThan(0);
      expect(manifest.conditioned.last_error).toBeTruthy();
      return;
    }
    expect(manifest.conditioned?.bytes).toBeGreaterThan(0);
    const r = await queryColumns(
      `SELECT count(*)::BIGINT AS n, min(seq) AS lo, max(seq) AS hi FROM ${tableRelation(dir, 'conditioned')}`,
    );
    expect(Number((r.columns.n as BigInt64Array)[0])).toBe(manifest.conditioned?.bytes);
    expect((r.columns.lo as BigInt64Array)[0]).toBe(0n);
    expect(Number((r.columns.hi as BigInt64Array)[0])).toBe((manifest.conditioned?.bytes ?? 0) - 1);
    expect(await describeTypes(tableRelation(dir, 'conditioned'))).toEqual(documentedTypes('conditioned'));
  });

  it('keeps recording the other sources while one sampler hangs', async () => {
    const { dir, manifest } = await recordSession({
      sources: [getSource('clock_jitter'), hangSpec],
      durationSec: 2,
      output: root,
      flushIntervalMs: 500,
      telemetryIntervalMs: 0,
      batchTimeoutMs: 300,
      maxRate: 20_000,
      skipProbe: true,
      sampler: pool,
    });
    expect(manifest.status).toBe('complete');
    expect(manifest.end_reason).toBe('duration');
    expect(manifest.counts.test_hang.samples).toBe(0);
    expect(manifest.counts.test_hang.timeouts).toBeGreaterThanOrEqual(1);
    // The hung sampler got a handful of attempts; clock_jitter kept delivering batch after batch.
    expect(manifest.counts.clock_jitter.batches).toBeGreaterThan(4 * manifest.counts.test_hang.timeouts);
    expect(manifest.counts.clock_jitter.errors).toBe(0);
    expect(manifest.telemetry).toBeNull();
    const r = await queryColumns(`SELECT count(*)::BIGINT AS n FROM ${samplesRelation(dir)}`);
    expect(Number((r.columns.n as BigInt64Array)[0])).toBe(manifest.counts.clock_jitter.samples);
  });

  it('keeps recording when a sampler segfaults: the crash fails its batches, not the process', async () => {
    const segv: SourceSpec = { ...hangSpec, name: 'test_segv', sampler: 'test_segv' };
    const { dir, manifest } = await recordSession({
      sources: [getSource('clock_jitter'), segv],
      durationSec: 1.5,
      output: root,
      flushIntervalMs: 500,
      telemetryIntervalMs: 0,
      maxRate: 20_000,
      skipProbe: true,
      sampler: pool,
    });
    expect(manifest.status).toBe('complete');
    expect(manifest.end_reason).toBe('duration');
    expect(manifest.counts.test_segv.samples).toBe(0);
    expect(manifest.counts.test_segv.errors).toBeGreaterThanOrEqual(1);
    expect(manifest.counts.test_segv.last_error).toMatch(/sampler crashed with SIGSEGV/);
    expect(pool.sourceState('test_segv').crashes).toBeGreaterThanOrEqual(1);
    expect(manifest.counts.clock_jitter.samples).toBeGreaterThan(0);
    expect(manifest.counts.clock_jitter.errors).toBe(0);
    const r = await queryColumns(`SELECT count(*)::BIGINT AS n FROM ${samplesRelation(dir)}`);
    expect(Number((r.columns.n as BigInt64Array)[0])).toBe(manifest.counts.clock_jitter.samples);
  });

  it("annotates every batch with its SP 800-90B health and keeps a constant source's raw data", async () => {
    const constant: SourceSpec = { ...hangSpec, name: 'test_constant', sampler: 'test_constant', credit: 1 };
    const { dir, manifest } = await recordSession({
      sources: [getSource('clock_jitter'), constant],
      maxSamples: 4000,
      output: root,
      telemetryIntervalMs: 0,
      flushIntervalMs: 200,
      maxRate: Number.POSITIVE_INFINITY,
      skipProbe: true,
      sampler: pool,
    });
    expect(manifest.counts.test_constant.samples).toBe(4000);
    const r = await queryColumns(
      `SELECT source, string_agg(DISTINCT health, ',' ORDER BY health) AS h FROM ${tableRelation(dir, 'batches')} GROUP BY source ORDER BY source`,
    );
    const health = Object.fromEntries(
      (r.columns.source as string[]).map((s, i) => [s, (r.columns.h as string[])[i].split(',')]),
    );
    // A constant stream fails start-up testing (its MCV estimate is 0 bits) and then sits in quarantine.
    expect(health.test_constant).toContain('startup');
    expect(health.test_constant.every((h) => ['startup', 'quarantined', 'rct', 'apt'].includes(h))).toBe(true);
    expect(health.test_constant).not.toContain('ok');
    expect(health.clock_jitter.every((h) => ['startup', 'ok', 'quarantined', 'rct', 'apt'].includes(h))).toBe(true);
  });

  it('stops each source at --max-samples and ends by itself', async () => {
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      maxSamples: 5000,
      output: root,
      telemetryIntervalMs: 0,
      flushIntervalMs: 200,
      maxRate: Number.POSITIVE_INFINITY,
      sampler: pool,
    });
    expect(manifest.counts.clock_jitter.samples).toBe(5000);
    expect(manifest.end_reason).toBe('max-samples');
  });

  it('ends cleanly on abort (SIGINT path) with status complete', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort('SIGINT'), 800);
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      output: root,
      signal: ac.signal,
      telemetryIntervalMs: 0,
      sampler: pool,
    });
    expect(manifest.status).toBe('complete');
    expect(manifest.end_reason).toBe('SIGINT');
    expect(manifest.counts.clock_jitter.samples).toBeGreaterThan(0);
  });

  it('ends with a one-line IO error naming the file when a part cannot be written, keeping what was flushed', async () => {
    const ac = new AbortController();
    const id = 'write-failure-test';
    const dir = join(root, id);
    // After the first flush, make the samples directory unwritable by replacing it with a file.
    let swapped = false;
    const p = recordSession(
      {
        sources: [getSource('clock_jitter')],
        output: root,
        id,
        signal: ac.signal,
        durationSec: 5,
        flushIntervalMs: 200,
        telemetryIntervalMs: 0,
        sampler: pool,
      },
      (prog) => {
        if (!swapped && prog.parts >= 1) {
          swapped = true;
          const src = join(dir, 'samples', 'source=clock_jitter');
          renameSync(src, `${src}.moved`);
          writeFileSync(src, 'not a directory');
        }
      },
    );
    const err = await p.catch((e) => e);
    expect(String(err.message)).toMatch(/cannot (write|create|read back)/);
    expect(err.message).not.toContain('\n');
    expect(err.code).toBe('IO');
    const m = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'));
    expect(m.status).toBe('failed');
    expect(m.files.length).toBeGreaterThanOrEqual(1);
  });

  it('writes in its own process by default when the native scan is built, else through the writer process', async () => {
    let pid = 0;
    const { manifest } = await recordSession({
      sources: [getSource('clock_jitter')],
      output: root,
      maxSamples: 50_000,
      maxRate: 100_000,
      telemetryIntervalMs: 0,
      sampler: pool,
      events: { writer: (e) => (pid = e.pid) },
    });
    expect(pid === 0).toBe(nativeScanBuilt());
    expect(manifest.status).toBe('complete');
    await expectOnDisk(manifest, 'clock_jitter');
  });

  it('writes through a shared writer process whose every thread (and autogroup) runs 10 nice levels lower', async () => {
    let pid = 0;
    const nices: number[] = [];
    const { manifest } = await recordSession(
      {
        sources: [getSource('clock_jitter')],
        output: root,
        durationSec: 30,
        maxSamples: 400_000,
        maxRate: 100_000,
        flushIntervalMs: 200,
        mergeIntervalMs: 500,
        telemetryIntervalMs: 0,
        sampler: pool,
        writerProcess: true,
        events: { writer: (e) => (pid = e.pid) },
      },
      (prog) => {
        // Once parts are on disk DuckDB's threads exist too: every thread's nice (field 19 of its stat).
        if (nices.length > 0 || prog.parts < 2 || process.platform !== 'linux') return;
        for (const t of readdirSync(`/proc/${pid}/task`)) {
          nices.push(Number(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16]));
        }
      },
    );
    expect(pid).toBeGreaterThan(0);
    expect(manifest.status).toBe('complete');
    expect(manifest.counts.clock_jitter.samples).toBe(400_000);
    if (process.platform === 'linux') {
      expect(nices.length).toBeGreaterThan(5);
      expect(new Set(nices)).toEqual(new Set([Math.min(19, getPriority(0) + WRITER_NICE_DELTA)]));
      // Its own session is its own autogroup where the kernel has them: that group is lowered too.
      const own = autogroupNice('self');
      if (own !== null) expect(autogroupNice(pid)).toBe(Math.min(19, own + WRITER_NICE_DELTA));
    }
    await expectOnDisk(manifest, 'clock_jitter');
    // The next recording of this process writes through the same one.
    let again = 0;
    const second = await recordSession({
      sources: [getSource('clock_jitter')],
      output: root,
      maxSamples: 2000,
      telemetryIntervalMs: 0,
      sampler: pool,
      writerProcess: true,
      events: { writer: (e) => (again = e.pid) },
    });
    expect(again).toBe(pid);
    await expectOnDisk(second.manifest, 'clock_jitter');
  });

  it("closeWriterProcesses() as a process's last await waits for the writer process to end", () => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'writer-close-child.ts'), join(root, 'close-child')],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('closed\n');
  });

  it('a writer process that dies ends the recording with a one-line IO error, keeping what was flushed', async () => {
    const id = 'writer-killed-test';
    let pid = 0;
    let killed = false;
    const err = await recordSession(
      {
        sources: [getSource('clock_jitter')],
        output: root,
        id,
        durationSec: 30,
        flushIntervalMs: 200,
        telemetryIntervalMs: 0,
        sampler: pool,
        writerProcess: true,
        events: { writer: (e) => (pid = e.pid) },
      },
      (prog) => {
        if (!killed && prog.parts >= 1) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      },
    ).catch((e) => e);
    expect(err.code).toBe('IO');
    expect(err.message).toMatch(/Parquet writer process ended \(SIGKILL\)/);
    expect(err.message).not.toContain('\n');
    const m = JSON.parse(readFileSync(join(root, id, 'session.json'), 'utf8'));
    expect(m.status).toBe('failed');
    expect(m.files.length).toBeGreaterThanOrEqual(1);
    verifyFiles(join(root, id), m);
    // The next recording starts a new writer process.
    let next = 0;
    const after = await recordSession({
      sources: [getSource('clock_jitter')],
      output: root,
      maxSamples: 2000,
      telemetryIntervalMs: 0,
      sampler: pool,
      writerProcess: true,
      events: { writer: (e) => (next = e.pid) },
    });
    expect(next).not.toBe(pid);
    expect(after.manifest.status).toBe('complete');
  });

  it('a writer that falls behind slows the sampling instead of buffering without bound, and drops nothing', async () => {
    let flushes = 0;
    let batches = 0;
    let sampled = 0;
    const { manifest } = await recordSession(
      {
        sources: [getSource('clock_jitter')],
        output: root,
        durationSec: 2,
        maxRate: Number.POSITIVE_INFINITY,
        flushIntervalMs: 200,
        telemetryIntervalMs: 0,
        // One byte: every delivered batch fills the buffer, so no batch starts until a flush has written it.
        maxBufferedBytes: 1,
        writerProcess: false,
        sampler: pool,
        events: { flush: () => flushes++, batch: (e) => (batches += e.samples > 0 ? 1 : 0) },
      },
      (prog) => {
        sampled = prog.totalSamples;
      },
    );
    expect(manifest.status).toBe('complete');
    // The batches in flight when the buffer filled, then at most one round per flush.
    expect(batches).toBeLessThanOrEqual((flushes + 1) * 2 * Math.max(2, availableParallelism()));
    expect(manifest.counts.clock_jitter.batches).toBe(batches);
    expect(manifest.total_samples).toBe(sampled);
    await expectOnDisk(manifest, 'clock_jitter');
  });
});

/** The rows on disk are the manifest's count, with seq 0, 1, 2, … (nothing lost or repeated). */
async function expectOnDisk(manifest: { id: string; counts: Record<string, { samples: number }> }, source: string) {
  const dir = join(root, manifest.id);
  openSession(dir, { verify: true });
  const r = await readSourceSamples(dir, source, { columns: ['seq'] });
  expect(r.rowCount).toBe(manifest.counts[source].samples);
  const seq = r.seq as BigInt64Array;
  for (let i = 0; i < seq.length; i++) if (seq[i] !== BigInt(i)) throw new Error(`seq[${i}] = ${seq[i]}`);
}
