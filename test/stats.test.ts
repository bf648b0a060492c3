import * as ss from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { autocorrelation } from '../src/analyze/stats/autocorrelation.js';
import { bitBias } from '../src/analyze/stats/bit-bias.js';
import { chiSquareUniform } from '../src/analyze/stats/chi-square-uniform.js';
import { clopperPearson } from '../src/analyze/stats/clopper-pearson.js';
import { complexDft } from '../src/analyze/stats/dft.js';
import { binomialTwoSided, fSurvival, normalQuantile, studentTTwoSided } from '../src/analyze/stats/distributions.js';
import { planCacheStats, realDft } from '../src/analyze/stats/fft.js';
import { incompleteBeta } from '../src/analyze/stats/incomplete-beta.js';
import { mean, populationSd, populationVariance, sampleSd, sampleVariance } from '../src/analyze/stats/mean-sd.js';
import { discreteUniformMoments, moments } from '../src/analyze/stats/moments.js';
import {
  binnedSpectrum,
  digamma,
  spectralFlatness,
  spectralPeaks,
  welchPowerSpectrum,
} from '../src/analyze/stats/power-spectrum.js';
import { runs } from '../src/analyze/stats/runs.js';
import { shannonEntropy } from '../src/analyze/stats/shannon-entropy.js';
import { byteStatistics } from '../src/analyze/stats/source-statistics.js';
import { stationarity } from '../src/analyze/stats/stationarity.js';
import { verdict } from '../src/analyze/stats/verdict.js';
import { shaBytes, shaNormal } from './stats-helpers.js';

function binom(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

describe('distributions against tables and closed forms', () => {
  it('incomplete beta equals the binomial sum (A&S 26.5.24)', () => {
    // P(X >= k) for X ~ Bin(n, p) = I_p(k, n-k+1)
    for (const [n, k, p] of [
      [10, 3, 0.3],
      [20, 15, 0.6],
      [7, 1, 0.05],
    ]) {
      let direct = 0;
      for (let j = k; j <= n; j++) direct += binom(n, j) * p ** j * (1 - p) ** (n - j);
      expect(incompleteBeta(p, k, n - k + 1)).toBeCloseTo(direct, 13);
    }
    expect(incompleteBeta(0.5, 2.5, 2.5)).toBeCloseTo(0.5, 14); // symmetry
  });
  it('F survival at tabulated critical values', () => {
    // F(2, d2) has the closed form P(F > f) = (1 + 2f/d2)^(-d2/2).
    expect(fSurvival(3, 2, 6)).toBeCloseTo((1 + 1) ** -3, 13);
    // Tables (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.3): F_0.05(3,10) = 3.708, F_0.01(5,20) = 4.103, F_0.05(9,inf) = 1.880.
    expect(fSurvival(3.708, 3, 10)).toBeCloseTo(0.05, 4);
    expect(fSurvival(4.103, 5, 20)).toBeCloseTo(0.01, 4);
    expect(fSurvival(1.8799, 9, 1e9)).toBeCloseTo(0.05, 4);
  });
  it('Student t two-sided at tabulated critical values', () => {
    expect(studentTTwoSided(2.228, 10)).toBeCloseTo(0.05, 3);
    expect(studentTTwoSided(4.032, 5)).toBeCloseTo(0.01, 4);
    expect(studentTTwoSided(1, 1)).toBeCloseTo(0.5, 13); // Cauchy: P(|T|>1) = 1/2
  });
  it('exact binomial test: hand-computed case', () => {
    // n = 10, k = 2: P(X <= 2) = (1 + 10 + 45)/1024; two-sided doubles it.
    expect(binomialTwoSided(2, 10, 0.5)).toBeCloseTo(112 / 1024, 14);
    expect(binomialTwoSided(5, 10, 0.5)).toBe(1);
  });
  it('normal quantile at tabulated values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 12);
    expect(normalQuantile(0.001)).toBeCloseTo(-3.090232306167813, 11);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 10);
    expect(normalQuantile(0.3)).toBeCloseTo(-0.5244005127080407, 12);
  });
  it('digamma at known points', () => {
    expect(digamma(1)).toBeCloseTo(-0.5772156649015329, 12);
    expect(digamma(0.5)).toBeCloseTo(-1.9635100260214235, 12);
  });
});

