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
