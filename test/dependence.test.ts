import * as ss from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from '../src/analyze/dependence/benjamini-hochberg.js';
import { dependence } from '../src/analyze/dependence/dependence.js';
import {
  centredSpectrum,
  circAt,
  crossProducts,
  laggedCorrelation,
  linAt,
  shiftedMaxCorrelation,
  shiftedMaxCorrelations,
} from '../src/analyze/dependence/lagged-correlation.js';
import { binnedMutualInformation, binPair, mutualInformation } from '../src/analyze/dependence/mutual-information.js';
import { SeededRandom } from '../src/analyze/dependence/prng.js';
import { chiSquarePValue } from '../src/analyze/math/special.js';
import { shaBytes } from './stats-helpers.js';

describe('Benjamini–Hochberg', () => {
  it('reproduces the worked example of Benjamini & Hochberg (1995), §4', () => {
    // 15 p-values from the paper; at q* = 0.05 the step-up procedure rejects the four smallest.
    const p = [
      0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0,
    ];
    const q = benjaminiHochberg(p);
    expect(Array.from(q).filter((v) => v <= 0.05).length).toBe(4);
    // q_(i) = min_{j≥i} m p_(j)/j: q_(4) = 15·0.0095/4, q_(1) = min(15·0.0001, …) = 0.0015
    expect(q[3]).toBeCloseTo((15 * 0.0095) / 4, 12);
    expect(q[0]).toBeCloseTo(0.0015, 12);
    // monotone in p, input order preserved
    const shuffled = benjaminiHochberg([p[5], p[0], p[14]]);
    expect(shuffled[1]).toBeLessThan(shuffled[0]);
  });
});

