import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../src/analyze/dependence/benjamini-hochberg.js';
import { mutualInformation } from '../src/analyze/dependence/mutual-information.js';
import { calibrationToJson, parseCalibration } from '../src/analyze/quantum/calibration-file.js';
import { resolveQuantumConfig } from '../src/analyze/quantum/config.js';
import { confoundPenalty, telemetryConfound } from '../src/analyze/quantum/confound.js';
import { couplingAnalysis, couplingPenalty, nullShifts } from '../src/analyze/quantum/coupling.js';
import {
  betaPosterior,
  betaQuantile,
  buildCalibration,
  type CalibrationRecord,
  defaultCalibration,
  physicsPrior,
  SEEDED_CATEGORY_LABELS,
  SEEDED_SOURCE_LABELS,
} from '../src/analyze/quantum/prior.js';
import {
  aggregateBits,
  quantileSorted,
  quantumProxyV3,
  quantumScore,
  splitBits,
} from '../src/analyze/quantum/proxy.js';
import { qualityFactor, qualityMetrics } from '../src/analyze/quantum/quality.js';
import { ratio } from '../src/analyze/quantum/ratio.js';
import { SeededRng } from '../src/analyze/quantum/rng.js';
import { sweepStress, windowStress } from '../src/analyze/quantum/stress.js';
import { assertSchema } from '../src/contracts/schema.js';

