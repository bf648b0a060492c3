import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { igamc } from '../src/analyze/math/special.js';
import { assessSp80022Bytes } from '../src/analyze/sp800-22/assess.js';
import { failuresToReject, pValueHistogram, seriesEvidence } from '../src/analyze/sp800-22/series-evidence.js';
import { FAMILY_ALPHA, RUNS_PREREQUISITE_P, sp80022Decisions } from '../src/analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES, type NistTestName, type Sp80022Result } from '../src/analyze/sp800-22/types.js';
import { clopperPearson } from '../src/analyze/stats/clopper-pearson.js';
import { equiprobableChiSquareTail } from '../src/analyze/stats/equiprobable-chi-square.js';
import { holm } from '../src/analyze/stats/holm.js';
import { FLAWS } from './flawed-sequences.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-22');
/** The level a single test must reach when it is the most significant of 15 (Holm's first step). */
const FIRST_STEP = FAMILY_ALPHA / 15;

/**
 * K sequences of 15 synthetic results: p-values spread evenly over [α, 1) across the sequences (no failure,
 * uniform bins) except those given ([test, sequence → p-values]).
 */
function battery(K: number, ...set: [NistTestName, (k: number) => number[]][]): Sp80022Result[][] {
  const given = new Map(set);
  const series: Partial<Record<NistTestName, number>> = {
    CumulativeSums: 2,
    NonOverlappingTemplate: 148,
    RandomExcursions: 8,
    RandomExcursionsVariant: 18,
    Serial: 2,
  };
  return Array.from({ length: K }, (_, k) =>
    NIST_TEST_NAMES.map((name) => {
      const s = series[name] ?? 1;
      const pValues = given.get(name)?.(k) ?? new Array<number>(s).fill(0.01 + (0.99 * (k + 0.5)) / K);
      return {
        name,
        applicable: true,
        pValues,
        ...(s > 1 ? { labels: pValues.map((_, i) => `s${i}`) } : {}),
        parameters: {},
        statistics: {},
      };
    }),
  );
}

describe('Holm adjustment', () => {
  it('matches the step-down formula (R p.adjust(method = "holm"))', () => {
    expect([...holm([0.01, 0.04, 0.03, 0.005])]).toEqual([0.03, 0.06, 0.06, 0.02]);
    expect([...holm([0.5, 0.9])]).toEqual([1, 1]);
    expect([...holm([])]).toEqual([]);
  });
});

describe('Clopper–Pearson interval', () => {
  it('matches the closed form at x = 0 and scipy Beta quantiles', () => {
    const [lo0, hi0] = clopperPearson(0, 100);
    expect(lo0).toBe(0);
    expect(hi0).toBeCloseTo(1 - 0.025 ** (1 / 100), 9); // 0.0362167
    const [lo, hi] = clopperPearson(5, 100);
    expect(lo).toBeCloseTo(0.0164318792, 9); // scipy.stats.beta.ppf(0.025, 5, 96)
    expect(hi).toBeCloseTo(0.1128349111, 9); // beta.ppf(0.975, 6, 95)
    expect(clopperPearson(7, 7)[1]).toBe(1);
  });
});