describe('lagged correlation and mutual information', () => {
  it('FFT lagged correlation equals Pearson r on the overlap (simple-statistics)', () => {
    const a = shaBytes(2000, 'la');
    const noise = shaBytes(2000, 'ln');
    const b = new Uint8Array(2000);
    for (let i = 0; i < 2000; i++) b[i] = i >= 3 ? (a[i - 3] >> 1) + (noise[i] >> 1) : 0;
    const A = centredSpectrum(a);
    const B = centredSpectrum(b);
    const lc = laggedCorrelation(crossProducts(A, B), 5);
    const r0 = ss.sampleCorrelation(Array.from(a), Array.from(b));
    expect(lc.lag0).toBeCloseTo(r0, 10);
    // b_i depends on a_{i−3}: peak at k = +3 (b lags a).
    expect(lc.maxLag).toBe(3);
  });

  it('power-of-two lengths (circular FFT of size n) give the same lagged and shifted values as zero padding', () => {
    const n = 4096;
    const a = shaBytes(n, 'pa');
    const noise = shaBytes(n, 'pn');
    const b = Uint8Array.from(noise, (v, i) => (i >= 2 ? (a[i - 2] >> 1) + (v >> 1) : v));
    const A = centredSpectrum(a);
    const B = centredSpectrum(b);
    expect(A.size).toBe(n); // circular mode
    const circ = crossProducts(A, B);
    // direct sums from the definitions
    const ca = A.centred;
    const cb = B.centred;
    for (const k of [-7, -2, 0, 2, 5]) {
      let lin = 0;
      for (let i = Math.max(0, -k); i < n && i + k < n; i++) lin += ca[i] * cb[i + k];
      expect(linAt(circ, k)).toBeCloseTo(lin, 6);
    }
    for (const s of [300, 2048, 4000]) {
      let c = 0;
      for (let i = 0; i < n; i++) c += ca[i] * cb[(i + s) % n];
      expect(circAt(circ, s)).toBeCloseTo(c, 6);
    }
    expect(laggedCorrelation(circ, 4).maxLag).toBe(2);
    expect(shiftedMaxCorrelation(circ, 1000, 4)).toBeLessThan(0.1);
  });

  it('the many-shift null equals the one-shift function exactly (circular and zero-padded sizes)', () => {
    for (const n of [4096, 3001]) {
      const a = shaBytes(n, 'na');
      const b = Uint8Array.from(shaBytes(n, 'nb'), (v, i) => (i >= 1 ? (a[i - 1] >> 2) + (v >> 1) : v));
      const x = crossProducts(centredSpectrum(a), centredSpectrum(b));
      const shifts = [0, 1, 7, 17, n - 17, n - 1, n, n + 5, -3, 1500];
      const many = shiftedMaxCorrelations(x, shifts, 8);
      for (const [k, s] of shifts.entries()) expect(Object.is(many[k], shiftedMaxCorrelation(x, s, 8))).toBe(true);
    }
  });

  it('MI of a pair binned once equals the plug-in MI from a direct joint count at every shift', () => {
    const n = 5000;
    const x = shaBytes(n, 'bx');
    const y = Uint8Array.from(shaBytes(n, 'by'), (v, i) => (v & 0xf0) | (x[i] & 0x0f));
    for (const bins of [2, 16, 256]) {
      const p = binPair(x, y, bins);
      const w = 256 / bins;
      for (const s of [0, 3, 4999, -2]) {
        const joint = new Map<string, number>();
        const px = new Map<number, number>();
        const py = new Map<number, number>();
        for (let i = 0; i < n; i++) {
          const a = Math.floor(x[i] / w);
          const b = Math.floor(y[(((i + s) % n) + n) % n] / w);
          joint.set(`${a},${b}`, (joint.get(`${a},${b}`) ?? 0) + 1);
          px.set(a, (px.get(a) ?? 0) + 1);
          py.set(b, (py.get(b) ?? 0) + 1);
        }
        let mi = 0;
        for (const [k, c] of joint) {
          const [a, b] = k.split(',').map(Number);
          mi += (c / n) * Math.log2((c * n) / ((px.get(a) as number) * (py.get(b) as number)));
        }
        const r = binnedMutualInformation(p, s);
        expect(r.plugIn).toBeCloseTo(Math.max(0, mi), 12);
        expect(r).toEqual(mutualInformation(x, y, bins, s));
      }
    }
  });

  it('MI of identical streams is their entropy; of independent streams ≈ 0', () => {
    const x = shaBytes(1 << 16, 'mi1');
    const y = shaBytes(1 << 16, 'mi2');
    const same = mutualInformation(x, x, 16);
    // H of 16 near-uniform bins ≈ 4 bits
    expect(same.plugIn).toBeCloseTo(4, 2);
    const indep = mutualInformation(x, y, 16);
    // plug-in bias ≈ (K−1)²/(2n ln2) = 225/(2·65536·ln 2) ≈ 0.00248 bits; Miller–Madow removes it
    expect(indep.plugIn).toBeGreaterThan(0.001);
    expect(Math.abs(indep.millerMadow)).toBeLessThan(0.0015);
    expect(indep.df).toBe(225);
  });

  it('the seeded PRNG is reproducible and roughly uniform', () => {
    const a = new SeededRandom(42);
    const b = new SeededRandom(42);
    const xs = Array.from({ length: 10_000 }, () => a.nextInt(0, 9));
    expect(xs.slice(0, 20)).toEqual(Array.from({ length: 20 }, () => b.nextInt(0, 9)));
    for (let d = 0; d < 10; d++) {
      const c = xs.filter((v) => v === d).length;
      expect(c).toBeGreaterThan(880);
      expect(c).toBeLessThan(1120);
    }
  });
});

