import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import {
  compactSession,
  groupForMerge,
  isFlushPart,
  listCoveredParts,
  listParts,
  type MergeStep,
  mergeParts,
  openSession,
  type PartOnDisk,
  planMerges,
  readManifest,
  readSourceSamples,
  repairSession,
  type SessionManifest,
  samplesRelation,
  splitCovered,
  streamSourceSamples,
  tableRelation,
  writeManifest,
} from '../src/collect/session/index.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { closeDb, nativeScanBuilt, queryColumns, sqlString } from '../src/db/index.js';
import { OeError } from '../src/errors.js';
import { runOeInProcess } from './cli-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'oe-merge-'));
let pool: SamplerPool;
/** A complete session in the layout without merging: one part per source per flush. */
let oldLayout: string;
let baseManifest: SessionManifest;

beforeAll(async () => {
  pool = new SamplerPool();
  const r = await recordSession({
    sources: [getSource('clock_jitter'), getSource('memory_timing')],
    maxSamples: 30_000,
    maxRate: 15_000,
    output: join(root, 'base'),
    flushIntervalMs: 100,
    telemetryIntervalMs: 100,
    mergeIntervalMs: 0,
    sampler: pool,
    skipProbe: true,
  });
  oldLayout = r.dir;
  baseManifest = r.manifest;
}, 120_000);
afterAll(async () => {
  await pool.close();
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

let copies = 0;
function copyOf(dir: string): string {
  const to = join(root, 'copies', `c${copies++}`);
  cpSync(dir, to, { recursive: true });
  return to;
}

const count = async (relation: string) =>
  Number(((await queryColumns(`SELECT count(*)::BIGINT AS n FROM ${relation}`)).columns.n as BigInt64Array)[0]);

/** What a plain notebook glob over the session's samples counts (no merge rule applied). */
const globCount = (dir: string) =>
  count(`read_parquet(${sqlString(join(dir, 'samples', '*', '*.parquet'))}, hive_partitioning = true)`);

/**
 * oe's readers see every row exactly once: per source, seq is 0..n-1 in order with n the manifest's
 * count; the samples relation and the batch log agree with the manifest.
 */
async function expectExact(dir: string, m: SessionManifest = baseManifest): Promise<void> {
  for (const s of m.sources) {
    const r = await readSourceSamples(dir, s.name, { columns: ['seq', 'value'] });
    expect(r.rowCount).toBe(m.counts[s.name].samples);
    const seq = r.seq as BigInt64Array;
    for (let i = 0; i < seq.length; i++) if (seq[i] !== BigInt(i)) throw new Error(`${s.name}: seq[${i}] = ${seq[i]}`);
  }
  expect(await count(samplesRelation(dir))).toBe(m.total_samples);
  const batches = Object.values(m.counts).reduce((a, c) => a + c.batches, 0);
  expect(await count(tableRelation(dir, 'batches'))).toBe(batches);
  expect(await count(tableRelation(dir, 'telemetry'))).toBe(m.telemetry?.rows);
}

function sourceParts(dir: string, source: string): PartOnDisk[] {
  return listParts(dir).filter((p) => p.source === source);
}

function expectOneLineError(e: unknown, code: string): OeError {
  expect(e).toBeInstanceOf(OeError);
  const err = e as OeError;
  expect(err.code).toBe(code);
  expect(err.message).not.toContain('\n');
  return err;
}

describe('the merge rule (parts.ts)', () => {
  const p = (path: string, first: number, last: number) => ({ path, first, last });

  it('skips parts covered by a merged file, prefers the merged name on equal ranges, refuses overlaps', () => {
    const { live, covered } = splitCovered(
      [
        p('part-00003.parquet', 3, 3),
        p('part-00000-00002.parquet', 0, 2),
        p('part-00001.parquet', 1, 1),
        p('part-00002.parquet', 2, 2),
      ],
      'd',
    );
    expect(live.map((x) => x.path)).toEqual(['part-00000-00002.parquet', 'part-00003.parquet']);
    expect(covered.map((x) => x.path).sort()).toEqual(['part-00001.parquet', 'part-00002.parquet']);
    const eq = splitCovered([p('part-00005.parquet', 5, 5), p('part-00005-00005.parquet', 5, 5)], 'd');
    expect(eq.live.map((x) => x.path)).toEqual(['part-00005-00005.parquet']);
    const e = (() => {
      try {
        splitCovered([p('part-00000-00005.parquet', 0, 5), p('part-00003-00009.parquet', 3, 9)], 'd');
      } catch (err) {
        return err;
      }
    })();
    expect(expectOneLineError(e, 'BAD_INPUT').message).toMatch(/overlap/);
  });

  it('plans one file per minute while recording and one per maxRows at the end', () => {
    const f = (rows: number, flushPart: boolean) => ({ rows, flushPart });
    const minute = Array.from({ length: 7 }, () => f(1200, false));
    const flush = Array.from({ length: 60 }, () => f(20, true));
    // Recording: the flush parts become one file; minute files wait until a group of up to maxRows closes.
    expect(planMerges([...minute, ...flush], 10_000, false).map((g) => g.length)).toEqual([60]);
    const closed = planMerges([...minute, f(1200, false), ...flush], 10_000, false);
    expect(closed.map((g) => g.length)).toEqual([8, 60]);
    // The end: every group, the flush parts with the last minute files.
    const end = planMerges([...minute, ...flush], 10_000, true);
    expect(end.reduce((a, g) => a + g.length, 0)).toBe(67);
    for (const g of end) expect(g.reduce((a, x) => a + x.rows, 0)).toBeLessThanOrEqual(10_000);
    // A file larger than maxRows stays alone; a long run of flush parts is cut at maxRows at the end.
    expect(planMerges([f(50_000, false), f(10, true)], 10_000, true)).toEqual([]);
    const cut = planMerges(
      Array.from({ length: 100 }, () => f(300, true)),
      10_000,
      true,
    );
    expect(cut.map((g) => g.length)).toEqual([33, 33, 33]);
    expect(groupForMerge([f(6, false), f(5, false), f(4, false)], 10).map((g) => g.length)).toEqual([2]);
  });
});

describe('merging flush parts, interrupted at every step', () => {
  it('readers count every row once at every step; a plain glob may see the covered parts; repair finishes', async () => {
    const parts = sourceParts(oldLayout, 'clock_jitter');
    expect(parts.length).toBeGreaterThanOrEqual(4);
    const merge = parts.slice(0, 4);
    // Steps: after the rename, after each deletion, and the finished merge.
    for (let stopAt = 1; stopAt <= merge.length + 2; stopAt++) {
      const dir = copyOf(oldLayout);
      let steps = 0;
      const onStep = (_s: MergeStep) => {
        if (++steps === stopAt) throw new Error('crash');
      };
      const r = await mergeParts(dir, merge, { onStep }).catch((e) => e);
      if (stopAt <= merge.length + 1) expect(r).toBeInstanceOf(Error);
      const covered = listCoveredParts(dir);
      await expectExact(dir);
      const extra = covered.reduce((a, c) => a + readManifest(oldLayout).files.find((f) => f.path === c.path)!.rows, 0);
      // The plain glob has no merge rule: the covered parts' rows count twice until repair deletes them.
      expect(await globCount(dir)).toBe(baseManifest.total_samples + extra);
      const rep = await repairSession(dir);
      expect(rep.finishedMerges.sort()).toEqual(covered.map((c) => c.path).sort());
      expect(listCoveredParts(dir)).toEqual([]);
      const { manifest } = openSession(dir, { verify: true });
      expect(manifest.status).toBe('complete');
      expect(manifest.counts.clock_jitter.samples).toBe(baseManifest.counts.clock_jitter.samples);
      expect(manifest.counts.clock_jitter.parts).toBe(baseManifest.counts.clock_jitter.parts - 3);
      expect(manifest.files.some((f) => /part-\d+-\d+\.parquet$/.test(f.path))).toBe(true);
      await expectExact(dir);
      expect(await globCount(dir)).toBe(baseManifest.total_samples);
    }
  });

  it('a crash before the rename leaves only a .tmp, which readers ignore and repair deletes', async () => {
    const dir = copyOf(oldLayout);
    const [a] = sourceParts(dir, 'clock_jitter');
    const tmp = join(dir, 'samples', 'source=clock_jitter', 'part-00000-00003.parquet.tmp');
    writeFileSync(tmp, readFileSync(join(dir, a.path)).subarray(0, 100));
    await expectExact(dir);
    const rep = await repairSession(dir);
    expect(rep.removedTmp).toEqual(['samples/source=clock_jitter/part-00000-00003.parquet.tmp']);
    expect(existsSync(tmp)).toBe(false);
    await expectExact(dir, openSession(dir, { verify: true }).manifest);
  });
});

describe('truncated parts', () => {
  it('a truncated merged file whose parts are still there is set aside and the parts count again', async () => {
    const dir = copyOf(oldLayout);
    const merge = sourceParts(dir, 'memory_timing').slice(0, 3);
    let steps = 0;
    await mergeParts(dir, merge, {
      onStep: () => {
        if (++steps === 1) throw new Error('crash after the rename');
      },
    }).catch(() => undefined);
    const merged = listParts(dir).find((p) => p.source === 'memory_timing' && !isFlushPart(basename(p.path)));
    truncateSync(join(dir, merged!.path), 64);
    const rep = await repairSession(dir);
    expect(rep.corrupt).toEqual([merged!.path]);
    expect(existsSync(join(dir, `${merged!.path}.corrupt`))).toBe(true);
    await expectExact(dir, openSession(dir, { verify: true }).manifest);
    expect(openSession(dir).manifest.total_samples).toBe(baseManifest.total_samples);
  });

  it('a truncated flush part of a dead recording is set aside; the rest is counted exactly', async () => {
    const dir = copyOf(oldLayout);
    const m = readManifest(dir);
    writeManifest(dir, { ...m, status: 'recording', pid: 0, files: [], ended_at: null, end_reason: null });
    const victim = sourceParts(dir, 'clock_jitter')[1];
    const rows = m.files.find((f) => f.path === victim.path)!.rows;
    truncateSync(join(dir, victim.path), 10);
    const e = await readSourceSamples(dir, 'clock_jitter').catch((x) => x);
    expect(expectOneLineError(e, 'BAD_INPUT').message).toContain(victim.path);
    const rep = await repairSession(dir);
    expect(rep.corrupt).toEqual([victim.path]);
    expect(rep.manifest.counts.clock_jitter.samples).toBe(m.counts.clock_jitter.samples - rows);
    expect(await count(samplesRelation(dir))).toBe(rep.manifest.total_samples);
    openSession(dir, { verify: true });
  });
});

describe('--compact', () => {
  it('brings the old layout to about one file per maxRows, with exact counts, checksums and the same rows', async () => {
    const dir = copyOf(oldLayout);
    const before = await readSourceSamples(dir, 'clock_jitter', { columns: ['value', 'byte', 'seq'] });
    const r = await compactSession(dir);
    expect(r.merges).toBeGreaterThan(0);
    expect(r.filesBefore).toBe(baseManifest.files.length);
    // One file per directory: two sources, batches, telemetry (each well under 10 M rows).
    expect(r.filesAfter).toBe(4);
    expect(schemaValidator('session')(r.manifest)).toBe(true);
    expect(r.manifest.compacted_at).toBeDefined();
    expect(r.manifest.counts).toEqual(
      Object.fromEntries(Object.entries(baseManifest.counts).map(([k, c]) => [k, { ...c, parts: 1 }])),
    );
    expect(openSession(dir, { verify: true }).manifest.files).toEqual(r.manifest.files);
    await expectExact(dir);
    const after = await readSourceSamples(dir, 'clock_jitter', { columns: ['value', 'byte', 'seq'] });
    expect(
      Buffer.from((after.value as BigInt64Array).buffer).equals(Buffer.from((before.value as BigInt64Array).buffer)),
    ).toBe(true);
    expect(Buffer.from(after.byte as Uint8Array).equals(Buffer.from(before.byte as Uint8Array))).toBe(true);
    expect(await globCount(dir)).toBe(baseManifest.total_samples);
    // Row groups sized for scans: the small flush parts were re-encoded.
    const rg = await queryColumns(
      `SELECT max(row_group_num_rows)::BIGINT AS m FROM parquet_metadata(${sqlString(join(dir, 'samples/source=clock_jitter/*.parquet'))})`,
    );
    expect(Number((rg.columns.m as BigInt64Array)[0])).toBe(
      Math.min(122_880, baseManifest.counts.clock_jitter.samples),
    );
    const again = await compactSession(dir);
    expect(again.merges).toBe(0);
    expect(again.repaired).toBe(false);
  });

  it('finishes a compaction interrupted at every step (by --repair or another --compact)', async () => {
    for (let stopAt = 1; stopAt <= 6; stopAt++) {
      const dir = copyOf(oldLayout);
      let steps = 0;
      const crash = await compactSession(dir, {
        onStep: () => {
          if (++steps === stopAt) throw new Error('crash');
        },
      }).catch((e) => e);
      expect(crash).toBeInstanceOf(Error);
      await expectExact(dir);
      const finish = stopAt % 2 === 0 ? await compactSession(dir) : await repairSession(dir);
      expect(listCoveredParts(dir)).toEqual([]);
      const { manifest } = openSession(dir, { verify: true });
      expect(manifest.total_samples).toBe(baseManifest.total_samples);
      expect(finish.manifest.status).toBe('complete');
      await expectExact(dir);
    }
  });

  it('oe sessions <id> --compact --json validates and reports the files before and after', async () => {
    const dir = copyOf(oldLayout);
    const res = await runOeInProcess(['sessions', dir, '--compact', '--json']);
    expect(res.code).toBe(0);
    const out = JSON.parse(res.stdout);
    expect(schemaValidator('sessions')(out)).toBe(true);
    expect(out.kind).toBe('compact');
    expect(out.files_before).toBe(baseManifest.files.length);
    expect(out.files_after).toBe(4);
  });
});

describe('recording with merges', () => {
  it('merges while recording and at the end: few files, every row once, streamed readers follow merges', async () => {
    const merges: number[] = [];
    const seen: number[] = [];
    let streamed = 0;
    const out = join(root, 'merging');
    const recording = recordSession({
      sources: [getSource('clock_jitter')],
      durationSec: 3,
      maxRate: 100_000,
      output: out,
      flushIntervalMs: 100,
      telemetryIntervalMs: 200,
      mergeIntervalMs: 400,
      mergeMaxRows: 60_000,
      sampler: pool,
      skipProbe: true,
      events: {
        merge: (e) => merges.push(e.parts),
        flush: () => {
          const d = readdirSync(out)[0];
          if (d) seen.push(readdirSync(join(out, d, 'samples', 'source=clock_jitter')).length);
        },
      },
    });
    // A reader streaming the session while it is recorded and merged never sees a row twice. It starts once
    // the first part is on disk (the writer process starts slowly on a loaded machine).
    for (let waited = 0; !seen.some((n) => n > 0) && waited < 60_000; waited += 50)
      await new Promise((r) => setTimeout(r, 50));
    const dir = join(out, readdirSync(out)[0]);
    let expect0 = 0n;
    for await (const c of streamSourceSamples(dir, 'clock_jitter', { columns: ['seq'], chunkRows: 4096 })) {
      for (const v of c.columns.seq as BigInt64Array)
        if (v !== expect0++) throw new Error(`seq ${v}, expected ${expect0 - 1n}`);
      streamed += c.rowCount;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { manifest } = await recording;
    expect(streamed).toBeGreaterThan(0);
    expect(merges.length).toBeGreaterThan(1);
    expect(manifest.config.merge_interval_ms).toBe(400);
    expect(schemaValidator('session')(manifest)).toBe(true);
    // The end: no flush part left beside merged files, each merged file within maxRows (or one big file).
    const live = listParts(dir);
    // At most one flush part per directory (when its file before it is too full to take it).
    const flushParts = live
      .filter((p) => isFlushPart(basename(p.path)))
      .map((p) => p.path.slice(0, p.path.lastIndexOf('/')));
    expect(new Set(flushParts).size).toBe(flushParts.length);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(live.map((p) => p.path).sort());
    const samples = manifest.files.filter((f) => f.path.startsWith('samples/'));
    // Any two neighbouring files hold more than maxRows together (else they would have been merged).
    const rows = samples.map((f) => f.rows);
    for (let i = 1; i < rows.length; i++) expect(rows[i - 1] + rows[i]).toBeGreaterThan(60_000);
    expect(samples.length).toBeLessThanOrEqual(Math.ceil((2 * manifest.total_samples) / 60_000) + 1);
    openSession(dir, { verify: true });
    await expectExact(dir, manifest);
  });
});

/** Whether a process is running (a zombie waiting for init to reap it is not). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1][0] !== 'Z';
  } catch {
    return process.platform !== 'linux';
  }
}

function exitOf(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.on('exit', () => resolve()));
}

describe('kill -9 mid-merge', () => {
  it('after a kill at any moment, readers count every row once and repair finishes the session', async () => {
    // Six children killed after different delays while flushes (50 ms) and merges (150 ms) run: the
    // default writer (in this process where the native scan is built) and the writer process, alternately.
    const delays = [700, 1100, 1400, 1750, 2300, 900];
    const outs = delays.map((_, i) => join(root, `killed-${i}`));
    const mode = (i: number) => (i % 2 === 0 ? 'default' : 'process');
    const children = outs.map((o, i) =>
      spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'recorder-merge-child.ts'), o, mode(i)], {
        stdio: 'ignore',
      }),
    );
    const started = Date.now();
    // Wait until each child has its first merged file, then kill it after its delay.
    await Promise.all(
      children.map(async (c, i) => {
        for (;;) {
          const d = existsSync(outs[i]) ? readdirSync(outs[i])[0] : undefined;
          const src = d && join(outs[i], d, 'samples', 'source=clock_jitter');
          if (src && existsSync(src) && readdirSync(src).some((f) => /-\d+\.parquet$/.test(f))) break;
          if (Date.now() - started > 60_000) throw new Error('no merge within 60 s');
          await new Promise((r) => setTimeout(r, 50));
        }
        await new Promise((r) => setTimeout(r, delays[i]));
        const ended = exitOf(c);
        c.kill('SIGKILL');
        await ended;
        // A writer process ends with it (mid-COPY or idle), as an in-process write does.
        if (!existsSync(`${outs[i]}.writer-pid`)) {
          expect(mode(i) === 'default' && nativeScanBuilt()).toBe(true);
          return;
        }
        const writer = Number(readFileSync(`${outs[i]}.writer-pid`, 'utf8'));
        for (let waited = 0; alive(writer) && waited < 30_000; waited += 50)
          await new Promise((r) => setTimeout(r, 50));
        expect(alive(writer)).toBe(false);
      }),
    );
    for (const o of outs) {
      const dir = join(o, readdirSync(o)[0]);
      const m = readManifest(dir);
      expect(m.status).toBe('recording');
      const r = await readSourceSamples(dir, 'clock_jitter', { columns: ['seq'] });
      const seq = r.seq as BigInt64Array;
      for (let i = 0; i < seq.length; i++) if (seq[i] !== BigInt(i)) throw new Error(`${dir}: seq[${i}] = ${seq[i]}`);
      expect(await count(samplesRelation(dir))).toBe(r.rowCount);
      const rep = await repairSession(dir);
      expect(rep.manifest.status).toBe('complete');
      expect(rep.manifest.total_samples).toBe(r.rowCount);
      expect(listCoveredParts(dir)).toEqual([]);
      openSession(dir, { verify: true });
      await expectExact(dir, rep.manifest);
    }
  }, 120_000);
});

describe('readers accept both layouts', () => {
  it('a part of the old layout next to merged files reads in order', async () => {
    const dir = copyOf(oldLayout);
    const parts = sourceParts(dir, 'clock_jitter');
    await mergeParts(dir, parts.slice(1, 3));
    // part-00000, part-00001-00002, part-00003…: flush parts and a merged file side by side.
    const names = sourceParts(dir, 'clock_jitter').map((p) => basename(p.path));
    expect(names.slice(0, 3)).toEqual(['part-00000.parquet', 'part-00001-00002.parquet', 'part-00003.parquet']);
    await expectExact(dir);
  });
});