describe('per-source statistics', () => {
  it('Shannon entropy: uniform histogram is 8 bits, two equiprobable symbols 1 bit', () => {
    const all = Uint8Array.from({ length: 256 * 4 }, (_, i) => i % 256);
    expect(shannonEntropy(all).bitsPerByte).toBeCloseTo(8, 12);
    expect(shannonEntropy(Uint8Array.from([3, 7, 3, 7])).bitsPerByte).toBeCloseTo(1, 12);
    expect(shannonEntropy(new Uint8Array(0)).bitsPerByte).toBe(0);
  });

  it('FFT autocorrelation equals the direct definition', () => {
    const x = shaNormal(3000, 'ac');
    const res = autocorrelation(x, 50);
    const n = x.length;
    const m = ss.mean(Array.from(x));
    let c0 = 0;
    for (let i = 0; i < n; i++) c0 += (x[i] - m) ** 2;
    for (const k of [1, 2, 17, 50]) {
      let ck = 0;
      for (let i = 0; i + k < n; i++) ck += (x[i] - m) * (x[i + k] - m);
      expect(res.r[k - 1]).toBeCloseTo(ck / (n - k) / (c0 / n), 10);
    }
    expect(res.maxLag).toBe(50);
  });

  it('autocorrelation finds an AR(1) process and its geometric decay', () => {
    const e = shaNormal(200_000, 'ar1');
    const x = new Float64Array(e.length);
    for (let i = 1; i < e.length; i++) x[i] = 0.5 * x[i - 1] + e[i];
    const res = autocorrelation(x, 1000);
    expect(res.maxLag).toBe(1000);
    expect(res.r[0]).toBeCloseTo(0.5, 1.7); // ±0.01
    expect(res.r[1]).toBeCloseTo(0.25, 1.7);
    expect(res.ljungBox.pValue).toBeLessThan(1e-100);
    const iid = autocorrelation(e, 1000);
    expect(iid.ljungBox.pValue).toBeGreaterThan(0.001);
    expect(iid.maxPValue).toBeGreaterThan(0.001);
  });

  it('i.i.d. data is rejected at about the nominal rate (Ljung–Box, runs, F test)', () => {
    let lb = 0;
    let st = 0;
    let ru = 0;
    const trials = 200;
    for (let s = 0; s < trials; s++) {
      const b = shaBytes(2000, `rate${s}`);
      if (autocorrelation(b).ljungBox.pValue < 0.05) lb++;
      if (stationarity(b).pValue < 0.05) st++;
      if (runs(b).pValue < 0.05) ru++;
    }
    // Binomial(200, 0.05): mean 10, sd 3.1; accept 2..22.
    for (const c of [lb, st, ru]) {
      expect(c).toBeGreaterThanOrEqual(1);
      expect(c).toBeLessThanOrEqual(22);
    }
  });

  it('Welch spectrum finds a sine buried in noise; white noise is flat', () => {
    const n = 1 << 16;
    const e = shaNormal(n, 'sp');
    const x = Float64Array.from(e, (v, i) => v + 0.3 * Math.sin(2 * Math.PI * 0.125 * i));
    const spec = welchPowerSpectrum(x);
    expect(spec).not.toBeNull();
    if (!spec) return;
    const pk = spectralPeaks(spec);
    expect(pk.peaks[0].frequency).toBeCloseTo(0.125, 6);
    expect(pk.minPValue).toBeLessThan(1e-10);
    const white = welchPowerSpectrum(e);
    if (!white) throw new Error('no spectrum');
    expect(spectralPeaks(white).minPValue).toBeGreaterThan(0.01);
    const fl = spectralFlatness(white);
    expect(fl.relative).toBeGreaterThan(0.98);
    expect(fl.relative).toBeLessThan(1.02);
    // Parseval-like check: the one-sided PSD of unit white noise averages ≈ 2 (density per cycle/sample, one-sided).
    let mean = 0;
    for (let k = 1; k < white.psd.length - 1; k++) mean += white.psd[k];
    mean /= white.psd.length - 2;
    expect(mean).toBeCloseTo(2, 0.7);
  });

  it('binned spectrum: group means of the inner ordinates, the sine still in its group', () => {
    // psd of a 16-point segment: ordinates 0..8; the inner ones (1..7) are kept, DC and Nyquist left out.
    const psd = Float64Array.from([100, 1, 3, 5, 7, 9, 11, 13, 100]);
    const spec = { segmentLength: 16, segments: 3, psd, edf: 4 };
    expect(Array.from(binnedSpectrum(spec, 4).power)).toEqual([2, 6, 10, 13]);
    expect(binnedSpectrum(spec, 4).binsPerPoint).toBe(2);
    const full = binnedSpectrum(spec, 512);
    expect(full.binsPerPoint).toBe(1);
    expect(Array.from(full.power)).toEqual([1, 3, 5, 7, 9, 11, 13]);
    const n = 1 << 16;
    const x = Float64Array.from(shaNormal(n, 'bin'), (v, i) => v + 0.3 * Math.sin(2 * Math.PI * 0.125 * i));
    const w = welchPowerSpectrum(x);
    if (!w) throw new Error('no spectrum');
    const b = binnedSpectrum(w, 512);
    expect(b.power.length).toBeLessThanOrEqual(512);
    const top = b.power.indexOf(Math.max(...b.power));
    const f = (1 + top * b.binsPerPoint + (b.binsPerPoint - 1) / 2) / w.segmentLength;
    expect(Math.abs(f - 0.125)).toBeLessThanOrEqual(b.binsPerPoint / w.segmentLength);
  });

  it('bit bias: exact binomial and n-aware threshold', () => {
    // bit 0 always 1 → maximal bias; other bits from uniform bytes.
    const b = shaBytes(4096, 'bb').map((v) => v | 1);
    const r = bitBias(b);
    expect(r.p1[0]).toBe(1);
    expect(r.biasedBits).toEqual([0]);
    expect(r.threshold).toBeCloseTo((0.5 * normalQuantile(1 - 0.01 / 16)) / 64, 12);
    expect(bitBias(shaBytes(4096, 'bb2')).biasedBits).toEqual([]);
  });

  it('chi-square against uniform: hand-computed statistic, table p-value', () => {
    // 512 bytes: value 0 appears 4 times, value 1 never, the rest twice: X² = (4−2)²/2 + (0−2)²/2 = 4.
    const b = new Uint8Array(512);
    let o = 0;
    for (let v = 0; v < 256; v++) for (let j = 0; j < (v === 0 ? 4 : v === 1 ? 0 : 2); j++) b[o++] = v;
    const r = chiSquareUniform(b);
    expect(r.statistic).toBeCloseTo(4, 12);
    expect(r.applicable).toBe(false); // E = 2 < 5
    // Table: χ²_0.05(255) = 293.248
    const fake = chiSquareUniform(shaBytes(256 * 20, 'cs'));
    expect(fake.df).toBe(255);
    expect(fake.applicable).toBe(true);
  });

  it('FFT plans of every kind share one cache that stays within its budget', () => {
    const x = Float64Array.from({ length: 4096 }, (_, i) => Math.sin(i * 0.37));
    const first = realDft(x, 1 << 20);
    // fft.js plans of growing sizes, mixed-radix twiddles and Bluestein chirps: together more than the budget
    for (const size of [1 << 19, 1 << 21]) realDft(x, size);
    for (const N of [3000, 3001, 5 ** 7, 7919]) complexDft(new Float64Array(2 * N).fill(1));
    const s = planCacheStats();
    expect(s.entries).toBeGreaterThan(0);
    expect(s.bytes).toBeLessThanOrEqual(s.budgetBytes);
    // the 2^20 plan was evicted; made again, it gives the same transform
    const again = realDft(x, 1 << 20);
    let same = again.length === first.length;
    for (let i = 0; same && i < first.length; i++) same = again[i] === first[i];
    expect(same).toBe(true);
  });

  it('mean, population and sample variance: by hand and against simple-statistics', () => {
    // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, Σ(x − 5)² = 32, population variance 4 (SD 2), sample 32/7
    const x = [2, 4, 4, 4, 5, 5, 7, 9];
    expect(mean(x)).toBe(5);
    expect(populationVariance(x)).toBe(4);
    expect(populationSd(x)).toBe(2);
    expect(sampleVariance(x)).toBeCloseTo(32 / 7, 15);
    expect(sampleSd(Float64Array.from(x))).toBeCloseTo(Math.sqrt(32 / 7), 15);
    const y = [0.3, 1e3, -7.25, 42, 0.001];
    expect(mean(y)).toBeCloseTo(ss.mean(y), 12);
    expect(populationVariance(y)).toBeCloseTo(ss.variance(y), 9);
    expect(sampleSd(y)).toBeCloseTo(ss.sampleStandardDeviation(y), 9);
    // the mean passed in is the one used
    expect(populationVariance([1, 3], 0)).toBe(5);
    // degenerate lists
    expect(mean([])).toBe(0);
    expect(populationSd([])).toBe(0);
    expect(populationSd([3])).toBe(0);
    expect(sampleVariance([3])).toBeNaN();
  });

  it('moments: simple-statistics and the discrete uniform closed form', () => {
    const x = [1, 2, 3, 4, 10, 7, 7, 0];
    const m = moments(x);
    expect(m.mean).toBeCloseTo(ss.mean(x), 14);
    expect(m.variance).toBeCloseTo(ss.sampleVariance(x), 12);
    // population-moment g1 and g2, by hand from the definitions
    const mu = ss.mean(x);
    const m2 = ss.mean(x.map((v) => (v - mu) ** 2));
    const m3 = ss.mean(x.map((v) => (v - mu) ** 3));
    const m4 = ss.mean(x.map((v) => (v - mu) ** 4));
    expect(m.skewness).toBeCloseTo(m3 / m2 ** 1.5, 12);
    expect(m.excessKurtosis).toBeCloseTo(m4 / m2 ** 2 - 3, 12);
    const all = Array.from({ length: 256 }, (_, i) => i);
    const u = discreteUniformMoments(256);
    const mu2 = moments(all);
    expect(mu2.mean).toBe(u.mean);
    expect((mu2.variance * 255) / 256).toBeCloseTo(u.variance, 9);
    expect(mu2.excessKurtosis).toBeCloseTo(u.excessKurtosis, 12);
    expect(u.excessKurtosis).toBeCloseTo(-1.2000366, 6);
  });

  it('stationarity: one-way ANOVA on a hand-computed case', () => {
    // groups [1,2,3],[4,5,6],[7,8,9]: SSB = 54, SSW = 6, F = (54/2)/(6/6) = 27, df (2, 6)
    const r = stationarity([1, 2, 3, 4, 5, 6, 7, 8, 9], 10, [0, 3, 6]);
    expect(r.f).toBeCloseTo(27, 12);
    expect(r.df1).toBe(2);
    expect(r.df2).toBe(6);
    expect(r.pValue).toBeCloseTo((1 + (2 * 27) / 6) ** -3, 12);
    // A level shift is detected; at least 10 windows by default.
    const b = Float64Array.from(shaNormal(10_000, 'st'), (v, i) => v + (i > 5000 ? 0.2 : 0));
    const s = stationarity(b);
    expect(s.windows).toBe(10);
    expect(s.pValue).toBeLessThan(1e-6);
    expect(stationarity(new Float64Array(100).fill(3)).applicable).toBe(false);
  });

  it('runs: counts and expectations under the observed distribution', () => {
    const r = runs(Uint8Array.from([1, 1, 2, 2, 2, 3, 1]));
    expect(r.totalRuns).toBe(4);
    expect(r.longestRun).toBe(3);
    // uniform bytes: E[R] = 1 + (n − 1)(255/256), Var = (n − 1) q (1 − q)
    const u = runs(Uint8Array.from({ length: 256 * 100 }, (_, i) => (i * 37) % 256));
    expect(u.expectedRuns).toBeCloseTo(1 + (256 * 100 - 1) * (255 / 256), 8);
    expect(u.varianceRuns).toBeCloseTo((256 * 100 - 1) * (255 / 256) * (1 / 256), 6);
    // Fair coin: a run of m identical values is a run of m − 1 "no change" indicators among n − 1 fair ones, so
    // E[L] = 1 + E[longest head run in n − 1 tosses] ≈ 1 + log2((n − 1)/2) + γ/ln 2 − 1/2 (Schilling 1990).
    const coin = Uint8Array.from(shaBytes(100_000, 'coin'), (v) => v & 1);
    const c = runs(coin);
    const schilling = 1 + Math.log2(99_999 / 2) + 0.5772156649 / Math.LN2 - 0.5;
    expect(Math.abs(c.expectedLongestRun - schilling)).toBeLessThan(0.25);
  });

  it('verdict: uniform is GOOD, AR(1) is CRITICAL, biased i.i.d. only WARNING, degenerate CRITICAL', () => {
    expect(verdict({ stats: byteStatistics(shaBytes(100_000, 'v')) }).verdict).toBe('GOOD');
    const e = shaNormal(100_000, 'var');
    const ar = new Uint8Array(e.length);
    let y = 0;
    for (let i = 0; i < e.length; i++) {
      y = 0.3 * y + e[i];
      ar[i] = Math.max(0, Math.min(255, Math.round(128 + 30 * y)));
    }
    const va = verdict({ stats: byteStatistics(ar) });
    expect(va.verdict).toBe('CRITICAL');
    expect(va.reasons.map((r) => r.check)).toContain('autocorrelation');
    const biased = shaBytes(100_000, 'vb').map((v) => v & 0x7f);
    const vb = verdict({ stats: byteStatistics(biased) });
    expect(vb.verdict).toBe('WARNING');
    expect(vb.reasons.map((r) => r.check).sort()).toEqual(['bit_bias', 'uniformity']);
    expect(verdict({ stats: byteStatistics(new Uint8Array(0)) }).verdict).toBe('CRITICAL');
    const constant = verdict({ stats: byteStatistics(new Uint8Array(1000).fill(9)) });
    expect(constant.verdict).toBe('CRITICAL');
    expect(constant.reasons[0].message).toContain('9');
  });
});

