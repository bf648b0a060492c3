import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type EstimatorOutcome, runJob } from '../src/analyze/sp800-90b/estimators.js';
import { assessNonIid, assessNonIidSync, plannedJobs } from '../src/analyze/sp800-90b/non-iid.js';
import { lcpArray, suffixArray } from '../src/analyze/sp800-90b/suffix-array.js';
import { prepareSymbols, toBitstring } from '../src/analyze/sp800-90b/symbols.js';
import { OeError } from '../src/errors.js';
import { geom4, parseVerbose, type ReferenceValue, uniform8 } from './sp800-90b-reference.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-90b');
const fixture = (name: string) => new Uint8Array(readFileSync(join(FIX, name)));
const text = (name: string) => readFileSync(join(FIX, name), 'utf8');

/** |got − ref| ≤ 1e-6 for entropies and probabilities; relative 1e-9 for large statistics. */
function close(got: number | undefined, ref: number): boolean {
  if (got === undefined || Number.isNaN(got)) return false;
  return Math.abs(got - ref) <= Math.max(1e-6, 1e-9 * Math.abs(ref));
}

function lookup(list: EstimatorOutcome[], v: ReferenceValue): number | undefined {
  const e = list.find((x) => x.name === v.estimator && x.track === v.track);
  return v.key === 'min entropy' ? e?.hMin : e?.values?.[v.key];
}

function mismatches(list: EstimatorOutcome[], refs: ReferenceValue[]): string[] {
  return refs
    .filter((v) => !close(lookup(list, v), v.value))
    .map((v) => `${v.track} ${v.estimator} ${v.key}: NIST ${v.value}, oe ${lookup(list, v)}`);
}

describe('SP 800-90B non-IID estimators against NIST ea_non_iid 1.1.7 (self-test files)', () => {
  for (const [name, assessed] of [
    ['rand1_short', 0.61171620479394506],
    ['rand4_short', 3.2154882678767365],
    ['rand8_short', 5.8608937444852494],
  ] as const) {
    it(`${name}: every verbose value within 1e-6, same H_original and assessed H`, () => {
      const r = assessNonIidSync(fixture(`${name}.bin`));
      const { values, finals } = parseVerbose(text(`${name}.res`));
      expect(values.length).toBeGreaterThan(50);
      expect(mismatches(r.estimators, values)).toEqual([]);
      expect(Math.abs(r.hOriginal - finals.H_original)).toBeLessThan(1e-6);
      expect(Math.abs(r.hAssessed - assessed)).toBeLessThan(1e-6);
      if (finals.H_bitstring !== undefined)
        expect(Math.abs((r.hBitstring as number) - finals.H_bitstring)).toBeLessThan(1e-6);
    });
  }

  it('binary samples get Collision/Markov/Compression on the literal track and no bitstring (tool rule)', () => {
    const r = assessNonIidSync(fixture('rand1_short.bin'));
    expect(r.bitstringLength).toBeNull();
    expect(r.hBitstring).toBeNull();
    expect(r.estimators.every((e) => e.track === 'literal')).toBe(true);
    expect(r.estimators.map((e) => e.id)).toContain('collision');
    const r8 = assessNonIidSync(fixture('rand8_short.bin'));
    expect(r8.estimators.filter((e) => e.id === 'collision').map((e) => e.track)).toEqual(['bitstring']);
  });

  it('the worker-pool run gives exactly the single-thread result', async () => {
    const data = fixture('rand4_short.bin');
    const a = assessNonIidSync(data);
    const b = await assessNonIid(data, undefined, { threads: 2 });
    expect(b).toEqual(a);
  });
});

