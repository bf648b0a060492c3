/**
 * The session analysis never hangs and always writes schema-valid JSON, on degenerate data: sources of a
 * few samples, constant and nearly constant sources (a shifted mutual-information null of almost zero
 * variance, whose scaled-χ² fit asks the incomplete gamma for 1e15+ degrees of freedom), and a real
 * few-second recording of the default sources, analysed several times with identical results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisDocument } from '../src/analyze/source-analysis.js';
import { probeSource } from '../src/collect/availability.js';
import { selectSources } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { assertSchema } from '../src/contracts/schema.js';
import { analyzeSession } from '../src/jobs/session-analysis.js';
import { analysisJsonData } from '../src/report/analysis-json.js';
import { constantGen, type Generator, mix64, recordTestSession, uniformGen } from './analysis-helpers.js';

/** 1000 everywhere but one sample in `every`, which is 1001: a byte stream of almost zero variance. */
const nearlyConstantGen =
  (every: number): Generator =>
  (seq, n) =>
    BigInt64Array.from({ length: n }, (_, i) => ((seq + i) % every === every - 1 ? 1001n : 1000n));

/**
 * 1000 everywhere but at sample 1234 (1128: the low byte differs in its top bit, so even coarse MI bins
 * see it). Against a source of two equally frequent values, every shift of the MI null gives one of two
 * mirror-image joint tables: the null's G values agree to rounding, and the scaled-χ² fit of that null
 * asks for ~1e30 degrees of freedom (the hang of issue 14).
 */
const oneOutlierGen: Generator = (seq, n) =>
  BigInt64Array.from({ length: n }, (_, i) => (seq + i === 1234 ? 1128n : 1000n));
const alternatingGen: Generator = (seq, n) => BigInt64Array.from({ length: n }, (_, i) => ((seq + i) % 2 ? 255n : 0n));

/** Two values, the second rare and placed by a hash: nearly constant, not periodic. */
const rareGen =
  (salt: bigint): Generator =>
  (seq, n) =>
    BigInt64Array.from({ length: n }, (_, i) => (BigInt.asUintN(12, mix64(BigInt(seq + i), salt)) === 0n ? 7n : 6n));

let root: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'oe-degenerate-'));
});

afterAll(async () => {
  await closeSharedSamplerPool();
  if (root) rmSync(root, { recursive: true, force: true });
});

/** Analyses `dir` `times` times with the defaults; every document validates and all are identical. */
async function analyseRepeatedly(dir: string, times: number): Promise<ReturnType<typeof analysisJsonData>[]> {
  const docs: ReturnType<typeof analysisJsonData>[] = [];
  for (let k = 0; k < times; k++) {
    const a = await analyzeSession(dir, { telemetry: true });
    const data = analysisJsonData(analysisDocument([a], {}, new Date(0)));
    assertSchema('analysis', data);
    docs.push(data);
  }
  for (const d of docs.slice(1)) expect(JSON.stringify(d)).toBe(JSON.stringify(docs[0]));
  return docs;
}

describe('analysis of degenerate sessions', () => {
  it('sessions of 1, 3 and 40 samples per source: schema-valid, with the reasons', async () => {
    for (const n of [1, 3, 40]) {
      const dir = await recordTestSession(
        root,
        `short${n}`,
        { u: uniformGen(BigInt(n)), c: constantGen(5n), near: nearlyConstantGen(7) },
        { maxSamples: n },
      );
      const [doc] = await analyseRepeatedly(dir, 2);
      const a = (doc as { analyses: { standard: { sources: { samples: number }[]; dependence: unknown } }[] })
        .analyses[0];
      for (const s of a.standard.sources) expect(s.samples).toBeLessThanOrEqual(n);
    }
  }, 300_000);

  it('constant and nearly constant sources beside uniform ones: the dependence step ends and validates', async () => {
    const dir = await recordTestSession(
      root,
      'flat',
      {
        a_near: nearlyConstantGen(5000),
        b_near: nearlyConstantGen(4999),
        c_rare: rareGen(3n),
        d_rare: rareGen(4n),
        e_const: constantGen(9n),
        f_uniform: uniformGen(11n),
        g_outlier: oneOutlierGen,
        h_alternating: alternatingGen,
      },
      { maxSamples: 20_000 },
    );
    const [doc] = await analyseRepeatedly(dir, 2);
    const dep = (
      doc as {
        analyses: {
          standard: { dependence: { pairs: { mutualInformation: { pValue: number } }[] } };
        }[];
      }
    ).analyses[0].standard.dependence;
    expect(dep.pairs.length).toBe(28);
    for (const p of dep.pairs) expect(p.mutualInformation.pValue).toBeGreaterThanOrEqual(0);
  }, 300_000);

  it('a real 3-second recording of the default sources, analysed three times: valid, identical', async () => {
    const { dir } = await recordSession({
      sources: selectSources(undefined).filter((s) => probeSource(s) === null),
      output: root,
      id: 'real3s',
      durationSec: 3,
      telemetryIntervalMs: 500,
    });
    const [doc] = await analyseRepeatedly(dir, 3);
    const sources = (doc as { analyses: { standard: { sources: { minEntropy?: { sp800_90b: unknown } }[] } }[] })
      .analyses[0].standard.sources;
    // The default analysis fills the SP 800-90B column for every source that has samples.
    for (const s of sources) if (s.minEntropy) expect(s.minEntropy.sp800_90b).not.toBeNull();
  }, 900_000);
});
