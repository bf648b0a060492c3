import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bzip2TextSize } from '../src/analyze/sp800-90b/bzip2-size.js';
import { chiSquareGoodnessOfFit, chiSquareIndependence } from '../src/analyze/sp800-90b/chi-square.js';
import { assessIid, type IidResult } from '../src/analyze/sp800-90b/iid.js';
import { lrsTest } from '../src/analyze/sp800-90b/lrs-test.js';
import { PERMUTATION_TESTS, permutationStatistics } from '../src/analyze/sp800-90b/permutation-statistics.js';
import { derivedSeed } from '../src/analyze/sp800-90b/shuffle.js';
import { prepareSymbols } from '../src/analyze/sp800-90b/symbols.js';
import { clopperPearson } from '../src/analyze/stats/clopper-pearson.js';
import { geom4, uniform8 } from './sp800-90b-reference.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-90b');
const text = (name: string) => readFileSync(join(FIX, name), 'utf8');

/** Values of NIST's ea_iid -v -v output. */
function parseIid(out: string) {
  const get = (re: RegExp) => {
    const m = re.exec(out);
    if (!m) throw new Error(`missing ${re}`);
    return Number(m[1]);
  };
  const unpermuted: Record<string, number> = {};
  for (const m of out.matchAll(/Unpermuted result (\S+) = (\S+)/g)) unpermuted[m[1]] = Number(m[2]);
  const verdict = (label: string) => new RegExp(`${label}: (Passed|Failed)`).exec(out)?.[1] === 'Passed';
  return {
    mean: get(/Raw Mean = (\S+)/),
    median: get(/Median = (\S+)/),
    indep: {
      T: get(/independence: T = (\S+)/),
      df: get(/independence: df = (\S+)/),
      p: get(/independence: P-value = (\S+)/),
    },
    gof: {
      T: get(/goodness of fit: T = (\S+)/),
      df: get(/goodness of fit: df = (\S+)/),
      p: get(/goodness of fit: P-value = (\S+)/),
    },
    lrs: { pCol: get(/P_col = (\S+)/), W: get(/W = (\S+)/), pr: get(/Pr\(X >= 1\) = (\S+)/) },
    unpermuted,
    chiPassed: verdict('Chi square tests'),
    lrsPassed: verdict('Length of longest repeated substring test'),
    permPassed: verdict('IID permutation tests'),
  };
}

const cases = [
  { name: 'a_uniform8', gen: uniform8, bits: 8 },
  { name: 'b_geom4', gen: geom4, bits: 4 },
];

