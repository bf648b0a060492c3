import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FULL_ENTROPY_INPUT_BITS,
  parseConditioning,
  Sha256Conditioner,
  VonNeumannDebiaser,
  vonNeumann,
} from '../src/collect/conditioning/index.js';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import { lowByte } from '../src/collect/extract.js';
import type { Sampler } from '../src/collect/sampler.js';
import type { SampleBatch, SourceKind, SourceSpec } from '../src/collect/types.js';
import { OeError } from '../src/errors.js';

/** A test double of a source: metadata plus an extraction; the injected sampler supplies its values. */
function spec(name: string, kind: SourceKind, credit: number): SourceSpec {
  return {
    name,
    category: 'timing',
    kind,
    description: 'test stream',
    physics: 'injected test data',
    requirements: [],
    fast: true,
    sampler: name,
    batchSize: 4096,
    credit,
    extract: lowByte,
  };
}

type Gen = (n: number, call: number) => Uint8Array;

/** Injected sample streams: each named source yields its generator's bytes as int64 values. */
class FakeSampler implements Sampler {
  calls = new Map<string, number>();
  closed = false;
  constructor(private readonly gens: Record<string, Gen>) {}
  async sample(source: SourceSpec, n: number): Promise<SampleBatch> {
    const call = this.calls.get(source.name) ?? 0;
    this.calls.set(source.name, call + 1);
    const gen = this.gens[source.name];
    if (!gen) throw new Error(`no generator for ${source.name}`);
    const bytes = gen(n, call);
    const values = new BigInt64Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) values[i] = BigInt(bytes[i]);
    await new Promise((r) => setImmediate(r));
    return { source: source.name, values, unit: 'value', startNs: 0n, endNs: 1000n };
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const uniform: Gen = (n) => randomBytes(n);
const stuck: Gen = (n) => new Uint8Array(n).fill(0x55);
/** Healthy for `good` calls, then stuck. */
const failsAfter =
  (good: number): Gen =>
  (n, call) =>
    call < good ? randomBytes(n) : new Uint8Array(n).fill(7);

function pool(sources: SourceSpec[], gens: Record<string, Gen>, extra = {}) {
  const sampler = new FakeSampler(gens);
  const p = new EntropyPool({ sources, sampler, probe: () => null, requestTimeoutMs: 10_000, ...extra });
  return { p, sampler };
}

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (e) {
    return e instanceof OeError ? e.code : `non-OeError: ${String(e)}`;
  }
  return 'resolved';
}

