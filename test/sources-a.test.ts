import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeSource, sourceUnit } from '../src/collect/availability.js';
import { CATALOG, getSource } from '../src/collect/catalog.js';
import { lowByte } from '../src/collect/extract.js';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';

/**
 * Expected unit of each of this half's sources, written down independently of the native registry:
 * 'ticks' = the cycle counter (tsc on x86-64, ns elsewhere).
 */
const EXPECTED_UNIT: Record<string, 'ticks' | 'ns' | 'value'> = {
  clock_jitter: 'ticks',
  memory_timing: 'ticks',
  dram_row_buffer: 'ticks',
  cache_contention: 'ticks',
  page_fault_timing: 'ticks',
  sleep_jitter: 'ns',
  dispatch_queue: 'ticks',
  thread_lifecycle: 'ticks',
  disk_io: 'ns',
  fsync_journal: 'ns',
  nvme_latency: 'ns',
  jitter_memloop: 'ticks',
  jitter_memloop_dram: 'ticks',
  rdrand: 'value',
  rdseed: 'value',
  getrandom: 'value',
  hwrng: 'value',
  audio_noise: 'value',
  camera_noise: 'value',
};
const MINE = Object.keys(EXPECTED_UNIT);
const tickUnit = loadNative().tickUnit;
const unitOf = (name: string) => (EXPECTED_UNIT[name] === 'ticks' ? tickUnit : EXPECTED_UNIT[name]);

// disk_io and fsync_journal create their files under OE_CACHE_DIR: keep them out of $HOME (on a real disk,
// not tmpfs, so the probe can pass).
let savedCacheDir: string | undefined;
beforeAll(() => {
  savedCacheDir = process.env.OE_CACHE_DIR;
  process.env.OE_CACHE_DIR = join(tmpdir(), 'oe-test-cache');
});
afterAll(() => {
  if (savedCacheDir === undefined) delete process.env.OE_CACHE_DIR;
  else process.env.OE_CACHE_DIR = savedCacheDir;
});

describe('catalog entries of the timing/scheduling/io/novel/reference/sensor sources', () => {
  it('has every source with complete metadata', () => {
    for (const name of MINE) {
      const s = getSource(name);
      expect(s.description.length, name).toBeGreaterThan(10);
      expect(s.physics.length, name).toBeGreaterThan(80);
      expect(s.requirements.length, name).toBeGreaterThan(0);
      expect(s.batchSize, name).toBeGreaterThan(0);
      expect(s.credit, name).toBeGreaterThanOrEqual(0);
      expect(s.credit, name).toBeLessThanOrEqual(8);
      expect(sourceUnit(s) ?? 'value', name).toBe(unitOf(name));
    }
  });

  it('labels hardware/OS RNGs as reference sources with no physics credit', () => {
    for (const name of ['rdrand', 'rdseed', 'getrandom', 'hwrng']) {
      const s = getSource(name);
      expect(s.kind).toBe('reference');
      expect(s.category).toBe('reference');
      expect(s.credit).toBe(0);
    }
    expect(CATALOG.filter((s) => s.kind === 'reference').every((s) => s.category === 'reference')).toBe(true);
  });

  it('marks fsync_journal opt-in and keeps it out of the default set', () => {
    expect(getSource('fsync_journal').optIn).toBe(true);
  });
});

describe('available sources yield varying raw measurements in their unit', () => {
  const pool = new SamplerPool({ threads: 2 });
  afterAll(() => pool.close());

  for (const name of MINE) {
    it(name, async () => {
      const spec = getSource(name);
      const reason = probeSource(spec);
      if (reason !== null) {
        // Unavailable here: it must say why, in words.
        expect(reason.length).toBeGreaterThan(10);
        return;
      }
      if (spec.optIn && name !== 'fsync_journal') return;
      const n = Math.min(spec.batchSize, name === 'fsync_journal' ? 8 : 512);
      const b = await pool.sample(spec, n, { timeoutMs: 20_000 });
      expect(b.unit).toBe(unitOf(name));
      expect(b.values.length).toBe(n);
      expect(new Set(b.values).size).toBeGreaterThan(1);
      if (b.unit !== 'value') for (const v of b.values) expect(v).toBeGreaterThan(0n);
      // The documented extraction: one byte per measurement, the low 8 bits.
      const bytes = spec.extract(b.values);
      expect(bytes.length).toBe(n);
      for (let i = 0; i < n; i += 37) expect(bytes[i]).toBe(Number(BigInt.asUintN(8, b.values[i])));
    });
  }
});

describe('mechanism checks', () => {
  it('sleep_jitter really sleeps: every sample is at least the requested 1 us', () => {
    const b = sampleDirect('sleep_jitter', 64);
    for (const v of b.values) expect(v).toBeGreaterThanOrEqual(1000n);
  });

  it('disk_io reads a >= 64 MiB file it created in the cache dir', () => {
    const reason = probeSource(getSource('disk_io'));
    if (reason !== null) return expect(reason).toMatch(/O_DIRECT|tmpfs|cache/);
    sampleDirect('disk_io', 16);
    const file = join(process.env.OE_CACHE_DIR as string, 'disk_io-64MiB.dat');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).size).toBeGreaterThanOrEqual(64 * 1024 * 1024);
  });

  it('disk_io reports tmpfs as unavailable instead of timing RAM', () => {
    if (!existsSync('/dev/shm')) return;
    const saved = process.env.OE_CACHE_DIR;
    const dir = mkdtempSync('/dev/shm/oe-test-');
    process.env.OE_CACHE_DIR = dir;
    try {
      expect(loadNative().probe('disk_io')).toMatch(/tmpfs/);
      expect(loadNative().probe('fsync_journal')).toMatch(/tmpfs/);
    } finally {
      process.env.OE_CACHE_DIR = saved;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('nvme_latency is available only with an NVMe namespace, else says so', () => {
    const hasNvme = readdirSync('/sys/block').some((d) => /^nvme\d+n\d+$/.test(d));
    const reason = probeSource(getSource('nvme_latency'));
    if (!hasNvme) expect(reason).toMatch(/NVMe/);
  });

  it('sensors are unavailable without their devices and say which device is missing', () => {
    if (!existsSync('/dev/snd')) expect(probeSource(getSource('audio_noise'))).toMatch(/ALSA/);
    if (!existsSync('/dev/video0')) expect(probeSource(getSource('camera_noise'))).toMatch(/V4L2/);
  });

  it('reference RNG outputs are (almost surely) all distinct 64-bit values', () => {
    for (const name of ['getrandom', 'rdrand', 'rdseed']) {
      if (probeSource(getSource(name)) !== null) continue;
      const b = sampleDirect(name, 1000);
      expect(new Set(b.values).size, name).toBe(1000);
      // Low bytes of uniform values are not all equal and cover many symbols.
      expect(new Set(lowByte(b.values)).size, name).toBeGreaterThan(200);
    }
  });
});
