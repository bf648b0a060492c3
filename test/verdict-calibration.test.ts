import { describe, expect, it } from 'vitest';
import {
  type BankLine,
  binProbabilities,
  computedFailRate,
  failingTests,
  squaresTail,
  testNulls,
} from '../bench/verdict-calibration.js';
import { FAMILY_ALPHA } from '../src/analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES } from '../src/analyze/sp800-22/types.js';
import { equiprobableChiSquareTail } from '../src/analyze/stats/equiprobable-chi-square.js';

/** P(S ≥ s) by enumerating every histogram of K observations in the cells (multinomial weights). */
function bruteForce(K: number, probs: number[], s: number): number {
  const k = probs.length;
  const m = Math.floor(K / k);
  let total = 0;
  const walk = (cell: number, left: number, weight: number, squares: number) => {
    if (cell === k - 1) {
      if (squares + (left - m) ** 2 >= s) total += weight * probs[cell] ** left;
      return;
    }
    for (let f = 0; f <= left; f++) {
      let c = 1;
      for (let j = 1; j <= f; j++) c = (c * (left - f + j)) / j;
      walk(cell + 1, left - f, weight * c * probs[cell] ** f, squares + (f - m) ** 2);
    }
  };
  walk(0, K, 1, 0);
  return total;
}

describe('verdict calibration helpers (bench/verdict-calibration.ts)', () => {
  it('the squares tail with unequal cell probabilities matches enumeration of the multinomial', () => {
    const probs = [0.5, 0.2, 0.2, 0.1];
    const tail = squaresTail(9, probs, 40);
    for (const s of [0, 3, 10, 21, 40]) expect(tail[s], `s=${s}`).toBeCloseTo(bruteForce(9, probs, s), 14);
  });

  it('with equal probabilities it is the exact uniformity tail oe decides with', () => {
    const counts = [19, 4, 4, 4, 4, 4, 4, 4, 4, 4];
    const s = counts.reduce((a, f) => a + (f - 5) ** 2, 0);
    const tail = squaresTail(55, new Array(10).fill(0.1), s + 1);
    expect(tail[s]).toBeCloseTo(equiprobableChiSquareTail(counts), 15);
    expect(tail[s] / equiprobableChiSquareTail(counts)).toBeCloseTo(1, 9);
  });

  it('decides banked reports with the rule, and computes the rate from valid p-values near the level', () => {
    // 200 sequences whose p-values are evenly spread over (0, 1): a null exactly as the rule assumes.
    const lines: BankLine[] = Array.from({ length: 200 }, (_, i) => ({
      source: 'even',
      results: NIST_TEST_NAMES.map((name) => ({ name, applicable: true, pValues: [(i + 0.5) / 200] })),
    }));
    expect(failingTests(lines.slice(0, 9), FAMILY_ALPHA)).toEqual([]);
    const bad: BankLine = {
      source: 'bad',
      results: NIST_TEST_NAMES.map((name) => ({ name, applicable: true, pValues: [name === 'Rank' ? 1e-6 : 0.5] })),
    };
    expect(failingTests([bad], FAMILY_ALPHA)).toEqual(['Rank']);
    const nulls = testNulls(lines);
    // K = 1: 15 single-series tests (13 counted in Holm's first step, conservative), each P(p < L/13) = L/13
    const one = computedFailRate(nulls, 1, FAMILY_ALPHA, false);
    expect(one.total).toBeCloseTo((15 * FAMILY_ALPHA) / 13, 12);
  });
});

describe('bin probabilities for the computed uniformity term', () => {
  const nullOf = (bins: number[]) => ({ bins }) as unknown as Parameters<typeof binProbabilities>[0];
  it('a histogram within sampling noise of uniform gives uniform bins as the estimate', () => {
    // X² = 1000·Σ(p − 0.1)²/0.1 = 1.5 < 9: no non-centrality is left after the noise
    const p = binProbabilities(nullOf([110, 95, 100, 100, 100, 100, 100, 100, 95, 100]), false);
    for (const x of p) expect(x).toBeCloseTo(0.1, 15);
  });
  it('keeps the direction of a real deviation, with its size debiased, and more at the upper limit', () => {
    const bins = [1200, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 800];
    const x2 = (200 ** 2 * 2) / 1000; // 80, N = 10,000
    const est = binProbabilities(nullOf(bins), false);
    const delta = est.reduce((a, q) => a + (q - 0.1) ** 2 / 0.1, 0);
    expect(delta * 10_000).toBeCloseTo(x2 - 9, 9);
    expect(est[0]).toBeGreaterThan(0.1);
    expect(est[9]).toBeLessThan(0.1);
    expect(est.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    const up = binProbabilities(nullOf(bins), true);
    expect(up[0]).toBeGreaterThan(est[0]);
  });
});
