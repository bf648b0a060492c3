import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource } from '../src/collect/availability.js';
import { CATALOG } from '../src/collect/catalog.js';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import { compositeSources } from '../src/collect/sources/composite.js';
import { ipcSources } from '../src/collect/sources/ipc.js';
import { microarchSources } from '../src/collect/sources/microarch.js';
import { networkSources } from '../src/collect/sources/network.js';
import { signalSources } from '../src/collect/sources/signal.js';
import { systemSources } from '../src/collect/sources/system.js';
import { thermalSources } from '../src/collect/sources/thermal.js';
import type { SourceSpec } from '../src/collect/types.js';
import { packageRoot } from '../src/util/paths.js';

const MINE: SourceSpec[] = [
  ...ipcSources,
  ...microarchSources,
  ...thermalSources,
  ...compositeSources,
  ...signalSources,
  ...systemSources,
  ...networkSources,
];

/** The unit each sampler must report, independent of the sampler's own registration. */
function expectedUnit(spec: SourceSpec): string {
  if (spec.kind === 'counter' || spec.name === 'dvfs_race') return 'count';
  if (spec.name === 'epoll_timerfd') return 'ns';
  return process.arch === 'x64' ? 'tsc' : 'ns';
}

/** Enough samples to see more than one value: counters tick slowly, fast timings repeat often. */
function smallN(spec: SourceSpec): number {
  // A quiet tickless machine can go 64 ms without one softirq (about half of 64-sample proc_softirqs batches
  // were all zeros on an idle VM); ~1 s of 1 ms intervals makes an all-constant batch vanishingly unlikely.
  if (spec.kind === 'counter') return spec.name === 'process_table' ? 12 : 1000;
  return Math.min(spec.batchSize, 2048);
}

const getSpec = (name: string) => MINE.find((s) => s.name === name) as SourceSpec;
const lowByteRef = (v: bigint) => Number(BigInt.asUintN(8, v));

describe('catalog entries (ipc, microarch, thermal, composite, signal, system, network)', () => {
  const compiled = new Set(
    loadNative()
      .list()
      .map((s) => s.name),
  );

  it('covers the sources of issue 2 and every one is registered in the catalog', () => {
    const names = MINE.map((s) => s.name).sort();
    for (const required of [
      'pipe_buffer',
      'epoll_timerfd',
      'scm_rights',
      'keyring_timing',
      'speculative_execution',
      'dvfs_race',
      'cas_contention',
      'tlb_shootdown',
      'denormal_timing',
      'pdn_resonance',
      'cpu_io_beat',
      'cpu_memory_beat',
      'compression_timing',
      'hash_timing',
      'proc_stat',
      'proc_interrupts',
      'proc_softirqs',
      'proc_vmstat',
      'process_table',
      'tcp_connect_timing',
      'dns_timing',
    ]) {
      expect(names).toContain(required);
    }
    for (const s of MINE) expect(CATALOG).toContain(s);
    expect(new Set(CATALOG.map((s) => s.name)).size).toBe(CATALOG.length);
  });

  it.each(MINE.map((s) => [s.name, s] as const))(
    '%s has every field, a compiled sampler and an honest credit',
    (_n, s) => {
      expect(s.name).toMatch(/^[a-z][a-z0-9_]*$/);
      expect(['ipc', 'microarch', 'thermal', 'composite', 'signal', 'system', 'network']).toContain(s.category);
      expect(['physical', 'counter', 'reference']).toContain(s.kind);
      expect(s.description.length).toBeGreaterThan(20);
      expect(s.physics.length).toBeGreaterThan(150);
      expect(s.requirements.length).toBeGreaterThan(0);
      for (const r of s.requirements) expect(r.length).toBeGreaterThan(0);
      expect(typeof s.fast).toBe('boolean');
      expect(compiled.has(s.sampler)).toBe(true);
      expect(Number.isInteger(s.batchSize) && s.batchSize > 0).toBe(true);
      expect(s.credit).toBeGreaterThanOrEqual(0);
      expect(s.credit).toBeLessThanOrEqual(8);
      if (s.category === 'system') expect(s.kind).toBe('counter');
      if (s.kind === 'counter') expect(s.credit).toBe(0);
      else expect(s.credit).toBeGreaterThan(0);
      expect(typeof s.extract).toBe('function');
      for (const v of Object.values(s.params ?? {})) expect(['number', 'boolean']).toContain(typeof v);
    },
  );
});

