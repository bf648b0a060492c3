/**
 * The streaming accumulators against the statistics over the whole series in memory: same results (to
 * rounding) whatever the chunks pushed, and merged accumulators equal to one over the concatenation.
 */
import { describe, expect, it } from 'vitest';
import { mostCommonValue, mostCommonValueOfCounts } from '../src/analyze/sp800-90b/most-common-value.js';
import { AutocorrelationAccumulator, autocorrelation } from '../src/analyze/stats/autocorrelation.js';
import { bitBias } from '../src/analyze/stats/bit-bias.js';
import { chiSquareUniform } from '../src/analyze/stats/chi-square-uniform.js';
import { byteCounts } from '../src/analyze/stats/histogram.js';
import { MomentsAccumulator, moments, momentsOfSums } from '../src/analyze/stats/moments.js';
import { WelchAccumulator, welchPowerSpectrum } from '../src/analyze/stats/power-spectrum.js';
import { RunsAccumulator, runs } from '../src/analyze/stats/runs.js';
import { shannonEntropy } from '../src/analyze/stats/shannon-entropy.js';
import { ByteStatisticsAccumulator, byteStatistics } from '../src/analyze/stats/source-statistics.js';
import { StationarityAccumulator, stationarity } from '../src/analyze/stats/stationarity.js';
import { int64ToFloat64 } from '../src/util/int64.js';
import { shaBytes, shaNormal } from './stats-helpers.js';

/** Pushes x in chunks of the given sizes (cycled), the way a DuckDB stream cuts a column. */
function pushChunks(push: (c: ArrayLike<number>) => void, x: Float64Array | Uint8Array, sizes: number[]): void {
  let k = 0;
  for (let i = 0; i < x.length; k++) {
    const len = Math.min(sizes[k % sizes.length], x.length - i);
    push(x.subarray(i, i + len));
    i += len;
  }
}

/** An AR(1) series with a drift and a large offset (what a timing source's raw values look like). */
function ar1(n: number, phi: number, offset: number): Float64Array {
  const e = shaNormal(n, `ar${phi}`);
  const x = new Float64Array(n);
  let v = 0;
  for (let i = 0; i < n; i++) {
    v = phi * v + e[i];
    x[i] = offset + v + i * 1e-4;
  }
  return x;
}

const CHUNKS = [[1], [7, 4096, 3], [65536], [1000, 1, 12_345]];