describe('series evidence (one p-value series over K sequences)', () => {
  it('one sequence: the p-value itself', () => {
    const e = seriesEvidence([0.003], 0.01);
    expect(e).toMatchObject({ pValue: 0.003, decidedBy: 'p-value', components: 1, failures: 1 });
  });

  it('1 failure in 9 sequences is chance: binomial tail 1 − 0.99⁹ = 8.6 %', () => {
    const e = seriesEvidence([0.005, ...new Array(8).fill(0.5)], 0.01);
    expect(e.binomialPValue).toBeCloseTo(1 - 0.99 ** 9, 12);
    expect(e.minimumPValue).toBeCloseTo(1 - 0.995 ** 9, 12);
    expect(e.pValue).toBeCloseTo(2 * (1 - 0.995 ** 9), 12);
    expect(e.pValue).toBeGreaterThan(FAMILY_ALPHA);
    // NIST's interval at K = 9, 0.99 ± 3√(0.0099/9) = 0.8905…1, puts 8/9 outside: the false FAIL
    expect(8 / 9).toBeLessThan(0.99 - 3 * Math.sqrt(0.0099 / 9));
  });

  it('the counts from which the binomial tail rejects (exact, checked against rational arithmetic)', () => {
    // Smallest X with (statistics used) · P(Bin(K, 0.01) ≥ X) below the level (0.0025 for a test alone,
    // 0.0025/15 for the most significant of 15); 2 statistics below K = 55, 3 from it. Computed with
    // Python's fractions.Fraction and math.comb (exact rational tails).
    expect(FAMILY_ALPHA).toBe(0.0025);
    const atFamily: [number, number][] = [
      [2, 2],
      [3, 2],
      [5, 2],
      [9, 3],
      [20, 3],
      [54, 5],
      [55, 5],
      [100, 6],
      [300, 11],
      [1000, 22],
    ];
    const atFirstStep: [number, number][] = [
      [3, 3],
      [5, 3],
      [9, 3],
      [20, 4],
      [54, 6],
      [55, 6],
      [100, 8],
      [300, 13],
      [1000, 25],
    ];
    // K = 2: two failures of two, 2 · 10⁻⁴, do not reach 0.0025/15 by their count (the minimum p decides there).
    expect(failuresToReject(2, 0.01, FIRST_STEP)).toBeNull();
    for (const [K, x] of atFamily) expect(failuresToReject(K, 0.01, FAMILY_ALPHA), `K=${K}`).toBe(x);
    for (const [K, x] of atFirstStep) expect(failuresToReject(K, 0.01, FIRST_STEP), `K=${K}`).toBe(x);
    // …and seriesEvidence agrees at the boundary (failures just below α, so the minimum p does not decide;
    // the other p-values spread evenly over [α, 1), so the uniformity, where it enters, does not decide).
    for (const [K, x] of atFirstStep) {
      const series = (f: number) =>
        Array.from({ length: K }, (_, i) => (i < f ? 0.009 : 0.01 + (0.99 * (i - f + 0.5)) / (K - f)));
      const at = seriesEvidence(series(x), 0.01);
      expect(at.pValue, `K=${K} X=${x}`).toBeLessThan(FIRST_STEP);
      expect(at.decidedBy).toBe('binomial tail');
      expect(at.components).toBe(K >= 55 ? 3 : 2);
      expect(seriesEvidence(series(x - 1), 0.01).pValue, `K=${K} X=${x - 1}`).toBeGreaterThanOrEqual(FIRST_STEP);
    }
  });

  it('one grossly failing sequence among many is caught by the minimum', () => {
    const e = seriesEvidence([1e-9, ...Array.from({ length: 99 }, (_, i) => 0.01 + (0.99 * (i + 0.5)) / 99)], 0.01);
    expect(e.decidedBy).toBe('minimum p');
    expect(e.pValue).toBeCloseTo(3 * (1 - (1 - 1e-9) ** 100), 13); // binomial, minimum, uniformity (K ≥ 55)
  });

  it('uniformity enters from 55 sequences on (SP 800-22 §4.2.2), and only then', () => {
    expect(seriesEvidence(new Array(54).fill(0.5), 0.01)).toMatchObject({
      uniformityPValue: null,
      uniformityExact: false,
      components: 2,
    });
    const piled = new Array(55).fill(0.5); // every p-value in one bin: not uniform
    const tail = equiprobableChiSquareTail(pValueHistogram(piled));
    expect(tail).toBeLessThan(1e-9);
    expect(seriesEvidence(piled, 0.01)).toMatchObject({
      uniformityPValue: tail,
      uniformityExact: true,
      components: 3,
      decidedBy: 'uniformity',
      pValue: 3 * tail,
    });
    expect(seriesEvidence(piled, 0.01, { uniformity: false })).toMatchObject({ uniformityPValue: null, components: 2 });
  });

  it("uniformity is judged by the exact tail, not NIST's χ²₉ approximation (too small at K = 55)", () => {
    // 55 p-values at the bin centres with counts 19, 4, 4, …, 4: X² = 405/11 = 36.8, no p below α
    const counts = [19, 4, 4, 4, 4, 4, 4, 4, 4, 4];
    const pValues = counts.flatMap((c, bin) => new Array<number>(c).fill(bin / 10 + 0.05));
    const nist = igamc(4.5, 405 / 11 / 2);
    expect(nist).toBeCloseTo(2.8359e-5, 9);
    const e = seriesEvidence(pValues, 0.01);
    expect(e.uniformityExact).toBe(true);
    // exact: 2.1× the approximation (Σ over the multinomial in rational arithmetic, Python fractions)
    expect(e.uniformityPValue).toBeCloseTo(5.95022e-5, 10);
    expect(e.decidedBy).toBe('uniformity');
    // As the only flagged test of 15: NIST's value would FAIL it (3 · 15 · 2.84e-5 = 0.00128 < 0.0025), the
    // exact one does not (0.00268), and NIST's own rule (P-value_T ≥ 0.0001) flags it.
    expect(3 * 15 * nist).toBeLessThan(FAMILY_ALPHA);
    const d = sp80022Decisions(battery(55, ['Frequency', (k) => [pValues[k]]])).decisions[0];
    expect(d.adjustedPValue).toBeCloseTo(3 * 15 * (e.uniformityPValue as number), 12);
    expect(d.adjustedPValue).toBeGreaterThan(FAMILY_ALPHA);
    expect(d.verdict).toBe('pass (chance)');
  });
});