const cfg = resolveQuantumConfig();
/** Deterministic test bytes (not entropy): xorshift32. */
function pseudoBytes(n: number, seed: number): Uint8Array {
  let x = seed >>> 0 || 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('quantum_proxy_v3 formulas (hand-computed)', () => {
  it('q = prior·quality·(1 − clamp01(stress + confound))·(1 − coupling) and the bit split', () => {
    // 0.5 × 0.8 × (1 − 0.2) × (1 − 0.25) = 0.24
    expect(quantumScore({ prior: 0.5, quality: 0.8, stress: 0.1, confound: 0.1, coupling: 0.25 })).toBeCloseTo(
      0.24,
      12,
    );
    // stress + confound saturates at 1 → q = 0
    expect(quantumScore({ prior: 1, quality: 1, stress: 0.7, confound: 0.6, coupling: 0 })).toBe(0);
    const b = splitBits(6, 0.24);
    expect(b.q_bits).toBeCloseTo(1.44, 12);
    expect(b.c_bits).toBeCloseTo(4.56, 12);
    // H∞ is clamped to [0, 8]
    expect(splitBits(9, 0.5).q_bits).toBe(4);
  });

  it('aggregate, and infinity is "inf", never null', () => {
    const a = aggregateBits([1, 2], [1, 0]);
    expect(a.Q).toBe(3);
    expect(a.C).toBe(1);
    expect(a.fraction).toBeCloseTo(0.75, 12);
    expect(a.ratio).toBe(3);
    expect(ratio(2, 0)).toBe('inf');
    expect(ratio(0, 0)).toBeNull();
    expect(aggregateBits([1], [0]).ratio).toBe('inf');
  });

  it('quality factor', () => {
    // F 0.9; A = 0.15/0.3 = 0.5 → 0.75; B = 0.015/0.03 = 0.5 → 0.8; S = 1; R = 0.5·((2−1)/2) = 0.25 → 0.925
    const q = qualityFactor({
      spectralFlatness: 0.9,
      maxAbsAutocorrelation: 0.15,
      overallBitBias: 0.015,
      stationarityF: 1,
      stationary: true,
      longestRun: 6,
      expectedLongestRun: 3,
      runs: 100,
      expectedRuns: 100,
    });
    expect(q).toBeCloseTo(0.9 * 0.75 * 0.8 * 1 * 0.925, 12);
    // Not stationary with F = 3: S = 1/(1 + 1) = 0.5
    const q2 = qualityFactor({
      spectralFlatness: 1,
      maxAbsAutocorrelation: 0,
      overallBitBias: 0,
      stationarityF: 3,
      stationary: false,
      longestRun: 3,
      expectedLongestRun: 3,
      runs: 100,
      expectedRuns: 100,
    });
    expect(q2).toBeCloseTo(0.5, 12);
  });

  it('quality metrics: white-ish bytes score high, a constant or a ramp scores low', () => {
    expect(qualityFactor(qualityMetrics(pseudoBytes(65536, 7)))).toBeGreaterThan(0.85);
    expect(qualityFactor(qualityMetrics(new Uint8Array(4096).fill(9)))).toBe(0);
    expect(qualityFactor(qualityMetrics(Uint8Array.from({ length: 4096 }, (_, i) => i & 0xff)))).toBeLessThan(0.2);
  });

  it('coupling penalty blend: (0.4·0.5 + 0.25·0.5)/1.0', () => {
    expect(couplingPenalty([0.15, 0, 0.01, 0], cfg)).toBeCloseTo(0.325, 12);
    expect(couplingPenalty([1, 1, 1, 1], cfg)).toBe(1);
  });

  it('Benjamini–Hochberg matches R p.adjust(method = "BH")', () => {
    // R: p.adjust(c(0.01, 0.04, 0.03, 0.005), "BH") = 0.02 0.04 0.04 0.02
    const q = benjaminiHochberg([0.01, 0.04, 0.03, 0.005]);
    expect(Array.from(q)).toEqual([0.02, 0.04, 0.04, 0.02].map((x) => expect.closeTo(x, 12)));
    // R: p.adjust(c(0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205), "BH")
    //  = 0.008 0.032 0.0672 0.0672 0.0672 0.08 0.08457143 0.205
    const q2 = benjaminiHochberg([0.001, 0.008, 0.039, 0.041, 0.042, 0.06, 0.074, 0.205]);
    const want = [0.008, 0.032, 0.0672, 0.0672, 0.0672, 0.08, 0.0845714285714, 0.205];
    for (let i = 0; i < want.length; i++) expect(q2[i]).toBeCloseTo(want[i], 9);
  });

  it('Miller–Madow MI and |r| of a stream with itself (n = 64, 2 bins of 32) and against dependence/mutualInformation', () => {
    const a = Uint8Array.from({ length: 64 }, (_, i) => ((i * 5) % 8) * 32);
    const r = couplingAnalysis(
      [
        { name: 'a', bytes: a },
        { name: 'b', bytes: a.slice() },
      ],
      cfg,
    );
    const p = r.pairs[0];
    expect(p.observed[0]).toBeCloseTo(1, 12);
    // bins(64) = 2 (≥ 5 per cell): top bit, 32/32 split → I = H(X) = 1 bit, + (2 + 2 − 2 − 1)/(2·64·ln 2)
    expect(p.observed[2]).toBeCloseTo(1 + 1 / (128 * Math.LN2), 12);
    const x = pseudoBytes(4096, 5);
    const y = pseudoBytes(4096, 6).map((v, i) => (i % 3 === 0 ? x[i] : v));
    const rr = couplingAnalysis(
      [
        { name: 'x', bytes: x },
        { name: 'y', bytes: y },
      ],
      cfg,
    );
    const ref = mutualInformation(x, y, 16, 0);
    expect(rr.pairs[0].observed[2]).toBeCloseTo(Math.max(0, ref.millerMadow), 12);
  });

  it('coupling: a copy is coupled, a lagged copy is caught by the lagged statistics only, noise is not', () => {
    const n = 8192;
    const a = pseudoBytes(n, 1);
    const lagged = new Uint8Array(n);
    for (let i = 0; i < n; i++) lagged[i] = a[(i + n - 3) % n];
    const r = couplingAnalysis(
      [
        { name: 'a', bytes: a },
        { name: 'copy', bytes: a.slice() },
        { name: 'lag3', bytes: lagged },
        { name: 'noise', bytes: pseudoBytes(n, 99) },
      ],
      cfg,
    );
    const pair = (x: string, y: string) => r.pairs.find((p) => (p.a === x && p.b === y) || (p.a === y && p.b === x))!;
    expect(pair('a', 'copy').significant.every(Boolean)).toBe(true);
    // Correlation null = every admissible rotation: p floor 1/(N + 1)
    expect(pair('a', 'copy').p[0]).toBeCloseTo(1 / (pair('a', 'copy').nullRounds[0] + 1), 12);
    expect(pair('a', 'copy').nullRounds[0]).toBe(8192 - 2 * (2 * 8 + 1) + 1);
    const lag = pair('a', 'lag3');
    expect(lag.observed[0]).toBeLessThan(0.05);
    expect(lag.observed[1]).toBeGreaterThan(0.99);
    expect(lag.significant[1]).toBe(true);
    expect(lag.significant[3]).toBe(true);
    expect(pair('a', 'noise').significant.some(Boolean)).toBe(false);
    expect(r.bySource.get('noise')!.penalty).toBeLessThan(0.05);
    expect(r.bySource.get('copy')!.penalty).toBeGreaterThan(0.5);
  });

  it('null shifts stay clear of the observed lag window', () => {
    expect(nullShifts(16, 31, 8)).toEqual([]);
    for (const s of nullShifts(100, 31, 8)) expect(Math.min(s, 100 - s)).toBeGreaterThan(16);
    expect(nullShifts(65536, 31, 8)).toHaveLength(31);
  });

  it('window stress is debiased: i.i.d. bytes ≈ 0, a regime change is large', () => {
    const iid = windowStress(pseudoBytes(65536, 3), 8, 512, 1.5);
    expect(iid.stress).toBeLessThan(0.05);
    const mixed = pseudoBytes(65536, 4);
    for (let i = 32768; i < 65536; i++) mixed[i] &= 0x03; // second half: 2 bits per byte
    expect(windowStress(mixed, 8, 512, 1.5).stress).toBeGreaterThan(0.9);
    // live sweep: mean |ΔH| = (0.3 + 0.6 + 0)/3 = 0.3 → 0.3/1.5 = 0.2
    expect(
      sweepStress(
        { baselineMinEntropy: 6, cpuLoadMinEntropy: 5.7, memoryLoadMinEntropy: 6.6, schedulerLoadMinEntropy: 6 },
        1.5,
      ).stress,
    ).toBeCloseTo(0.2, 12);
  });

  it('telemetry confound by hand', () => {
    const c = telemetryConfound({
      start: {
        cpu_count: 2,
        loadavg_1m: 0.5,
        metrics: [
          { domain: 'thermal', name: 'cpu.temp', value: 50 },
          { domain: 'frequency', name: 'cpu_hz_avg', value: 2e9 },
          { domain: 'memory', name: 'total_bytes', value: 1000 },
          { domain: 'memory', name: 'available_bytes', value: 600 },
        ],
      },
      end: {
        cpu_count: 2,
        loadavg_1m: 1.5,
        metrics: [
          { domain: 'thermal', name: 'cpu.temp', value: 54 },
          { domain: 'frequency', name: 'cpu_hz_avg', value: 1.8e9 },
          { domain: 'memory', name: 'total_bytes', value: 1000 },
          { domain: 'memory', name: 'available_bytes', value: 500 },
        ],
      },
    });
    expect(c.load_abs_per_core).toBeCloseTo(0.75, 12);
    expect(c.load_delta_per_core).toBeCloseTo(0.5, 12);
    expect(c.thermal_rise_c).toBeCloseTo(4, 12);
    expect(c.frequency_drift_ratio).toBeCloseTo(0.1, 12);
    // 0.6·(1 − 0.5) + 0.4·(100/1000) = 0.34
    expect(c.memory_pressure).toBeCloseTo(0.34, 12);
    const idx = 0.26 * 0.75 + 0.18 * 0.5 + 0.18 * 0.5 + 0.14 * (0.1 / 0.15) + 0.16 * 0.34;
    expect(c.confound_index).toBeCloseTo(idx, 12);
    expect(confoundPenalty(c, 'timing')).toBeCloseTo(idx * 0.7, 12);
    expect(confoundPenalty(c, 'thermal')).toBeCloseTo(idx * 0.7 * 0.8, 12);
  });
});

describe('physics prior', () => {
  it('Beta quantiles: Beta(1,1) is uniform, Beta(2,1) has CDF x²', () => {
    expect(betaQuantile(0.025, 1, 1)).toBeCloseTo(0.025, 10);
    expect(betaQuantile(0.975, 2, 1)).toBeCloseTo(Math.sqrt(0.975), 10);
    const p = betaPosterior(2, 1);
    expect(p.mean).toBeCloseTo(2 / 3, 12);
    expect(p.n_eff).toBe(1);
    expect(p.ci_low).toBeCloseTo(Math.sqrt(0.025), 10);
  });

  it("reproduces the inventory's numbers for the seed's original table", () => {
    // The seed's table including its stale keys (process, tcp_connect) and iosurface_crossing under io.
    const recs: CalibrationRecord[] = [];
    for (const [category, [label, weight]] of Object.entries(SEEDED_CATEGORY_LABELS))
      recs.push({ category, label, weight });
    for (const [source, [category, label, weight]] of Object.entries(SEEDED_SOURCE_LABELS)) {
      if (source === 'tcp_connect_timing') recs.push({ source: 'tcp_connect', category, label, weight });
      else if (source === 'iosurface_crossing') recs.push({ source, category: 'io', label, weight });
      else recs.push({ source, category, label, weight });
    }
    recs.push({ source: 'process', category: 'system', label: 0.18, weight: 6 });
    const c = buildCalibration(recs);
    expect(c.global.mean).toBeCloseTo(0.465, 3);
    expect(c.global.n_eff).toBeCloseTo(340, 9);
    expect(c.categories.thermal.mean).toBeCloseTo(0.789, 3);
    expect(c.categories.sensor.mean).toBeCloseTo(0.821, 3);
    expect(c.categories.system.mean).toBeCloseTo(0.198, 3);
    // Effective priors (inventory §4.2): a timing source 0.457, denormal_timing 0.721, sysctl_deltas 0.238
    expect(physicsPrior(c, 'clock_jitter', 'timing').mean).toBeCloseTo(0.457, 3);
    expect(physicsPrior(c, 'denormal_timing', 'thermal').mean).toBeCloseTo(0.721, 3);
    expect(physicsPrior(c, 'sysctl_deltas', 'system').mean).toBeCloseTo(0.238, 3);
  });

  it('shrinkage weights by hand', () => {
    const c = buildCalibration([
      { category: 'io', label: 1, weight: 4 },
      { source: 'disk_io', category: 'io', label: 0, weight: 8 },
    ]);
    // source: Beta(1, 9), n_s = 8 → w_s = 0.5; category: Beta(5, 9), n_c = 12 → w_c = 0.5·12/18 = 1/3
    const p = physicsPrior(c, 'disk_io', 'io');
    expect(p.weights[0]).toBeCloseTo(0.5, 12);
    expect(p.weights[1]).toBeCloseTo(1 / 3, 12);
    expect(p.mean).toBeCloseTo(0.5 * 0.1 + (1 / 3) * (5 / 14) + (1 / 6) * (5 / 14), 12);
    const o = physicsPrior(c, 'disk_io', 'io', 0.98);
    expect([o.mean, o.ci_low, o.ci_high]).toEqual([0.98, expect.closeTo(0.93, 12), 1]);
  });

  it('calibration file round trip', () => {
    const c = defaultCalibration();
    const back = parseCalibration(calibrationToJson(c), 'x.json');
    expect(back).toEqual({ ...c, description: c.description });
    expect(physicsPrior(back, 'sleep_jitter', 'scheduling')).toEqual(physicsPrior(c, 'sleep_jitter', 'scheduling'));
    // Only α and β are needed; derived fields are recomputed.
    const minimal = parseCalibration(
      JSON.stringify({
        model_id: 'quantum_proxy_v3',
        model_version: 3,
        prior_alpha: 1,
        prior_beta: 1,
        global: { alpha: 3, beta: 1 },
        categories: {},
        sources: {},
      }),
    );
    expect(minimal.global.mean).toBeCloseTo(0.75, 12);
    expect(() => parseCalibration('{"model_id": "other"}', 'bad.json')).toThrow(/bad.json/);
    expect(() => parseCalibration('not json', 'bad.json')).toThrow(/not JSON/);
  });
});

describe('quantumProxyV3 report', () => {
  const inputs = () => [
    { name: 'clock_jitter', category: 'timing', minEntropyBits: 6, bytes: pseudoBytes(16384, 11) },
    { name: 'denormal_timing', category: 'thermal', minEntropyBits: 7, bytes: pseudoBytes(16384, 12) },
    { name: 'sysctl_deltas', category: 'system', minEntropyBits: 1, bytes: pseudoBytes(16384, 13).map((x) => x & 3) },
    {
      name: 'rdrand',
      category: 'reference',
      kind: 'reference' as const,
      minEntropyBits: 8,
      bytes: new Uint8Array(randomBytes(4096)),
    },
  ];

  it('same data, same seed → identical report; another seed changes only the intervals', () => {
    const a = quantumProxyV3(inputs(), { config: { seed: 42, bootstrapRounds: 128 } });
    const b = quantumProxyV3(inputs().reverse(), { config: { seed: 42, bootstrapRounds: 128 } });
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    const c = quantumProxyV3(inputs(), { config: { seed: 43, bootstrapRounds: 128 } });
    expect(c.aggregate.quantum_bits).toBe(a.aggregate.quantum_bits);
    expect(c.aggregate.quantum_bits_ci_low).not.toBe(a.aggregate.quantum_bits_ci_low);
    assertSchema('quantum', JSON.parse(JSON.stringify(a)));
  });

  it('is consistent: the aggregate is the sum of the per-source point estimates, inside its interval', () => {
    const r = quantumProxyV3(inputs(), { config: { bootstrapRounds: 256 } });
    expect(r.excluded.map((e) => e.name)).toEqual(['rdrand']);
    expect(r.experimental).toBe(true);
    const Q = r.sources.reduce((s, x) => s + x.quantum_min_entropy_bits, 0);
    expect(r.aggregate.quantum_bits).toBeCloseTo(Q, 12);
    expect(r.aggregate.quantum_bits).toBeGreaterThanOrEqual(r.aggregate.quantum_bits_ci_low);
    expect(r.aggregate.quantum_bits).toBeLessThanOrEqual(r.aggregate.quantum_bits_ci_high);
    for (const s of r.sources) {
      expect(s.quantum_score).toBeCloseTo(
        quantumScore({
          prior: s.physics_prior,
          quality: s.quality_factor,
          stress: s.stress_sensitivity,
          confound: s.telemetry_confound_penalty,
          coupling: s.coupling_penalty,
        }),
        12,
      );
    }
    // Sorted by q, the thermal-prior source first.
    expect(r.sources[0].name).toBe('denormal_timing');
    const full = r.ablation.entries.find((e) => e.scenario === 'full')!;
    expect(full.quantum_fraction).toBeCloseTo(r.aggregate.quantum_fraction, 12);
  });

  it('telemetry confound enters points, intervals and ablation alike', () => {
    const telemetry = {
      start: { cpu_count: 1, loadavg_1m: 1, metrics: [] },
      end: { cpu_count: 1, loadavg_1m: 1, metrics: [] },
    };
    const r = quantumProxyV3(inputs(), { telemetry, config: { bootstrapRounds: 128 } });
    expect(r.telemetry_confound!.confound_index).toBeCloseTo(0.26, 12);
    const s = r.sources.find((x) => x.name === 'clock_jitter')!;
    expect(s.telemetry_confound_penalty).toBeCloseTo(0.26 * 0.7, 12);
    const without = r.ablation.entries.find((e) => e.scenario === 'without_telemetry_confound')!;
    expect(without.delta_quantum_fraction).toBeGreaterThan(0);
    expect(r.aggregate.quantum_fraction).toBeLessThanOrEqual(r.aggregate.quantum_fraction_ci_high);
  });

  it('the parallel coupling gives the same report as the serial one', async () => {
    const { quantumProxyV3Parallel } = await import('../src/analyze/quantum/proxy.js');
    const many = Array.from({ length: 6 }, (_, i) => ({
      name: `s${i}`,
      category: 'timing',
      minEntropyBits: 5,
      bytes: pseudoBytes(4096, 100 + i),
    }));
    const opts = { config: { seed: 5, bootstrapRounds: 64 } };
    const serial = quantumProxyV3(many, opts);
    const parallel = await quantumProxyV3Parallel(many, { ...opts, threads: 2 });
    expect(JSON.stringify(parallel)).toBe(JSON.stringify(serial));
  });

  it('quantiles and the seeded generator', () => {
    expect(quantileSorted([1, 2, 3, 4], 0.5)).toBe(2.5);
    expect(quantileSorted([1, 2, Number.POSITIVE_INFINITY], 0.9)).toBe(Number.POSITIVE_INFINITY);
    const r1 = new SeededRng(5);
    const r2 = new SeededRng(5);
    const xs = Array.from({ length: 20000 }, () => r1.normal());
    expect(xs.slice(0, 5)).toEqual(Array.from({ length: 5 }, () => r2.normal()));
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const v = xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length;
    expect(Math.abs(m)).toBeLessThan(0.03);
    expect(Math.abs(v - 1)).toBeLessThan(0.04);
  });
});

describe('quantum for analysis', () => {
  it('builds inputs from streams: H∞ = MCV of the whole stream, catalog categories, schema-valid', async () => {
    const { quantumForSources } = await import('../src/jobs/quantum-inputs.js');
    const { mostCommonValue } = await import('../src/analyze/sp800-90b/most-common-value.js');
    const a = pseudoBytes(20000, 21);
    const q = await quantumForSources(
      [
        { name: 'clock_jitter', bytes: a },
        { name: 'not_in_catalog', bytes: pseudoBytes(20000, 22) },
      ],
      undefined,
      { seed: 3, maxBytes: 8192 },
    );
    expect(q.experimental).toBe(true);
    expect(q.telemetry).toBe('none');
    const cj = q.report.sources.find((s) => s.name === 'clock_jitter')!;
    expect(cj.min_entropy_bits).toBe(mostCommonValue(a).hMin);
    expect(cj.category).toBe('timing');
    expect(cj.sample_bytes).toBe(8192);
    expect(q.report.sources.find((s) => s.name === 'not_in_catalog')!.category).toBe('unknown');
    assertSchema('quantum', JSON.parse(JSON.stringify(q.report)));
  });
});