describe('SP 800-90B IID tests against NIST ea_iid 1.1.7', () => {
  for (const c of cases) {
    it(`${c.name}: the 19 unpermuted statistics (bzip2 size included), chi-square and LRS values`, {
      timeout: 60_000,
    }, () => {
      const ref = parseIid(text(`${c.name}_iid.out`));
      const p = prepareSymbols(c.gen(), c.bits);
      let sum = 0;
      for (const x of p.raw) sum += x;
      const mean = sum / p.raw.length;
      expect(mean).toBeCloseTo(ref.mean, 12);
      const t = permutationStatistics(p.symbols, p.raw, {
        alphabetSize: p.alphabetSize,
        rawMean: mean,
        median: ref.median,
        compressedSize: bzip2TextSize,
      });
      PERMUTATION_TESTS.forEach((name, j) => {
        const want = ref.unpermuted[name];
        // the excursion is a running double sum: agree to 1e-10 relative; the rest are exact
        if (name === 'excursion') expect(Math.abs(t[j] - want) / want).toBeLessThan(1e-10);
        else expect(t[j], name).toBe(want);
      });
      const ind = chiSquareIndependence(p.symbols, p.alphabetSize);
      expect(ind.df).toBe(ref.indep.df);
      expect(ind.T).toBeCloseTo(ref.indep.T, 6);
      expect(ind.pValue).toBeCloseTo(ref.indep.p, 9);
      const gof = chiSquareGoodnessOfFit(p.symbols, p.alphabetSize);
      expect(gof.df).toBe(ref.gof.df);
      expect(gof.T).toBeCloseTo(ref.gof.T, 6);
      expect(gof.pValue).toBeCloseTo(ref.gof.p, 9);
      const lrs = lrsTest(p.symbols, p.alphabetSize);
      expect(lrs.W).toBe(ref.lrs.W);
      expect(lrs.P_col).toBeCloseTo(ref.lrs.pCol, 14);
      expect(lrs.prAtLeastOne).toBeCloseTo(ref.lrs.pr, 9);
      expect(lrs.passed).toBe(ref.lrsPassed);
      expect(!(ind.pValue < 0.001) && !(gof.pValue < 0.001)).toBe(ref.chiPassed);
    });
  }

  it('the same seed gives the same counts, whatever the number of threads; another seed other counts', {
    timeout: 120_000,
  }, async () => {
    const data = new Uint8Array(readFileSync(join(FIX, 'rand4_short.bin'))).subarray(0, 1000);
    const a = await assessIid(data, 4, { seed: 20261127, threads: 1, rounds: 200 });
    const b = await assessIid(data, 4, { seed: 20261127, threads: 2, chunk: 7, rounds: 200 });
    expect(b).toEqual(a);
    expect(a.seed).toBe(20261127);
    const c = await assessIid(data, 4, { seed: 1, threads: 2, rounds: 200 });
    expect(c.permutationTests.map((x) => [x.C0, x.C1, x.C2])).not.toEqual(
      a.permutationTests.map((x) => [x.C0, x.C1, x.C2]),
    );
  });

  it('rejects IID for a random walk and stops counting a statistic once decided (§5.1 rule)', {
    timeout: 60_000,
  }, async () => {
    const n = 1000;
    const walk = new Uint8Array(n);
    let x = 128;
    let s = 99;
    for (let i = 0; i < n; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      x = Math.min(255, Math.max(0, x + ((s >>> 16) & 1 ? 1 : -1)));
      walk[i] = x;
    }
    const r = await assessIid(walk, 8, { seed: 5, threads: 2, rounds: 400 });
    expect(r.passedPermutationTests).toBe(false);
    expect(r.iid).toBe(false);
    for (const t of r.permutationTests) {
      const decided = t.C0 + t.C1 > 5 && t.C1 + t.C2 > 5;
      if (decided) expect(Math.min(t.C0 + t.C1, t.C1 + t.C2)).toBe(6);
      else expect(t.C0 + t.C1 + t.C2).toBe(400);
    }
  });

  it('--repeat: K permutation tests with derived seeds, failures per statistic with Clopper–Pearson intervals', {
    timeout: 180_000,
  }, async () => {
    const data = new Uint8Array(readFileSync(join(FIX, 'rand4_short.bin'))).subarray(0, 1000);
    const one = await assessIid(data, 4, { seed: 99, threads: 2, rounds: 200 });
    const r = await assessIid(data, 4, { seed: 99, threads: 2, rounds: 200, repeat: 4 });
    // the verdict and counts are the first run's, which is the plain run with the same seed
    expect(r.permutationTests).toEqual(one.permutationTests);
    const rep = r.repeats;
    if (!rep) throw new Error('no repeats');
    expect(rep.runs).toBe(4);
    expect(rep.seeds[0]).toBe(99);
    expect(new Set(rep.seeds).size).toBe(4);
    expect(rep.seeds.slice(1)).toEqual([1, 2, 3].map((k) => derivedSeed(99, k)));
    // each run is the plain run with its seed: same rounds, and the failures counted from them
    const plain: IidResult[] = [];
    for (const seed of rep.seeds) plain.push(await assessIid(data, 4, { seed, threads: 1, rounds: 200 }));
    expect(rep.roundsRun).toEqual(plain.map((x) => x.roundsRun));
    rep.statistics.forEach((s, j) => {
      expect(s.name).toBe(PERMUTATION_TESTS[j]);
      expect(s.failures).toBe(plain.filter((x) => !x.permutationTests[j].passed).length);
      expect(s.rate).toBe(s.failures / 4);
      expect(s.ci).toEqual(clopperPearson(s.failures, 4));
    });
    expect(rep.anyFailed.failures).toBe(plain.filter((x) => !x.passedPermutationTests).length);
    // a random walk fails in every run: rate 1, interval [0.025^(1/K), 1]
    const walk = new Uint8Array(1000);
    let x = 128;
    let st = 7;
    for (let i = 0; i < walk.length; i++) {
      st = (Math.imul(st, 1103515245) + 12345) >>> 0;
      x = Math.min(255, Math.max(0, x + ((st >>> 16) & 1 ? 1 : -1)));
      walk[i] = x;
    }
    const w = await assessIid(walk, 8, { seed: 3, threads: 2, rounds: 300, repeat: 3 });
    expect(w.repeats?.anyFailed.failures).toBe(3);
    expect(w.repeats?.anyFailed.ci[0]).toBeCloseTo(0.025 ** (1 / 3), 9);
    expect(w.repeats?.anyFailed.ci[1]).toBe(1);
    await expect(assessIid(data, 4, { repeat: 0 })).rejects.toThrow(/repeat must be a positive integer/);
  });

  it.runIf(process.env.OE_FULL === '1')(
    'whole IID track on the 1M references: same verdicts as NIST',
    { timeout: 3_600_000 },
    async () => {
      for (const c of cases) {
        const ref = parseIid(text(`${c.name}_iid.out`));
        const r = await assessIid(c.gen(), c.bits, { seed: 1 });
        expect(r.passedPermutationTests).toBe(ref.permPassed);
        expect(r.passedChiSquareTests).toBe(ref.chiPassed);
        expect(r.passedLongestRepeatedSubstringTest).toBe(ref.lrsPassed);
        const json = JSON.parse(text(`${c.name}_iid.json`)).testCases[0];
        expect(Math.abs(r.hAssessed - json.hAssessed)).toBeLessThan(1e-6);
        expect(Math.abs(r.hOriginal - json.hOriginal)).toBeLessThan(1e-6);
      }
    },
  );
});