describe('battery decisions (family-wise over the tests of one report)', () => {
  it("the issue's case: 1 of 9 sequences below α in three tests is no FAIL", () => {
    const one = (k: number) => [k === 0 ? 0.004 : 0.5];
    const d = sp80022Decisions(
      battery(9, ['Frequency', one], ['CumulativeSums', (k) => [one(k)[0], 0.5]], ['Rank', one]),
    );
    const by = Object.fromEntries(d.decisions.map((x) => [x.test, x]));
    expect(d.tests).toBe(15);
    expect(d.method).toBe('holm');
    for (const t of ['Frequency', 'CumulativeSums', 'Rank'] as const) {
      expect(by[t].verdict).toBe('pass (chance)');
      expect(by[t].nistFlagged).toBe(1); // NIST's interval at K = 9 (0.8905–1) flags 8/9
    }
    expect(by.Runs.verdict).toBe('pass');
    expect(d.decisions.filter((x) => x.verdict === 'FAIL')).toHaveLength(0);
  });

  it('one sequence: a test alone FAILs below 0.0025/15 (Holm over 15 tests), not above', () => {
    const at = (p: number) => sp80022Decisions(battery(1, ['Frequency', () => [p]])).decisions[0];
    expect(FIRST_STEP).toBeCloseTo(1.6667e-4, 8);
    expect(at(1.6e-4)).toMatchObject({ verdict: 'FAIL', adjustedPValue: 15 * 1.6e-4 });
    expect(at(1.7e-4).verdict).toBe('pass (chance)');
    // NIST's own rule flags any p < α on one sequence (1 % of a true RNG's p-values): chance here
    expect(at(0.009).verdict).toBe('pass (chance)');
  });

  it('3 of 9 below α fails the test; the other tests stay as they are', () => {
    const d = sp80022Decisions(battery(9, ['Frequency', (k) => [k < 3 ? 0.009 : 0.5]]));
    const f = d.decisions[0];
    expect(f.verdict).toBe('FAIL');
    expect(f.worst?.evidence.decidedBy).toBe('binomial tail');
    expect(f.adjustedPValue).toBeCloseTo(15 * 2 * 8.0294765381128e-5, 10);
    expect(d.decisions.slice(1).every((x) => x.verdict === 'pass')).toBe(true);
  });

  it('many series: Bonferroni over the series (148 templates), Holm over the tests', () => {
    // one template at p = 1e-6 on a single sequence: 148 · 1e-6 = 1.48e-4 < 0.0025/15 → FAIL
    const tpl = (p: number) => () => Array.from({ length: 148 }, (_, i) => (i === 7 ? p : 0.5));
    const fail = sp80022Decisions(battery(1, ['NonOverlappingTemplate', tpl(1e-6)])).decisions[7];
    expect(fail).toMatchObject({ test: 'NonOverlappingTemplate', series: 148, verdict: 'FAIL' });
    expect(fail.pValue).toBeCloseTo(1.48e-4, 12);
    expect(fail.worst?.label).toBe('s7');
    // two templates below α on one sequence (what a random sequence shows in about 1 in 6 reports): chance
    const two = () => Array.from({ length: 148 }, (_, i) => (i < 2 ? 0.003 : 0.5));
    const chance = sp80022Decisions(battery(1, ['NonOverlappingTemplate', two])).decisions[7];
    expect(chance.verdict).toBe('pass (chance)');
    expect(chance.nistFlagged).toBe(2);
  });

  it("Runs' p = 0 after a failed frequency prerequisite counts as that event's probability", () => {
    const per = battery(1);
    const runs = per[0][3];
    runs.pValues = [0];
    runs.statistics = { prerequisiteFailed: 1 };
    const d = sp80022Decisions(per).decisions[3];
    expect(d.pValue).toBe(RUNS_PREREQUISITE_P);
    expect(RUNS_PREREQUISITE_P).toBeCloseTo(6.334e-5, 8);
    expect(d.verdict).toBe('FAIL'); // 6.3e-5 · 15 < 0.0025
    // when the prerequisite holds, p + P_fail: "prerequisite fails or runs off" is one valid test
    const ok = sp80022Decisions(battery(1, ['Runs', () => [0.2]])).decisions[3];
    expect(ok.pValue).toBeCloseTo(0.2 + RUNS_PREREQUISITE_P, 15);
  });

  it('uniformity enters the decisions only when allowed (sequences of ≥ 10⁶ bits)', () => {
    // 60 sequences, every Frequency p-value in [0.3, 0.4): proportion fine, uniformity p ≈ 0
    const per = battery(60, ['Frequency', (k) => [0.3 + k / 1000]]);
    const on = sp80022Decisions(per).decisions[0];
    expect(on.worst?.evidence.decidedBy).toBe('uniformity');
    expect(on.verdict).toBe('FAIL');
    const off = sp80022Decisions(per, { uniformity: false });
    expect(off.uniformity).toBe(false);
    expect(off.decisions[0].worst?.evidence.uniformityPValue).toBeNull();
    expect(off.decisions[0].verdict).toBe('pass (chance)'); // NIST's uniformity flag, not oe's decision
  });

  it('tests that did not run are n/a and leave the family', () => {
    const per = battery(2);
    for (const seq of per) Object.assign(seq[9], { applicable: false, pValues: [], reason: 'not applicable (x)' });
    const d = sp80022Decisions(per);
    expect(d.tests).toBe(14);
    expect(d.decisions[9]).toMatchObject({ verdict: 'n/a', pValue: null, adjustedPValue: null, series: 0 });
  });
});