describe('sampling each available source', () => {
  const native = loadNative();
  const available = MINE.filter((s) => probeSource(s) === null);
  let pool: SamplerPool;

  beforeAll(() => {
    pool = new SamplerPool({ threads: 2 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('finds most of these sources available on this machine', () => {
    // dns_timing needs a named resolver; everything else runs on any Linux box with 2+ CPUs.
    expect(available.length).toBeGreaterThanOrEqual(MINE.length - 3);
  });

  it.each(available.map((s) => [s.name, s] as const))('%s: direct addon call', (_n, s) => {
    const n = smallN(s);
    const out = new BigInt64Array(n);
    const r = native.sample(s.sampler, out, s.params ?? {}, null, 10_000);
    expect(r.filled).toBe(n);
    expect(r.unit).toBe(expectedUnit(s));
    expect(new Set(out).size).toBeGreaterThan(1);
    // Durations and Σ|Δ| are non-negative; dvfs_race and process_table are signed differences.
    if (s.name !== 'dvfs_race' && s.name !== 'process_table') expect(out.every((v) => v >= 0n)).toBe(true);
    const bytes = s.extract(out);
    expect(Array.from(bytes)).toEqual(Array.from(out, lowByteRef));
  });

  it.each(available.map((s) => [s.name, s] as const))('%s: through the sampler pool', async (_n, s) => {
    const n = smallN(s);
    const b = await pool.sample(s, n, { timeoutMs: 10_000 });
    expect(b.values.length).toBe(n);
    expect(b.unit).toBe(expectedUnit(s));
    expect(new Set(b.values).size).toBeGreaterThan(1);
  });
});

/** Counters the native sampler sums, read independently from the same file. */
function statCounters(): bigint[] {
  const out: bigint[] = [];
  for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] === 'cpu') out.push(...f.slice(1, 11).map(BigInt));
    else if (['intr', 'ctxt', 'processes', 'softirq'].includes(f[0])) out.push(BigInt(f[1]));
  }
  return out;
}
function interruptCounters(): bigint[] {
  const out: bigint[] = [];
  for (const line of readFileSync('/proc/interrupts', 'utf8').split('\n').slice(1)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    for (const tok of line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)) {
      if (!/^\d+$/.test(tok)) break;
      out.push(BigInt(tok));
    }
  }
  return out;
}

describe('system counters against an independent reading', () => {
  it.each([
    ['proc_stat', statCounters],
    ['proc_interrupts', interruptCounters],
  ] as const)('%s: the batch sums to no more than the change bracketing it, and to more than 0', (name, read) => {
    // Every counter in these two files only grows, so Σ|Δ| over the batch equals the growth between the
    // batch's first and last read, which the reads just before and after the batch bound from above.
    const before = read();
    const out = new BigInt64Array(50);
    const r = loadNative().sample(name, out, { intervalUs: 1000 }, null, 10_000);
    const after = read();
    expect(r.filled).toBe(50);
    expect(after.length).toBe(before.length);
    let bracket = 0n;
    for (let i = 0; i < after.length; i++) bracket += after[i] - before[i];
    let sum = 0n;
    for (const v of out) {
      expect(v).toBeGreaterThanOrEqual(0n);
      sum += v;
    }
    expect(sum).toBeGreaterThan(0n);
    expect(sum).toBeLessThanOrEqual(bracket);
  });
});