describe('streaming accumulators equal the in-memory statistics', () => {
  it('moments: Pébay merges of two-pass blocks, any chunking', () => {
    const x = ar1(50_000, 0.5, 1e6);
    const ref = moments(x);
    for (const sizes of CHUNKS) {
      const acc = new MomentsAccumulator();
      pushChunks((c) => acc.push(c), x, sizes);
      const r = momentsOfSums(acc.result());
      expect(r.n).toBe(ref.n);
      expect(r.mean).toBeCloseTo(ref.mean, 6);
      // Offset 1e6 against an SD near 1: both sums carry ~1e-10 relative rounding.
      expect(r.variance / ref.variance).toBeCloseTo(1, 8);
      expect(r.skewness).toBeCloseTo(ref.skewness, 6);
      expect(r.excessKurtosis).toBeCloseTo(ref.excessKurtosis, 6);
      expect([r.min, r.max]).toEqual([ref.min, ref.max]);
    }
    // Two accumulators of disjoint parts merge into the whole.
    const a = new MomentsAccumulator();
    const b = new MomentsAccumulator();
    a.push(x, 0, 20_000);
    b.push(x, 20_000);
    a.merge(b);
    expect(momentsOfSums(a.result()).variance / ref.variance).toBeCloseTo(1, 8);
  });

  it('autocorrelation: block-wise lag sums equal the one-FFT values', () => {
    for (const [x, L] of [
      [ar1(40_000, 0.9, 5e5), 1000],
      [Float64Array.from(shaBytes(30_001, 'acf')), 300],
      [ar1(50, 0.3, 0), 1000],
    ] as [Float64Array, number][]) {
      const ref = autocorrelation(x, L);
      for (const sizes of CHUNKS) {
        const acc = new AutocorrelationAccumulator(x.length, L);
        pushChunks((c) => acc.push(c), x, sizes);
        const r = acc.result();
        expect(r.maxLag).toBe(ref.maxLag);
        for (let k = 0; k < ref.maxLag; k++) expect(Math.abs(r.r[k] - ref.r[k])).toBeLessThan(1e-9);
        expect(r.ljungBox.q / ref.ljungBox.q).toBeCloseTo(1, 8);
        expect(r.violations).toBe(ref.violations);
        expect(r.constant).toBe(false);
      }
    }
  });

  it('autocorrelation of a constant stream is constant, streamed or not', () => {
    const x = new Float64Array(10_000).fill(1234567);
    const acc = new AutocorrelationAccumulator(x.length, 100);
    acc.push(x);
    expect(acc.result().constant).toBe(true);
    expect(autocorrelation(x, 100).constant).toBe(true);
  });

  it('Welch: the streamed spectrum is the in-memory one, bit for bit', () => {
    const x = ar1(33_333, 0.7, 10);
    const ref = welchPowerSpectrum(x);
    for (const sizes of CHUNKS) {
      const acc = WelchAccumulator.forLength(x.length);
      if (!acc) throw new Error('no accumulator');
      pushChunks((c) => acc.push(c), x, sizes);
      expect(acc.result()).toEqual(ref);
    }
    expect(WelchAccumulator.forLength(31)).toBeNull();
  });

  it('stationarity: windows of the announced length, the F test as in memory', () => {
    const x = ar1(12_345, 0.2, 100);
    const ref = stationarity(x, 10);
    const acc = new StationarityAccumulator(x.length, 10);
    pushChunks((c) => acc.push(c), x, [777]);
    const r = acc.result();
    expect(r.windows).toBe(ref.windows);
    expect(r.df1).toBe(ref.df1);
    expect(r.df2).toBe(ref.df2);
    expect(r.f / ref.f).toBeCloseTo(1, 9);
    for (const [i, m] of r.windowMeans.entries()) expect(m).toBeCloseTo(ref.windowMeans[i], 9);
    // A constant stream never "moved" (equal window means leave SSB at 0): not applicable, or F = 0.
    for (const v of [1234, 0.1]) {
      const c = new StationarityAccumulator(1000, 10);
      c.push(new Float64Array(1000).fill(v));
      const s = c.result();
      expect(s.pValue).toBe(1);
      expect(s.applicable).toBe(v !== 1234);
    }
  });

  it('runs: counted across chunk boundaries; accumulators of consecutive parts merge', () => {
    const b = Uint8Array.from(shaBytes(20_000, 'runs'), (v) => v & 3);
    const ref = runs(b);
    const acc = new RunsAccumulator();
    pushChunks((c) => acc.push(c as Uint8Array), b, [1, 2, 3, 500]);
    expect(acc.summary()).toEqual({ n: ref.n, totalRuns: ref.totalRuns, longestRun: ref.longestRun });
    for (const cut of [0, 1, 9_999, 19_999, 20_000]) {
      const p = new RunsAccumulator();
      const q = new RunsAccumulator();
      p.push(b.subarray(0, cut));
      q.push(b.subarray(cut));
      p.merge(q);
      expect(p.summary()).toEqual(acc.summary());
    }
    // A run that spans both parts entirely.
    const same = new Uint8Array(10).fill(7);
    const p = new RunsAccumulator();
    const q = new RunsAccumulator();
    p.push(same.subarray(0, 4));
    q.push(same.subarray(4));
    p.merge(q);
    expect(p.summary()).toEqual({ n: 10, totalRuns: 1, longestRun: 10 });
  });

  it('counts-based byte statistics are those of the bytes', () => {
    const b = Uint8Array.from(shaBytes(9_000, 'cnt'), (v) => v | 1);
    const counts = byteCounts(b);
    expect(mostCommonValueOfCounts(counts, b.length)).toEqual(mostCommonValue(b));
    expect(bitBias(b).p1[0]).toBe(1);
    expect(chiSquareUniform(b).histogram).toEqual(Array.from(counts));
    expect(shannonEntropy(b).distinct).toBe(128);
  });

  it('byte statistics streamed equal those in memory (to rounding)', () => {
    const b = shaBytes(100_000, 'bs');
    const ref = byteStatistics(b, { maxLag: 200 });
    const acc = new ByteStatisticsAccumulator(b.length, { maxLag: 200 });
    pushChunks((c) => acc.push(c as Uint8Array), b, [4093, 17]);
    const r = acc.result();
    expect(r.shannon).toEqual(ref.shannon);
    expect(r.bitBias).toEqual(ref.bitBias);
    expect(r.chiSquareUniform).toEqual(ref.chiSquareUniform);
    expect(r.runs).toEqual(ref.runs);
    expect(r.spectrum).toEqual(ref.spectrum);
    expect(r.moments.variance).toBeCloseTo(ref.moments.variance, 8);
    expect(r.autocorrelation.maxAbsLag).toBe(ref.autocorrelation.maxAbsLag);
  });

  it('int64ToFloat64 gives Number(v) for every int64, rounding included', () => {
    const edge = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n - 1n, 2n ** 32n, 2n ** 53n + 1n, 2n ** 53n + 3n];
    edge.push(-(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n), 0x7654_3210_fedc_ba98n, -0x1234_5678_9abc_def1n);
    const raw = shaBytes(8 * 4000, 'i64');
    const v = new BigInt64Array(edge.length + 4000);
    v.set(edge);
    v.set(new BigInt64Array(raw.buffer, raw.byteOffset, 4000), edge.length);
    const out = int64ToFloat64(v.subarray(3));
    expect(out.length).toBe(v.length - 3);
    expect(Array.from(out)).toEqual(Array.from(v.subarray(3), Number));
  });
});
