import { afterAll, describe, expect, it } from 'vitest';
import { detectAvailable } from '../src/collect/availability.js';
import { CATALOG, getSource } from '../src/collect/catalog.js';
import { lowByte } from '../src/collect/extract.js';
import { closeSharedSamplerPool, isCongestion, SamplerPool, sampleSource } from '../src/collect/sampler-pool.js';
import type { SourceSpec } from '../src/collect/types.js';
import { OeError } from '../src/errors.js';

/** Test-only sources: native test samplers that are registered in the addon but not in the catalog. */
function testSpec(sampler: string, params: Record<string, number> = {}, name = sampler): SourceSpec {
  return {
    name,
    category: 'timing',
    kind: 'physical',
    description: 'test sampler',
    physics: 'none',
    requirements: [],
    fast: true,
    sampler,
    params,
    batchSize: 16,
    credit: 0,
    extract: lowByte,
  };
}

async function rejection(p: Promise<unknown>): Promise<OeError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(OeError);
    return e as OeError;
  }
  throw new Error('expected a rejection');
}

describe('test samplers stay out of the user catalog', () => {
  it('has no test_* source in CATALOG', () => {
    expect(CATALOG.some((s) => s.sampler.startsWith('test_') || s.name.startsWith('test_'))).toBe(false);
    expect(() => getSource('test_hang')).toThrow(/unknown source/);
  });
});