describe('EntropyPool with injected streams', () => {
  it('returns exactly n bytes in every mode and accounts 320 credited bits per sha256 block', async () => {
    const { p, sampler } = pool([spec('a', 'physical', 4), spec('b', 'physical', 2)], { a: uniform, b: uniform });
    for (const n of [0, 1, 31, 32, 33, 100, 1000]) {
      expect((await p.getRandomBytes(n)).length).toBe(n);
      expect((await p.getBytes(n, 'vonneumann')).length).toBe(n);
      expect((await p.getBytes(n, 'raw')).length).toBe(n);
      expect((await p.getSourceBytes('b', n, 'sha256')).length).toBe(n);
    }
    const r = p.healthReport();
    expect(r.healthy).toBe(true);
    const blocks = r.totals.blocks;
    expect(blocks).toBeGreaterThan(0);
    // Every block consumed at least 320 credited bits; efficiency can't exceed 256/320.
    expect(r.totals.creditedBitsUsed).toBeGreaterThanOrEqual(blocks * FULL_ENTROPY_INPUT_BITS - 1e-6);
    expect(r.totals.efficiency).toBeLessThanOrEqual(256 / 320 + 1e-12);
    const a = r.sources.find((s) => s.name === 'a');
    const b = r.sources.find((s) => s.name === 'b');
    // Both sources contribute to the pool's blocks (round-robin), and the report adds up.
    expect(a?.creditedBitsUsed).toBeGreaterThan(0);
    expect(b?.creditedBitsUsed).toBeGreaterThan(0);
    expect((a?.creditedBitsUsed ?? 0) + (b?.creditedBitsUsed ?? 0)).toBeCloseTo(r.totals.creditedBitsUsed, 6);
    expect(r.totals.outputBytes.sha256).toBe(2 * (0 + 1 + 31 + 32 + 33 + 100 + 1000));
    await p.close();
    expect(sampler.closed).toBe(false); // an injected sampler belongs to the caller
  });

  it('handles fractional credits exactly (1/3, 0.1, 0.7 bits per byte)', async () => {
    const { p } = pool(
      [spec('third', 'physical', 1 / 3), spec('tenth', 'physical', 0.1), spec('most', 'physical', 0.7)],
      {
        third: uniform,
        tenth: uniform,
        most: uniform,
      },
    );
    const out = await p.getRandomBytes(3000);
    expect(out.length).toBe(3000);
    const r = p.healthReport();
    expect(r.totals.blocks).toBe(Math.ceil(3000 / 32));
    expect(r.totals.creditedBitsUsed).toBeGreaterThanOrEqual(r.totals.blocks * 320 - 1e-6);
    // No block over-draws by more than one byte of the richest source per turn.
    expect(r.totals.creditedBitsUsed).toBeLessThan(r.totals.blocks * (320 + 0.7 * 6));
    await p.close();
  });

  it('never emits sha256 output when no source is healthy (fail closed)', async () => {
    const { p } = pool([spec('s', 'physical', 4)], { s: stuck });
    expect(await code(p.getRandomBytes(32))).toBe('HEALTH');
    expect(await code(p.getBytes(1, 'raw'))).toBe('HEALTH');
    expect(await code(p.getBytes(1, 'vonneumann'))).toBe('HEALTH');
    const r = p.healthReport();
    expect(r.healthy).toBe(false);
    expect(r.status).toBe('failed');
    expect(r.sources[0].status).toBe('quarantined');
    expect(r.sources[0].failures.startup).toBe(1);
    expect(r.totals.outputBytes.total).toBe(0);
    // Each refused request is counted with the bytes it asked for (the metrics read these).
    expect(r.totals.refused).toEqual({
      sha256: { requests: 1, bytes: 32 },
      vonneumann: { requests: 1, bytes: 1 },
      raw: { requests: 1, bytes: 1 },
    });
    // The start-up batch was taken and tested: its measurements are counted.
    expect(r.sources[0].samples).toBe(4096);
    await p.close();
  });

  it('quarantines a source that gets stuck mid-stream and fails closed once none is left', async () => {
    const { p } = pool([spec('s', 'physical', 4)], { s: failsAfter(2) }, { backoffBaseMs: 60_000 });
    // Two good batches of 4096 bytes at 4 bit/byte = 32768 bits: enough for ~100 blocks, not 200.
    const err = await code(p.getRandomBytes(200 * 32));
    expect(err).toBe('HEALTH');
    const s = p.healthReport().sources[0];
    expect(s.status).toBe('quarantined');
    expect(s.failures.rct).toBe(1);
    expect(s.lastFailure?.test).toBe('rct');
    expect(s.queuedBytes).toBe(0); // what was queued since the last pass is discarded
    await p.close();
  });

  it('keeps serving from the honest source while another one is quarantined', async () => {
    const { p } = pool([spec('bad', 'physical', 4), spec('good', 'physical', 4)], { bad: stuck, good: uniform });
    const out = await p.getRandomBytes(4096);
    expect(out.length).toBe(4096);
    const r = p.healthReport();
    const bad = r.sources.find((s) => s.name === 'bad');
    expect(bad?.status).toBe('quarantined');
    expect(bad?.creditedBitsUsed).toBe(0);
    expect(r.sources.find((s) => s.name === 'good')?.creditedBitsUsed).toBeGreaterThanOrEqual((4096 / 32) * 320 - 1e-6);
    await p.close();
  });

  it('credits counter sources 0: sha256 fails closed, raw is served', async () => {
    const { p } = pool([spec('c', 'counter', 2)], { c: uniform });
    expect(await code(p.getRandomBytes(32))).toBe('HEALTH');
    expect((await p.getRawBytes(100)).length).toBe(100);
    expect(p.healthReport().sources[0].creditPerByte).toBe(0);
    await p.close();
  });

  it('reports unknown sources and unavailable ones clearly', async () => {
    const sampler = new FakeSampler({ a: uniform });
    const p = new EntropyPool({
      sources: [spec('a', 'physical', 4)],
      sampler,
      probe: () => 'needs hardware that is absent',
    });
    expect(p.sources()[0]).toMatchObject({ name: 'a', available: false, reason: 'needs hardware that is absent' });
    expect(await code(p.getRandomBytes(1))).toBe('HEALTH');
    expect(await code(p.getSourceBytes('nope', 1))).toBe('NOT_FOUND');
    await expect(p.getBytes(-1)).rejects.toThrow(/byte count/);
    await p.close();
    expect(await code(p.getRandomBytes(1))).toBe('UNAVAILABLE');
  });
});

