import { describe, expect, it } from 'vitest';
import { benchScore, GRADE_SAMPLES, gradeMinEntropy, stability } from '../src/analyze/bench/grade.js';
import { lowByte } from '../src/collect/extract.js';
import type { Fingerprint } from '../src/collect/fingerprint.js';
import type { Sampler } from '../src/collect/sampler.js';
import type { SampleBatch, SourceSpec } from '../src/collect/types.js';
import { assertSchema } from '../src/contracts/schema.js';
import { type BenchReport, runBench } from '../src/jobs/bench.js';

/** Synthetic specs and a synthetic sampler, to test the bench pipeline without hardware. */
function spec(name: string): SourceSpec {
  return {
    name,
    category: 'timing',
    kind: 'physical',
    description: 'test stream',
    physics: 'none: synthetic test data',
    requirements: [],
    fast: true,
    sampler: name,
    batchSize: 4096,
    credit: 2,
    extract: lowByte,
  };
}

/** Deterministic values per source: the first n values of a name-seeded xorshift (mask per source). */
class SyntheticSampler implements Sampler {
  constructor(private readonly masks: Record<string, number | 'fail'>) {}
  async sample(source: SourceSpec, n: number): Promise<SampleBatch> {
    const m = this.masks[source.name];
    if (m === 'fail') throw new Error(`source ${source.name}: synthetic failure`);
    let x = [...source.name].reduce((a, c) => (a * 31 + c.charCodeAt(0)) >>> 0, 7) || 1;
    const values = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      values[i] = BigInt((x >>> 24) & m);
    }
    // 1 µs per sample → 1e6 B/s
    return { source: source.name, values, unit: 'value', startNs: 0n, endNs: BigInt(n * 1000) };
  }
  async close(): Promise<void> {}
}

const fakeFingerprint = (): Fingerprint =>
  ({
    machine: {
      os: 'linux test',
      platform: 'linux',
      arch: 'x64',
      kernel: '6.1',
      cpu_model: 'Test CPU',
      cpu_vendor: null,
      cpu_flags: null,
      cores: 2,
      cpus_online: 2,
      memory_bytes: 1,
      virtualization: { detected: true, vendor: null, product: null },
      clocksource: 'tsc',
      cpufreq_governor: null,
      machine_id: '0000000000000000',
    },
    software: {
      oe: '0.1.0',
      node: 'v20',
      v8: '11',
      duckdb: null,
      addon: { built: false, arch: null, tick_unit: null, samplers: null, mtime: null },
      git_commit: null,
    },
  }) as Fingerprint;

const specs = [spec('uniform'), spec('twobit'), spec('broken'), spec('absent')];
const masks = { uniform: 0xff, twobit: 0x03, broken: 'fail' as const, absent: 0xff };
const base = {
  sampler: new SyntheticSampler(masks),
  probe: (s: SourceSpec) => (s.name === 'absent' ? 'not on this machine' : null),
  fingerprint: fakeFingerprint,
  pool: false,
  // Fixed for every profile, like the default GRADE_SAMPLES; smaller to keep the test fast.
  gradeSamples: 4096,
};

describe('bench metrics', () => {
  it('grades by the seed thresholds', () => {
    expect([6, 5.99, 4, 2, 1, 0.99, -1].map(gradeMinEntropy)).toEqual(['A', 'B', 'B', 'C', 'D', 'F', 'F']);
  });
  it('stability = 1 − min(CV, 1)', () => {
    // mean 4, population SD 1 → CV 0.25
    expect(stability([3, 5])).toBeCloseTo(0.75, 12);
    expect(stability([2])).toBe(1);
    expect(stability([])).toBe(0);
    expect(stability([0, 0])).toBe(1);
    expect(stability([1, 100, 1])).toBe(0);
  });
  it('balanced score by hand', () => {
    // 0.7·(6/8) + 0.2·(500/1000) + 0.1·0.8 = 0.705; one failure in 5 rounds → × (1 − 0.5·0.2) = 0.9
    const s = benchScore('balanced', {
      minEntropy: 6,
      throughputBps: 500,
      maxThroughputBps: 1000,
      stability: 0.8,
      rounds: 5,
      missedRounds: 0,
      failures: 1,
    });
    expect(s).toBeCloseTo(0.705 * 0.9, 12);
    expect(
      benchScore('min_entropy', {
        minEntropy: 6,
        throughputBps: 0,
        maxThroughputBps: 0,
        stability: 1,
        rounds: 2,
        missedRounds: 0,
        failures: 0,
      }),
    ).toBe(6);
  });
});