describe('SamplerPool isolation', () => {
  const pool = new SamplerPool({ threads: 2, backoffBaseMs: 60_000, graceMs: 200 });
  // The healthy source's deadline only guards against a hang: on a busy machine (load ~45) a replaced worker's
  // start alone took over the default 5 s. The faulty sources keep their short deadlines.
  const healthy = { timeoutMs: 120_000 };
  afterAll(() => pool.close());

  it('times out a hanging sampler while another source keeps sampling', async () => {
    await pool.warmUp();
    const hang = rejection(pool.sample(testSpec('test_hang'), 16, { timeoutMs: 300 }));
    const others = await Promise.all([1, 2, 3].map(() => pool.sample('clock_jitter', 1000, healthy)));
    for (const b of others) expect(b.values.length).toBe(1000);
    const err = await hang;
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/test_hang/);
    const st = pool.sourceState('test_hang');
    expect(st.failures).toBe(1);
    expect(st.timeouts).toBe(1);
    expect(st.status).toBe('failing');
    expect(st.lastError).toMatch(/deadline/);
    expect(pool.sourceState('clock_jitter').status).toBe('ok');
    expect(pool.sourceState('clock_jitter').lastSuccessAt).toBeGreaterThan(0);
  });

  it('turns C++ exceptions into rejected promises and keeps the process and pool alive', async () => {
    const a = await rejection(pool.sample(testSpec('test_throw'), 16));
    expect(a.code).toBe('FAILED');
    expect(a.message).toMatch(/deliberate test failure/);
    const b = await rejection(pool.sample(testSpec('test_throw_other'), 16));
    expect(b.message).toMatch(/non-standard C\+\+ exception/);
    expect((await pool.sample('clock_jitter', 100, healthy)).values.length).toBe(100);
  });

  it('survives a segfault in a sampler: rejected promise, immediate backoff, other sources unaffected', async () => {
    const others = Promise.all([1, 2, 3].map(() => pool.sample('clock_jitter', 1000, healthy)));
    const err = await rejection(pool.sample(testSpec('test_segv', {}, 'segv'), 16));
    expect(err.code).toBe('FAILED');
    expect(err.message).toMatch(/source segv: .*sampler crashed with SIGSEGV/);
    for (const b of await others) expect(b.values.length).toBe(1000);
    const st = pool.sourceState('segv');
    expect(st.crashes).toBe(1);
    expect(st.failures).toBe(1);
    expect(st.status).toBe('backoff');
    expect(st.retryAt).toBeGreaterThan(Date.now());
    expect((await rejection(pool.sample(testSpec('test_segv', {}, 'segv'), 16))).code).toBe('UNAVAILABLE');
    // A crash in a helper thread fails its batch the same way, and both workers keep serving afterwards.
    const helper = await rejection(pool.sample(testSpec('test_sibling_segv', {}, 'helper-segv'), 16));
    expect(helper.message).toMatch(/SIGSEGV .* in its helper thread/);
    const after = await Promise.all([1, 2, 3, 4].map(() => pool.sample('clock_jitter', 500, healthy)));
    for (const b of after) expect(b.values.length).toBe(500);
    expect(pool.workerErrors).toBe(0);
  });

  it('backs off a source that keeps failing, and reports why', async () => {
    const spec = testSpec('test_throw', {}, 'flaky');
    await rejection(pool.sample(spec, 16));
    const second = await rejection(pool.sample(spec, 16));
    expect(second.code).toBe('FAILED');
    const st = pool.sourceState('flaky');
    expect(st.status).toBe('backoff');
    expect(st.failures).toBe(2);
    expect(st.retryAt).toBeGreaterThan(Date.now());
    // While backing off the pool refuses without running the sampler.
    const refused = await rejection(pool.sample(spec, 16));
    expect(refused.code).toBe('UNAVAILABLE');
    expect(refused.message).toMatch(/backing off after 2 consecutive failures.*deliberate test failure/);
    expect(pool.sourceState('flaky').totalFailures).toBe(2);
    // A manual retry runs it (and fails again, doubling the backoff).
    await rejection(pool.sample(spec, 16, { ignoreBackoff: true }));
    expect(pool.sourceState('flaky').failures).toBe(3);
    pool.resetSource('flaky');
    expect(pool.sourceState('flaky').status).toBe('idle');
  });

  it('a success clears the consecutive-failure count', async () => {
    const ok = testSpec('test_constant', { value: 3 }, 'recovering');
    const bad = testSpec('test_throw', {}, 'recovering');
    await rejection(pool.sample(bad, 16));
    expect(pool.sourceState('recovering').failures).toBe(1);
    const b = await pool.sample(ok, 16);
    expect([...new Set(b.values)]).toEqual([3n]);
    const st = pool.sourceState('recovering');
    expect(st.failures).toBe(0);
    expect(st.totalFailures).toBe(1);
    expect(st.status).toBe('ok');
  });

  it('replaces a worker wedged in native code that ignores its cancel cell', async () => {
    const err = await rejection(pool.sample(testSpec('test_wedge', { ms: 1500 }), 16, { timeoutMs: 200 }));
    expect(err.code).toBe('TIMEOUT');
    expect(err.message).toMatch(/worker replaced/);
    // The caller was not blocked for the wedge's 1.5 s, and the pool still serves.
    const b = await pool.sample('clock_jitter', 500, healthy);
    expect(b.values.length).toBe(500);
  });

  it('replaces a worker thread that dies', async () => {
    await expect(pool.diagnose('exit')).rejects.toThrow(/exited/);
    const b = await pool.sample('clock_jitter', 500, healthy);
    expect(b.values.length).toBe(500);
  });

  it('rejects bad source names and counts with clear errors', async () => {
    const e = await rejection(pool.sample('no_such_source', 10));
    expect(e.code).toBe('NOT_FOUND');
    expect(e.message).toMatch(/unknown source "no_such_source"/);
    expect((await rejection(pool.sample('clock_jitter', 0))).code).toBe('USAGE');
    expect((await rejection(pool.sample('clock_jitter', 1.5))).code).toBe('USAGE');
    const bad = await rejection(pool.sample(testSpec('no_such_sampler'), 10));
    expect(bad.message).toMatch(/unknown native sampler/);
  });
});

describe('backoff', () => {
  it('expires: after retryAt the source is tried again, and the next backoff is twice as long', async () => {
    const pool = new SamplerPool({ threads: 1, backoffBaseMs: 50 });
    try {
      const spec = testSpec('test_throw', {}, 'expiring');
      await rejection(pool.sample(spec, 16));
      await rejection(pool.sample(spec, 16));
      const first = pool.sourceState('expiring');
      expect(first.status).toBe('backoff');
      expect((first.retryAt ?? 0) - (first.lastErrorAt ?? 0)).toBe(50);
      expect((await rejection(pool.sample(spec, 16))).code).toBe('UNAVAILABLE');
      await new Promise((r) => setTimeout(r, (first.retryAt ?? 0) - Date.now() + 20));
      // Allowed again: it runs (and fails: FAILED, not UNAVAILABLE), doubling the backoff.
      expect((await rejection(pool.sample(spec, 16))).code).toBe('FAILED');
      const second = pool.sourceState('expiring');
      expect(second.failures).toBe(3);
      expect((second.retryAt ?? 0) - (second.lastErrorAt ?? 0)).toBe(100);
    } finally {
      await pool.close();
    }
  });
});