describe('deadlines, unavailability and named network targets', () => {
  const native = loadNative();

  it('a slow source returns at the batch deadline instead of finishing its batch', () => {
    // 10 expiries 1 s apart cannot fit in a 100 ms deadline.
    const out = new BigInt64Array(10);
    const timer = native.sample('epoll_timerfd', out, { intervalNs: 1e9 }, null, 100);
    expect(timer.filled).toBeLessThan(10);
    const stat = native.sample('proc_stat', out, { intervalUs: 1e6 }, null, 100);
    expect(stat.filled).toBeLessThan(10);
  });

  it.each(['pipe_buffer', 'scm_rights', 'dvfs_race', 'cas_contention', 'tlb_shootdown', 'pdn_resonance'])(
    '%s stops its sibling thread at the deadline and gives the worker its CPU mask back',
    (name) => {
      const allowed = () => /Cpus_allowed_list:\s*(\S+)/.exec(readFileSync('/proc/thread-self/status', 'utf8'))?.[1];
      const before = allowed();
      // 2^24 measurements take well over a second for every one of these, even on a quiet machine (the fastest,
      // pdn_resonance, fills about 11 M/s), so the 300 ms deadline must cut the batch; 300 ms also leaves room
      // for thread start-up on a loaded machine, so that some samples are taken.
      const params = getSpec(name).params ?? {};
      const out = new BigInt64Array(1 << 24);
      const r = native.sample(name, out, params, null, 300);
      expect(r.filled).toBeGreaterThan(0);
      expect(r.filled).toBeLessThan(out.length);
      expect(allowed()).toBe(before);
    },
  );

  it('dns_timing is unavailable, with the reason, when no resolver is named', () => {
    const saved = process.env.OE_DNS_RESOLVER;
    delete process.env.OE_DNS_RESOLVER;
    try {
      const spec = networkSources.find((s) => s.name === 'dns_timing') as SourceSpec;
      expect(probeSource(spec)).toMatch(/OE_DNS_RESOLVER/);
      expect(() => native.sample('dns_timing', new BigInt64Array(4))).toThrow(/no resolver named/);
    } finally {
      if (saved !== undefined) process.env.OE_DNS_RESOLVER = saved;
    }
  });

  it('dns_timing times a loopback resolver the user names, and says so when it does not answer', async () => {
    // A minimal responder on 127.0.0.1 in another thread (this thread blocks inside the sampler).
    const responder = new Worker(
      `const dgram = require('node:dgram'); const { parentPort } = require('node:worker_threads');
       const silent = dgram.createSocket('udp4');
       const s = dgram.createSocket('udp4');
       s.on('message', (m, r) => { const a = Buffer.from(m); a[2] |= 0x80; a[3] |= 0x80; s.send(a, r.port, r.address); });
       s.bind(0, '127.0.0.1', () => silent.bind(0, '127.0.0.1', () =>
         parentPort.postMessage([s.address().port, silent.address().port])));
       parentPort.on('message', () => { s.close(); silent.close(); });`,
      { eval: true },
    );
    const [port, silentPort] = await new Promise<[number, number]>((resolve) => responder.once('message', resolve));
    const saved = process.env.OE_DNS_RESOLVER;
    try {
      process.env.OE_DNS_RESOLVER = `127.0.0.1:${port}`;
      expect(native.probe('dns_timing', {})).toBeNull();
      const out = new BigInt64Array(64);
      const r = native.sample('dns_timing', out, { timeoutMs: 1000 }, null, 10_000);
      expect(r.filled).toBe(64);
      expect(new Set(out).size).toBeGreaterThan(1);
      // The pool's worker threads see the same environment.
      const pool = new SamplerPool({ threads: 1 });
      try {
        const b = await pool.sample(getSpec('dns_timing'), 16, { timeoutMs: 10_000 });
        expect(b.values.length).toBe(16);
        expect(b.unit).toBe(expectedUnit(getSpec('dns_timing')));
      } finally {
        await pool.close();
      }

      process.env.OE_DNS_RESOLVER = `127.0.0.1:${silentPort}`;
      expect(native.probe('dns_timing', { probeTimeoutMs: 200 })).toMatch(/did not answer/);
      process.env.OE_DNS_RESOLVER = 'resolver.example';
      expect(native.probe('dns_timing', {})).toMatch(/not an IP address/);
    } finally {
      if (saved === undefined) delete process.env.OE_DNS_RESOLVER;
      else process.env.OE_DNS_RESOLVER = saved;
      responder.postMessage('close');
      await responder.terminate();
    }
  });

  it('tcp_connect_timing rejects a malformed OE_TCP_TARGET and fails clearly on a refused one', () => {
    const saved = process.env.OE_TCP_TARGET;
    try {
      process.env.OE_TCP_TARGET = 'localhost';
      expect(native.probe('tcp_connect_timing', {})).toMatch(/OE_TCP_TARGET/);
      // Port 1 on loopback: nothing listens there on a normal machine, so the kernel refuses at once.
      process.env.OE_TCP_TARGET = '127.0.0.1:1';
      expect(native.probe('tcp_connect_timing', {})).toBeNull();
      expect(() => native.sample('tcp_connect_timing', new BigInt64Array(4), { timeoutMs: 500 }, null, 2000)).toThrow(
        /OE_TCP_TARGET: Connection refused/,
      );
    } finally {
      if (saved === undefined) delete process.env.OE_TCP_TARGET;
      else process.env.OE_TCP_TARGET = saved;
    }
  });

  it.skipIf(!existsSync('/usr/bin/taskset')).each(['tlb_shootdown', 'dvfs_race'])(
    '%s is unavailable, with the reason, on a single CPU',
    (name) => {
      const addon = join(packageRoot(), 'build', 'Release', 'oe_native.node');
      const script = `console.log(String(require(${JSON.stringify(addon)}).probe(${JSON.stringify(name)}, {})))`;
      const r = spawnSync('/usr/bin/taskset', ['-c', '0', process.execPath, '-e', script], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/needs 2\+ CPUs/);
    },
  );

  it('hash_timing passes its SHA-256 known-answer self-test', () => {
    expect(native.probe('hash_timing', {})).toBeNull();
  });
});