describe('dependence between sources', () => {
  it('flags a lagged copy and a nonlinear function, not independent streams; reproducible', () => {
    const n = 20_000;
    const a = shaBytes(n, 'dA');
    const noise = shaBytes(n, 'dN');
    const lagged = new Uint8Array(n); // b_i = a_{i−2} + noise (correlated at lag +2)
    for (let i = 0; i < n; i++) lagged[i] = i >= 2 ? (a[i - 2] >> 1) + (noise[i] >> 1) : 0;
    const squared = Uint8Array.from(a, (v) => Math.abs(v - 128) * 2); // zero correlation, strong MI
    const c = shaBytes(n, 'dC');
    const srcs = [
      { name: 'a', bytes: a },
      { name: 'lagged', bytes: lagged },
      { name: 'square', bytes: squared },
      { name: 'c', bytes: c },
    ];
    const r = dependence(srcs, { maxLag: 4, correlationShifts: 999, miShifts: 19, seed: 7 });
    const pair = (x: string, y: string) => r.pairs.find((p) => p.a === x && p.b === y);
    expect(pair('a', 'lagged')?.correlation.maxLag).toBe(2);
    expect(pair('a', 'lagged')?.flagged).toBe(true);
    const sq = pair('a', 'square');
    expect(Math.abs(sq?.correlation.lag0 ?? 1)).toBeLessThan(0.05);
    expect(sq?.mutualInformation.qValue).toBeLessThan(0.05);
    // lagged–square depend only nonlinearly and at lag 2, where MI (lag 0 only) does not look: not flagged.
    expect(r.flagged.map((f) => `${f.a}-${f.b}`).sort()).toEqual(['a-lagged', 'a-square']);
    expect(pair('a', 'c')?.flagged).toBe(false);
    const again = dependence(srcs, { maxLag: 4, correlationShifts: 999, miShifts: 19, seed: 7 });
    expect(JSON.stringify(again)).toBe(JSON.stringify(r));
  });

  it('constant and short sources do not break it', () => {
    const r = dependence(
      [
        { name: 'x', bytes: shaBytes(5000, 'x') },
        { name: 'const', bytes: new Uint8Array(5000).fill(4) },
        { name: 'short', bytes: shaBytes(10, 's') },
      ],
      { correlationShifts: 99, miShifts: 5 },
    );
    expect(r.pairs).toHaveLength(1);
    expect(r.pairs[0].correlation.pValue).toBe(1);
    expect(r.pairs[0].flagged).toBe(false);
    expect(r.skipped.map((s) => s.reason)[0]).toContain('only 10 common samples');
    expect(dependence([{ name: 'one', bytes: shaBytes(100) }]).pairs).toEqual([]);
  });

  it('independent streams: correlation p-values are not concentrated near 0', () => {
    const srcs = Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, bytes: shaBytes(8192, `ind${i}`) }));
    const r = dependence(srcs, { correlationShifts: 199, miShifts: 19 });
    expect(r.pairs).toHaveLength(15);
    expect(r.flagged).toEqual([]);
    const small = r.pairs.filter((p) => p.correlation.pValue < 0.05 || p.mutualInformation.pValue < 0.05).length;
    expect(small).toBeLessThanOrEqual(5);
  });

  it('independent but strongly autocorrelated streams are not flagged (the shift null keeps their serial dependence)', () => {
    const srcs = Array.from({ length: 6 }, (_, i) => {
      const u = shaBytes(16_384, `ar${i}`);
      const b = new Uint8Array(u.length);
      let y = 0;
      for (let k = 0; k < u.length; k++) {
        y = 0.9 * y + (u[k] - 127.5);
        b[k] = Math.max(0, Math.min(255, Math.round(128 + y / 3)));
      }
      return { name: `a${i}`, bytes: b };
    });
    const r = dependence(srcs, { correlationShifts: 999, miShifts: 39 });
    expect(r.flagged).toEqual([]);
    // a plain G-test (G = 2n·ln2·MI against χ²_{(bins−1)²}, no null) rejects most of these pairs: the null does the work
    const plain = r.pairs.filter((p) => {
      const m = p.mutualInformation;
      return chiSquarePValue(2 * p.n * Math.LN2 * m.plugInBits, (m.bins - 1) ** 2) < 0.05;
    }).length;
    expect(plain).toBeGreaterThan(r.pairs.length / 2);
  });
});
