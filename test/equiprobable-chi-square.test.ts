import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { igamc } from '../src/analyze/math/special.js';
import { chiSquareOfBins } from '../src/analyze/sp800-22/series-evidence.js';
import { CHI_SQUARE_CAP, equiprobableChiSquareTail } from '../src/analyze/stats/equiprobable-chi-square.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-22');

describe('exact tail of the uniformity χ² (equiprobable multinomial)', () => {
  it('equals an independent count of placements in integers (uniformity_exact.py)', () => {
    const fix = JSON.parse(readFileSync(join(FIX, 'uniformity-exact.json'), 'utf8')) as {
      cases: { counts: number[]; chi2: number; tail: string }[];
    };
    for (const c of fix.cases) {
      const exact = Number(c.tail);
      const p = equiprobableChiSquareTail(c.counts);
      if (c.chi2 < CHI_SQUARE_CAP) {
        expect(Math.abs(p - exact) / exact, `${c.counts}`).toBeLessThan(1e-9);
      } else {
        // beyond the cap: the tail at the cap, an upper bound, still far below any decision level
        expect(p, `${c.counts}`).toBeGreaterThanOrEqual(exact);
        expect(p, `${c.counts}`).toBeLessThan(1e-9);
      }
    }
  });

  it('equals brute force over every way 12 values fall into 10 bins', () => {
    // P(F = f) = 12!/∏f_i! · 10^−12 for every composition f of 12 into 10 parts
    const K = 12;
    const fact = [1n];
    for (let i = 1; i <= K; i++) fact[i] = fact[i - 1] * BigInt(i);
    const dist = new Map<number, bigint>(); // X² (as 10·Σf² − K², an integer) → placements, 12!/∏f_i!
    const f = new Array<number>(10).fill(0);
    const walk = (bin: number, left: number): void => {
      if (bin === 9) {
        f[9] = left;
        let ways = fact[K];
        let sq = 0;
        for (const x of f) {
          ways /= fact[x];
          sq += x * x;
        }
        const key = 10 * sq - K * K;
        dist.set(key, (dist.get(key) ?? 0n) + ways);
        return;
      }
      for (let x = 0; x <= left; x++) {
        f[bin] = x;
        walk(bin + 1, left - x);
      }
    };
    walk(0, K);
    const keys = [...dist.keys()].sort((a, b) => a - b);
    for (const counts of [
      [2, 1, 3, 0, 1, 1, 2, 0, 1, 1],
      [1, 1, 1, 1, 1, 1, 1, 1, 2, 2],
      [4, 4, 0, 0, 0, 0, 1, 1, 1, 1],
      [6, 6, 0, 0, 0, 0, 0, 0, 0, 0],
      [12, 0, 0, 0, 0, 0, 0, 0, 0, 0],
    ]) {
      const key = 10 * counts.reduce((s, x) => s + x * x, 0) - K * K;
      const ways = keys.filter((x) => x >= key).reduce((s, x) => s + (dist.get(x) as bigint), 0n);
      const brute = Number(ways) / 10 ** K;
      if (chiSquareOfBins(counts) < CHI_SQUARE_CAP)
        expect(equiprobableChiSquareTail(counts), `${counts}`).toBeCloseTo(brute, 14);
      else expect(equiprobableChiSquareTail(counts)).toBeGreaterThan(brute); // X² = 108: the tail at the cap
    }
  });

  it("NIST's χ²₉ tail is too small where the decisions are taken (K = 55), close for large K", () => {
    const at = (counts: number[]) => ({
      exact: equiprobableChiSquareTail(counts),
      approx: igamc(4.5, chiSquareOfBins(counts) / 2),
    });
    const k55 = at([19, 1, 1, 2, 5, 5, 5, 5, 6, 6]); // X² = 43
    expect(k55.approx).toBeCloseTo(2.156e-6, 9);
    expect(k55.exact / k55.approx).toBeGreaterThan(3.5);
    const big = at([139, 80, 93, 96, 101, 102, 95, 98, 97, 99]); // K = 1,000, X² = 18.7
    expect(Math.abs(big.exact / big.approx - 1)).toBeLessThan(0.03);
  });

  it('trivial and invalid inputs', () => {
    expect(equiprobableChiSquareTail([0, 0, 0])).toBe(1);
    expect(equiprobableChiSquareTail([5, 5, 5, 5, 5, 5, 5, 5, 5, 5])).toBeCloseTo(1, 14);
    expect(() => equiprobableChiSquareTail([1, -1])).toThrow(RangeError);
    expect(() => equiprobableChiSquareTail([1.5, 2])).toThrow(RangeError);
  });
});