describe('flawed sequences still FAIL; the reference constants do not', () => {
  const pi = new Uint8Array(readFileSync(join(FIX, 'pi.bin')));
  const e = new Uint8Array(readFileSync(join(FIX, 'e.bin')));
  const sqrt2 = new Uint8Array(readFileSync(join(FIX, 'sqrt2.bin')));

  it('π, e and √2 (1,000,000 bits each) pass as one report of 3 sequences', async () => {
    const bytes = new Uint8Array([...pi, ...e, ...sqrt2]);
    const a = await assessSp80022Bytes(bytes, { sequences: 3, threads: 0 });
    expect(a.sequences).toBe(3);
    expect(a.decisions.decisions.filter((d) => d.verdict === 'FAIL').map((d) => d.test)).toEqual([]);
  }, 120_000);

  for (const flaw of FLAWS) {
    it(`${flaw.name}: ${flaw.description}`, async () => {
      const base = new Uint8Array([...pi, ...e, ...sqrt2]);
      const a = await assessSp80022Bytes(flaw.apply(base, 125_000), { sequences: 3, threads: 0 });
      const failed = a.decisions.decisions.filter((d) => d.verdict === 'FAIL');
      expect(failed.length, flaw.name).toBeGreaterThan(0);
    }, 120_000);
  }
});