describe('SP 800-90B non-IID estimators on the 1,000,000-sample reference inputs', () => {
  const cases = [
    { name: 'a_uniform8', gen: uniform8, bits: 8, k: 256 },
    { name: 'b_geom4', gen: geom4, bits: 4, k: 16 },
  ];
  const FULL = process.env.OE_FULL === '1';
  // The fast estimators always; the whole suite (minutes) with OE_FULL=1.
  const fast = new Set(['mcv', 'collision', 'markov', 'compression', 'multi-mcw']);
  for (const c of cases) {
    it(`${c.name}: ${FULL ? 'every estimator' : 'MCV, Collision, Markov, Compression, MultiMCW, literal t-Tuple/LRS/Lag'} within 1e-6 of NIST`, {
      timeout: FULL ? 900_000 : 60_000,
    }, () => {
      const data = c.gen();
      const p = prepareSymbols(data, c.bits);
      expect(p.alphabetSize).toBe(c.k);
      const bits = toBitstring(p.raw, c.bits);
      const outcomes: EstimatorOutcome[] = [];
      for (const { job, track } of plannedJobs(p.alphabetSize)) {
        const cheapLiteral = track === 'literal' && (job === 'tuple' || job === 'lag');
        if (!FULL && !fast.has(job) && !cheapLiteral) continue;
        outcomes.push(...runJob(job, track === 'bitstring' ? bits : p.symbols, track === 'bitstring' ? 2 : c.k, track));
      }
      const { values } = parseVerbose(text(`${c.name}_noniid.out`));
      const ran = values.filter((v) => outcomes.some((o) => o.name === v.estimator && o.track === v.track));
      expect(ran.length).toBeGreaterThan(FULL ? 90 : 40);
      expect(mismatches(outcomes, ran)).toEqual([]);
    });
  }
});

describe('inputs the way the tool reads them', () => {
  it('regenerates gen_inputs.py byte for byte (SHA-256 recorded in the reference JSON)', async () => {
    const { createHash } = await import('node:crypto');
    const sha = (d: Uint8Array) => createHash('sha256').update(d).digest('hex');
    expect(sha(uniform8())).toBe(JSON.parse(text('a_uniform8_noniid.json')).sha256);
    expect(sha(geom4())).toBe(JSON.parse(text('b_geom4_noniid.json')).sha256);
  });

  it('infers the width, translates sparse alphabets, and builds the bitstring MSB first', () => {
    const p = prepareSymbols(Uint8Array.from([0, 4, 4, 12, 0]));
    expect(p.wordSize).toBe(4);
    expect(p.alphabetSize).toBe(3);
    expect(p.translated).toBe(true);
    expect([...p.symbols]).toEqual([0, 1, 1, 2, 0]);
    expect([...toBitstring(Uint8Array.from([5, 2]), 3)]).toEqual([1, 0, 1, 0, 1, 0]);
  });

  it('rejects an empty input, samples wider than --bits and a one-symbol alphabet', () => {
    expect(() => prepareSymbols(new Uint8Array(0))).toThrow(/empty/);
    expect(() => prepareSymbols(Uint8Array.from([0, 200]), 4)).toThrow(OeError);
    expect(() => assessNonIidSync(new Uint8Array(100).fill(3))).toThrow(/single symbol/);
  });

  it('skips estimators that need more samples, with the reason, and still assesses', () => {
    const r = assessNonIidSync(fixture('rand8_short.bin').subarray(0, 200));
    const mcw = r.estimators.find((e) => e.id === 'multi-mcw' && e.track === 'literal');
    expect(mcw?.skipped).toMatch(/4096/);
    // 1600 bits: fewer than the 6006 the compression estimate needs
    expect(r.estimators.find((e) => e.id === 'compression')?.skipped).toMatch(/6006/);
    expect(r.hAssessed).toBeGreaterThan(0);
  });
});

describe('suffix array (SA-IS) and LCP', () => {
  it('agrees with a naive sort on random and repetitive strings', () => {
    let seed = 12345;
    const rnd = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed >>> 16;
    };
    for (const [n, k] of [
      [1, 2],
      [2, 2],
      [50, 2],
      [300, 3],
      [500, 256],
    ]) {
      const s = Uint8Array.from({ length: n }, () => rnd() % k);
      const naive = [...Array(n).keys()].sort((a, b) => {
        for (let i = 0; ; i++) {
          if (a + i === n) return -1;
          if (b + i === n) return 1;
          if (s[a + i] !== s[b + i]) return s[a + i] - s[b + i];
        }
      });
      const sa = suffixArray(s, k - 1);
      expect([...sa]).toEqual(naive);
      const lcp = lcpArray(s, sa);
      for (let i = 1; i < n; i++) {
        let h = 0;
        while (sa[i] + h < n && sa[i - 1] + h < n && s[sa[i] + h] === s[sa[i - 1] + h]) h++;
        expect(lcp[i]).toBe(h);
      }
    }
    const rep = new Uint8Array(64).fill(1);
    expect([...suffixArray(rep, 1)]).toEqual([...Array(64).keys()].reverse());
  });
});
