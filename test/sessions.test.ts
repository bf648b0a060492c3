import { type ChildProcess, spawn } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import {
  listParts,
  listSessions,
  openSession,
  readManifest,
  readSourceSamples,
  repairSession,
  resolveSession,
  samplesRelation,
} from '../src/collect/session/index.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { closeDb, queryColumns } from '../src/db/index.js';
import { OeError } from '../src/errors.js';
import { runOeInProcess } from './cli-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'oe-sessions-'));
let pool: SamplerPool;
let goodDir: string;

beforeAll(async () => {
  pool = new SamplerPool();
  const r = await recordSession({
    sources: [getSource('clock_jitter')],
    maxSamples: 20_000,
    maxRate: Number.POSITIVE_INFINITY,
    output: join(root, 'base'),
    flushIntervalMs: 100,
    telemetryIntervalMs: 100,
    sampler: pool,
  });
  goodDir = r.dir;
});
afterAll(async () => {
  await pool.close();
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

/** A fresh copy of the good session to break. */
function copyGood(name: string): string {
  const dir = join(root, 'broken', name);
  cpSync(goodDir, dir, { recursive: true });
  return dir;
}

function errorOf(fn: () => unknown): OeError {
  try {
    fn();
  } catch (e) {
    return e as OeError;
  }
  throw new Error('expected an error');
}

async function asyncErrorOf(p: Promise<unknown>): Promise<OeError> {
  try {
    await p;
  } catch (e) {
    return e as OeError;
  }
  throw new Error('expected an error');
}

describe('corrupt sessions give one-line errors naming the file', () => {
  it('bad JSON', () => {
    const dir = copyGood('badjson');
    writeFileSync(join(dir, 'session.json'), '{"format": "oe-session", "id": ');
    const e = errorOf(() => readManifest(dir));
    expect(e).toBeInstanceOf(OeError);
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(join(dir, 'session.json'));
    expect(e.message).toMatch(/invalid JSON/);
    expect(e.message).not.toContain('\n');
  });

  it('missing manifest', () => {
    const dir = copyGood('missing');
    rmSync(join(dir, 'session.json'));
    const e = errorOf(() => readManifest(dir));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toContain(join(dir, 'session.json'));
  });

  it('truncated Parquet part', async () => {
    const dir = copyGood('truncated');
    const part = readManifest(dir).files.find((f) => f.path.startsWith('samples/'));
    const path = join(dir, part!.path);
    truncateSync(path, Math.floor(part!.bytes / 2));
    const e = errorOf(() => openSession(dir, { verify: true }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toContain(path);
    expect(e.message).not.toContain('\n');
    // Reading it without verification fails too, naming the part.
    const r = await asyncErrorOf(readSourceSamples(dir, 'clock_jitter'));
    expect(r.code).toBe('BAD_INPUT');
    expect(r.message).toContain(path);
    expect(r.message).not.toContain('\n');
  });

  it('checksum mismatch with the size unchanged', () => {
    const dir = copyGood('checksum');
    const part = readManifest(dir).files.find((f) => f.path.startsWith('samples/'));
    const path = join(dir, part!.path);
    const bytes = readFileSync(path);
    bytes[Math.floor(bytes.length / 2)] ^= 0xff;
    writeFileSync(path, bytes);
    const e = errorOf(() => openSession(dir, { verify: true }));
    expect(e.code).toBe('BAD_INPUT');
    expect(e.message).toMatch(/checksum mismatch/);
    expect(e.message).toContain(path);
  });

  it('the list shows a broken manifest as unreadable instead of failing', async () => {
    const list = await listSessions(join(root, 'broken'));
    const bad = list.find((s) => s.id === 'badjson');
    expect(bad?.status).toBe('unreadable');
    expect(bad?.error).toMatch(/invalid JSON/);
  });
});

describe('resolving ids', () => {
  it('accepts the exact id, a unique prefix or substring, and rejects unknown and ambiguous ones', () => {
    const base = join(root, 'base');
    const id = readManifest(goodDir).id;
    expect(resolveSession(base, id)).toBe(goodDir);
    expect(resolveSession(base, id.slice(0, 12))).toBe(goodDir);
    expect(resolveSession(base, id.slice(-8))).toBe(goodDir);
    expect(errorOf(() => resolveSession(base, 'nope')).code).toBe('NOT_FOUND');
    // `latest` is the newest session by id (ids start with the UTC start time).
    const latestIn = mkdtempSync(join(tmpdir(), 'oe-latest-'));
    for (const name of ['2026-01-01T000000Z-a-1', '2026-03-01T000000Z-b-2', '2026-02-01T000000Z-c-3']) {
      mkdirSync(join(latestIn, name));
      writeFileSync(join(latestIn, name, 'session.json'), '{}');
    }
    expect(resolveSession(latestIn, 'latest')).toBe(join(latestIn, '2026-03-01T000000Z-b-2'));
    rmSync(latestIn, { recursive: true, force: true });
    const broken = join(root, 'broken');
    expect(resolveSession(broken, 'ch')).toBe(join(broken, 'checksum'));
    // no directory starts with "e"; as a substring it is in "truncated" and "checksum": ambiguous
    const amb = errorOf(() => resolveSession(broken, 'e'));
    expect(amb.code).toBe('USAGE');
    expect(amb.message).toMatch(/matches 2 sessions/);
  });
});

function cli(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function waitFor(pred: () => boolean, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const tick = () => {
      if (pred()) resolve(true);
      else if (Date.now() - t0 > timeoutMs) resolve(false);
      else setTimeout(tick, 100);
    };
    tick();
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
}

function samplePartsUnder(out: string): number {
  if (!existsSync(out)) return 0;
  let n = 0;
  for (const id of readdirSync(out)) {
    const d = join(out, id, 'samples', 'source=clock_jitter');
    if (existsSync(d)) n += readdirSync(d).filter((f) => f.endsWith('.parquet')).length;
  }
  return n;
}

describe('kill -9 and SIGTERM mid-recording (the CLI as child processes, run side by side)', () => {
  it('kill -9 keeps every flushed part readable and repair finalizes the manifest; SIGTERM finishes cleanly', async () => {
    const out = join(root, 'killed');
    const outTerm = join(root, 'term');
    const args = [
      'record',
      '--sources',
      'clock_jitter',
      '--flush-interval',
      '200ms',
      '--telemetry-interval',
      '200ms',
      '--quiet',
    ];
    const child = cli([...args, '--duration', '60', '--output', out]);
    const term = cli([...args, '--output', outTerm]);
    const exited = exitOf(child);
    const termExited = exitOf(term);
    const [ok1, ok2] = await Promise.all([
      waitFor(() => samplePartsUnder(out) >= 3, 40_000),
      waitFor(() => samplePartsUnder(outTerm) >= 1, 40_000),
    ]);
    child.kill('SIGKILL');
    term.kill('SIGTERM');
    expect(ok1 && ok2).toBe(true);
    expect((await exited).signal).toBe('SIGKILL');
    expect((await termExited).code).toBe(0);

    // SIGTERM: a complete manifest whose checksums match.
    const [termDir] = readdirSync(outTerm).map((d) => join(outTerm, d));
    const { manifest: tm } = openSession(termDir, { verify: true });
    expect(tm.status).toBe('complete');
    expect(tm.end_reason).toBe('SIGTERM');

    // kill -9: still "recording" on disk, listed as incomplete, readable.
    const [dir] = readdirSync(out).map((d) => join(out, d));
    expect(readManifest(dir).status).toBe('recording');
    const list = await listSessions(out);
    expect(list[0].status).toBe('incomplete');
    expect(list[0].samples).toBeGreaterThan(0);
    const before = await readSourceSamples(dir, 'clock_jitter', { columns: ['seq'] });
    expect(before.rowCount).toBe(list[0].samples);
    expect(Array.from(before.seq as BigInt64Array).every((v, i) => v === BigInt(i))).toBe(true);

    // Leave an unfinished write behind as a crash would, then repair.
    writeFileSync(join(dir, 'samples', 'source=clock_jitter', 'part-99999.parquet.tmp'), 'half a file');
    const r = await repairSession(dir);
    expect(r.changed).toBe(true);
    expect(r.removedTmp).toContain('samples/source=clock_jitter/part-99999.parquet.tmp');
    expect(schemaValidator('session')(r.manifest)).toBe(true);
    expect(r.manifest.status).toBe('complete');
    expect(r.manifest.end_reason).toBe('repaired');
    expect(r.manifest.counts.clock_jitter.samples).toBe(before.rowCount);
    const n = await queryColumns(`SELECT count(*)::BIGINT AS n FROM ${samplesRelation(dir)}`);
    expect(Number((n.columns.n as BigInt64Array)[0])).toBe(r.manifest.total_samples);
    expect(r.manifest.files.map((f) => f.path).sort()).toEqual(
      listParts(dir)
        .map((p) => p.path)
        .sort(),
    );
    expect(openSession(dir, { verify: true }).manifest.status).toBe('complete');
    expect((await repairSession(dir)).changed).toBe(false);
  });
});

describe('oe sessions (CLI)', () => {
  it('lists as JSON valid against the schema, shows one session, and names a bad one in one line', async () => {
    const base = join(root, 'base');
    const list = await runOeInProcess(['sessions', '--dir', base, '--json']);
    expect(list.code).toBe(0);
    const data = JSON.parse(list.stdout);
    expect(schemaValidator('sessions')(data)).toBe(true);
    expect(data.sessions[0].samples).toBe(20_000);

    const id = readManifest(goodDir).id;
    const show = await runOeInProcess(['sessions', id.slice(-8), '--dir', base, '--json', '--verify']);
    expect(show.code).toBe(0);
    const one = JSON.parse(show.stdout);
    expect(schemaValidator('sessions')(one)).toBe(true);
    expect(one.manifest.counts.clock_jitter.samples).toBe(20_000);
    expect(one.telemetry_summary.length).toBeGreaterThan(0);

    const text = await runOeInProcess(['sessions', id.slice(0, 10), '--dir', base]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('clock_jitter');
    expect(text.stdout).toMatch(/telemetry \d+ snapshots/);

    const bad = await runOeInProcess(['sessions', 'checksum', '--dir', join(root, 'broken'), '--verify']);
    expect(bad.code).toBe(4);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/checksum mismatch/);

    const none = await runOeInProcess(['sessions', 'no-such-id', '--dir', base]);
    expect(none.code).toBe(3);
  });
});