describe('a batch queued behind a wedged one on the same worker', () => {
  it('is retried on the replacement worker and not counted against its source', async () => {
    const pool = new SamplerPool({ threads: 1, tasksPerWorker: 2, graceMs: 100 });
    try {
      await pool.warmUp();
      const wedged = rejection(pool.sample(testSpec('test_wedge', { ms: 1200 }), 16, { timeoutMs: 150 }));
      const behind = pool.sample('clock_jitter', 256, { timeoutMs: 10_000 });
      expect((await wedged).code).toBe('TIMEOUT');
      expect((await behind).values.length).toBe(256);
      const st = pool.sourceState('clock_jitter');
      expect(st.totalFailures).toBe(0);
      expect(st.status).toBe('ok');
    } finally {
      await pool.close();
    }
  });
});

describe('a batch that never reaches a worker before its deadline', () => {
  it('is congestion: a TIMEOUT that isCongestion recognises and that does not count against the source', async () => {
    const pool = new SamplerPool({ threads: 1, tasksPerWorker: 1 });
    try {
      await pool.warmUp();
      // The only worker is busy for ~1 s with a batch that honours its deadline; the next batch waits its turn.
      const busy = rejection(pool.sample(testSpec('test_hang'), 16, { timeoutMs: 1000 }));
      const queued = rejection(pool.sample('clock_jitter', 256, { timeoutMs: 200 }));
      const e = await queued;
      expect(e.message).toBe('source clock_jitter: no free worker within 200 ms');
      expect(isCongestion(e)).toBe(true);
      expect(pool.sourceState('clock_jitter').totalFailures).toBe(0);
      const hung = await busy;
      expect(hung.code).toBe('TIMEOUT');
      expect(isCongestion(hung)).toBe(false);
      expect(isCongestion(new Error('no free worker within 1 ms'))).toBe(false);
    } finally {
      await pool.close();
    }
  });
});

describe('results are transferred, not copied', () => {
  it('detaches the worker-side buffer', async () => {
    const pool = new SamplerPool({ threads: 1 });
    try {
      const b = await pool.sample('clock_jitter', 2048);
      expect(b.values.buffer.byteLength).toBe(2048 * 8);
      // The same worker (the only one) still holds its reference to the buffer it returned: a transferred
      // ArrayBuffer is detached (byteLength 0); a structured-clone copy would still have 16 KiB.
      expect(await pool.diagnose('lastBufferBytes')).toBe(0);
    } finally {
      await pool.close();
    }
  });
});

describe('library API', () => {
  afterAll(() => closeSharedSamplerPool());

  it('detectAvailable lists every catalog source, with a reason when unavailable', () => {
    const rows = detectAvailable();
    expect(rows.map((r) => r.name)).toEqual(CATALOG.map((s) => s.name));
    for (const r of rows) {
      if (r.available) expect(r.reason).toBeUndefined();
      else expect(r.reason?.length).toBeGreaterThan(5);
    }
    expect(detectAvailable([testSpec('test_unavailable')])[0]).toMatchObject({
      available: false,
      reason: 'test sampler that is never available',
    });
  });

  it('sampleSource returns n values, their extracted bytes and the unit, across several batches', async () => {
    const spec = getSource('sleep_jitter');
    const n = spec.batchSize * 2 + 5;
    const r = await sampleSource('sleep_jitter', n);
    expect(r.values.length).toBe(n);
    expect(r.unit).toBe('ns');
    expect(r.bytes).toEqual(spec.extract(r.values));
    expect(new Set(r.values).size).toBeGreaterThan(1);
  });

  it('sampleSource: unknown source is NOT_FOUND, unavailable source is UNAVAILABLE with its reason', async () => {
    expect((await rejection(sampleSource('nope', 10))).code).toBe('NOT_FOUND');
    const unavailable = detectAvailable().find((r) => !r.available);
    if (unavailable) {
      const e = await rejection(sampleSource(unavailable.name, 10));
      expect(e.code).toBe('UNAVAILABLE');
      expect(e.message).toContain(unavailable.reason);
    }
  });
});
