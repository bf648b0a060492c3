import { describe, expect, it } from 'vitest';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';

describe('native addon', () => {
  it('fills a caller-owned BigInt64Array in place', () => {
    const out = new BigInt64Array(1000);
    const r = loadNative().sample('clock_jitter', out);
    expect(r.filled).toBe(1000);
    expect(['tsc', 'ns']).toContain(r.unit);
    expect(new Set(out).size).toBeGreaterThan(1);
  });

  it('rejects an unknown sampler with a clear error', () => {
    expect(() => loadNative().sample('no_such_sampler', new BigInt64Array(1))).toThrow(/unknown native sampler/);
    expect(() => loadNative().probe('no_such_sampler')).toThrow(/unknown native sampler/);
  });

  it('turns a C++ exception into a JS error naming the sampler', () => {
    expect(() => loadNative().sample('test_throw', new BigInt64Array(4))).toThrow(
      /test_throw: deliberate test failure/,
    );
    expect(() => loadNative().sample('test_throw_other', new BigInt64Array(4))).toThrow(/non-standard C\+\+ exception/);
  });

  it('honours a set cancel cell and a deadline', () => {
    const cancel = new Int32Array(new SharedArrayBuffer(8));
    Atomics.store(cancel, 0, 1);
    expect(loadNative().sample('test_hang', new BigInt64Array(8), {}, cancel, 0).filled).toBe(0);
    // Deadline only (no cancel cell): returns instead of spinning forever.
    expect(loadNative().sample('test_hang', new BigInt64Array(8), {}, null, 20).filled).toBe(0);
    // A real sampler stops early at its deadline too: 1e6 1-us sleeps cannot fit in 30 ms.
    const r = loadNative().sample('sleep_jitter', new BigInt64Array(1_000_000), {}, null, 30);
    expect(r.filled).toBeGreaterThan(0);
    expect(r.filled).toBeLessThan(1_000_000);
  });

  it('passes numeric params to the sampler', () => {
    const out = new BigInt64Array(16);
    loadNative().sample('test_constant', out, { value: 12345 });
    expect([...new Set(out)]).toEqual([12345n]);
  });

  it('lists the test samplers with their units', () => {
    const names = loadNative()
      .list()
      .map((s) => s.name);
    for (const t of ['test_hang', 'test_throw', 'test_constant', 'test_wedge']) expect(names).toContain(t);
  });

  it('loads and samples inside a worker thread', async () => {
    const pool = new SamplerPool({ threads: 1 });
    try {
      const b = await pool.sample('clock_jitter', 4096);
      expect(b.values.length).toBe(4096);
      expect(new Set(b.values).size).toBeGreaterThan(1);
      expect(b.endNs).toBeGreaterThanOrEqual(b.startNs);
    } finally {
      await pool.close();
    }
  });

  it('samples directly in the calling thread', () => {
    const b = sampleDirect('clock_jitter', 100);
    expect(b.values.length).toBe(100);
  });
});