describe('conditioning', () => {
  it('sha256 blocks follow the documented construction (docs/CONDITIONING.md)', () => {
    const c = new Sha256Conditioner('pool');
    const x = randomBytes(50);
    const y = randomBytes(70);
    // Contributions in any order, same source split in two: hashed by name order, concatenated.
    const out0 = c.generate([
      { source: 'zeta', bytes: y.subarray(0, 30), creditBits: 100 },
      { source: 'alpha', bytes: x, creditBits: 200 },
      { source: 'zeta', bytes: y.subarray(30), creditBits: 20 },
    ]);
    const out1 = c.generate([{ source: 'alpha', bytes: x, creditBits: 320 }]);
    // Independent recomputation from the documented message layout.
    const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
    const u64 = (n: number) => Buffer.concat([u32(0), u32(n)]);
    const lp = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);
    const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
    let state = sha(Buffer.from('oe/v1/init'), lp('pool'));
    const x0 = Buffer.concat([
      Buffer.from('oe/v1/block'),
      lp('pool'),
      state,
      u64(0),
      u32(2),
      lp('alpha'),
      u64(50),
      x,
      lp('zeta'),
      u64(70),
      y,
    ]);
    expect(out0.equals(sha(x0, Buffer.from('out\0')))).toBe(true);
    state = sha(x0, Buffer.from('key\0'));
    const x1 = Buffer.concat([Buffer.from('oe/v1/block'), lp('pool'), state, u64(1), u32(1), lp('alpha'), u64(50), x]);
    expect(out1.equals(sha(x1, Buffer.from('out\0')))).toBe(true);
    // The internal state is never output.
    expect(out0.equals(state)).toBe(false);
    expect(() => c.generate([{ source: 'a', bytes: x, creditBits: 319 }])).toThrow(/320 credited bits/);
  });

  it('von Neumann: known answers and streaming equals one-shot', () => {
    // 0b10_01_10_00 → 1,0,1 ; 0b01_01_01_01 → 0,0,0,0 ; 0b10_10_00_11 → 1,1 ⇒ bits 101 0000 1|1 → 0xA1, carry 1.
    const d = new VonNeumannDebiaser();
    expect([...d.push(new Uint8Array([0b10011000, 0b01010101, 0b10100011]))]).toEqual([0b10100001]);
    expect([...d.push(new Uint8Array([0b10101010, 0b00000000, 0b01010110]))]).toEqual([0b11111000]);
    const input = randomBytes(10_000);
    const whole = vonNeumann(input);
    const s = new VonNeumannDebiaser();
    const parts = [s.push(input.subarray(0, 3333)), s.push(input.subarray(3333, 7000)), s.push(input.subarray(7000))];
    expect(Buffer.concat(parts).equals(Buffer.from(whole))).toBe(true);
  });

  it('parses conditioning names and aliases', () => {
    expect(parseConditioning('SHA256')).toBe('sha256');
    expect(parseConditioning('vn')).toBe('vonneumann');
    expect(parseConditioning('none')).toBe('raw');
    expect(() => parseConditioning('xor')).toThrow(/unknown conditioning/);
  });
});