describe('clopperPearson', () => {
  /** P(X ≤ k) for X ~ Binomial(n, p), summed directly. */
  function binomCdf(k: number, n: number, p: number): number {
    let s = 0;
    let c = 1;
    for (let j = 0; j <= k; j++) {
      s += c * p ** j * (1 - p) ** (n - j);
      c = (c * (n - j)) / (j + 1);
    }
    return s;
  }

  it('has the closed-form ends for k = 0, 1, n and the binomial tails α/2 at its bounds', () => {
    expect(clopperPearson(0, 10)).toEqual([0, expect.closeTo(1 - 0.025 ** 0.1, 10)]);
    expect(clopperPearson(10, 10)).toEqual([expect.closeTo(0.025 ** 0.1, 10), 1]);
    expect(clopperPearson(1, 20)[0]).toBeCloseTo(1 - 0.975 ** (1 / 20), 10);
    for (const [k, n] of [
      [1, 20],
      [5, 10],
      [3, 100],
      [47, 50],
    ]) {
      const [lo, hi] = clopperPearson(k, n);
      // the upper bound is the p at which seeing ≤ k is as unlikely as α/2, the lower one ≥ k
      expect(binomCdf(k, n, hi)).toBeCloseTo(0.025, 9);
      expect(1 - binomCdf(k - 1, n, lo)).toBeCloseTo(0.025, 9);
    }
    const [lo90, hi90] = clopperPearson(5, 10, 0.9);
    expect(binomCdf(5, 10, hi90)).toBeCloseTo(0.05, 9);
    expect(lo90).toBeGreaterThan(clopperPearson(5, 10)[0]);
    expect(() => clopperPearson(3, 2)).toThrow(RangeError);
  });
});