describe('runBench on synthetic streams', () => {
  it('reports states, grades from the fixed-size SP 800-90B sample, and validates', async () => {
    const r = await runBenchWith({ profile: 'quick', gradeSamples: GRADE_SAMPLES });
    assertSchema('bench', JSON.parse(JSON.stringify(r)));
    const by = Object.fromEntries(r.standard.sources.map((s) => [s.name, s]));
    expect(by.absent.state).toBe('UNAVAILABLE');
    expect(by.absent.reason).toBe('not on this machine');
    expect(by.broken.state).toBe('FAILED');
    expect(by.broken.grade).toBeNull();
    expect(by.uniform.state).toBe('OK');
    expect(by.uniform.grade).toBe('A');
    expect(by.uniform.avg_throughput_bps).toBeCloseTo(1e6, 6);
    // two random bits per byte: at most 2 bits of min-entropy
    expect(by.twobit.min_entropy!).toBeLessThanOrEqual(2);
    expect(['C', 'D']).toContain(by.twobit.grade);
    expect(by.uniform.success_rounds).toBe(3);
    expect(r.standard.sources[0].name).toBe('uniform');
    expect(r.standard.pool).toBeNull();
    expect(r.standard.pool_note).toMatch(/no-pool/);
    expect(r.experimental).toBeUndefined();
  });

  it('grades do not depend on the profile (fixed grading sample size)', async () => {
    const a = await runBenchWith({ profile: 'quick', samplesPerRound: 256 });
    const b = await runBenchWith({ profile: 'quick', samplesPerRound: 8192, rounds: 2 });
    const pick = (r: BenchReport) => r.standard.sources.map((s) => [s.name, s.min_entropy, s.grade]).sort();
    expect(pick(a)).toEqual(pick(b));
    // …while the per-round MCV estimate does depend on the round size
    const rnd = (r: BenchReport) => r.standard.sources.find((s) => s.name === 'uniform')!.avg_round_min_entropy!;
    expect(rnd(a)).toBeLessThan(rnd(b));
  });

  it('adds the experimental quantum section, reproducibly for a seed', async () => {
    const a = await runBenchWith({ profile: 'quick', quantum: true, seed: 9, rankBy: 'quantum' });
    const b = await runBenchWith({ profile: 'quick', quantum: true, seed: 9, rankBy: 'quantum' });
    const qa = a.experimental!.quantum_proxy_v3!;
    expect(qa.model_id).toBe('quantum_proxy_v3');
    expect(a.experimental!.label).toMatch(/EXPERIMENTAL/);
    assertSchema('quantum', JSON.parse(JSON.stringify(qa.report)));
    assertSchema('bench', JSON.parse(JSON.stringify(a)));
    expect(JSON.stringify(qa.report)).toBe(JSON.stringify(b.experimental!.quantum_proxy_v3!.report));
    expect(qa.report.sources.map((s) => s.name).sort()).toEqual(['twobit', 'uniform']);
  });

  it('rejects bad settings with a usage error naming the option', async () => {
    await expect(runBenchWith({ rounds: 0 })).rejects.toMatchObject({ code: 'USAGE', option: 'rounds' });
    await expect(runBenchWith({ timeoutSec: 0.01 })).rejects.toThrow(/^timeoutSec must be/);
  });
});

function runBenchWith(extra: Parameters<typeof runBench>[0]): Promise<BenchReport> {
  return runBench({ ...base, specs, ...extra });
}
