import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalysisStep, analysisDocument } from '../src/analyze/source-analysis.js';
import { sourceDir } from '../src/collect/session/layout.js';
import { assertSchema } from '../src/contracts/schema.js';
import { analyzeSession } from '../src/jobs/session-analysis.js';
import {
  analyzeSessionToFile,
  readStoredAnalysis,
  STORED_ANALYSIS,
  STORED_ANALYSIS_OPTIONS,
} from '../src/jobs/stored-analysis.js';
import { analysisJsonData } from '../src/report/analysis-json.js';
import { renderAnalysis } from '../src/report/analysis-text.js';
import { constantGen, laggedGen, recordTestSession, uniformGen, wavyGen } from './analysis-helpers.js';

let root: string;
let multi: string;
let single: string;
let noTelemetry: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'oe-analysis-'));
  multi = await recordTestSession(
    root,
    'multi',
    {
      uniform: uniformGen(1n),
      lagged: laggedGen(1n, 3),
      wavy: wavyGen(2n),
      constant: constantGen(42n),
      other: uniformGen(9n),
    },
    { maxSamples: 12_000 },
  );
  single = await recordTestSession(root, 'single', { only: uniformGen(5n) }, { maxSamples: 5000 });
  noTelemetry = await recordTestSession(
    root,
    'notel',
    { a: uniformGen(6n), b: uniformGen(7n) },
    { maxSamples: 5000, telemetryIntervalMs: 0 },
  );
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

const fast = { dependence: { correlationShifts: 999, miShifts: 19 } };

describe('session analysis', () => {
  it('finds what the generators put in, and the JSON matches its schema', async () => {
    const a = await analyzeSession(multi, fast);
    const by = Object.fromEntries(a.standard.sources.map((s) => [s.name, s]));
    expect(a.standard.sources.map((s) => s.name)).toEqual(['constant', 'lagged', 'other', 'uniform', 'wavy']);
    expect(by.uniform.samples).toBe(12_000);
    expect(by.uniform.verdict?.verdict).toBe('GOOD');
    expect(by.wavy.verdict?.verdict).toBe('CRITICAL');
    expect(by.constant.verdict?.verdict).toBe('CRITICAL');
    expect(by.constant.verdict?.reasons[0].check).toBe('constant');
    // the wavy source's raw measurements carry the period-1000 sine: the spectrum's top line is at 1/1000
    const top = by.wavy.measurements?.spectrum?.peaks.peaks[0];
    expect(top?.frequency).toBeCloseTo(0.001, 3);
    const dep = a.standard.dependence;
    if (!dep || 'available' in dep) throw new Error('dependence missing');
    const pair = dep.pairs.find((p) => p.a === 'lagged' && p.b === 'uniform');
    expect(pair?.flagged).toBe(true);
    expect(pair?.correlation.maxLag).toBe(-3); // a = lagged, b = uniform: a_i = b_{i−3}, so r(k) = corr(a_i, b_{i+k}) peaks at k = −3
    expect(dep.flagged.map((x) => `${x.a}~${x.b}`)).toEqual(['lagged~uniform']);
    const doc = analysisJsonData(analysisDocument([a], fast));
    assertSchema('analysis', doc);
    // telemetry of the recording (this host) was joined by time
    const eot = a.experimental.entropy_over_time.find((e) => e.source === 'uniform');
    expect(eot?.windows.length).toBeGreaterThan(0);
    expect(eot?.telemetry).not.toBeNull();
  }, 120_000);

  it('is identical across two runs apart from generated_at', async () => {
    const one = JSON.stringify(
      analysisJsonData(analysisDocument([await analyzeSession(multi, fast)], fast, new Date(0))),
    );
    const two = JSON.stringify(
      analysisJsonData(analysisDocument([await analyzeSession(multi, fast)], fast, new Date(0))),
    );
    expect(two).toBe(one);
  }, 120_000);

  it('a single-source session works and says why there is no dependence', async () => {
    const a = await analyzeSession(single, fast);
    expect(a.standard.sources).toHaveLength(1);
    expect(a.standard.dependence).toEqual({ available: false, reason: 'needs at least 2 sources with samples, got 1' });
    expect(renderAnalysis(analysisDocument([a], fast))).toContain('Dependence: not computed: needs at least 2 sources');
  }, 60_000);

  it('a session without telemetry says so', async () => {
    const a = await analyzeSession(noTelemetry, fast);
    const t = a.experimental.entropy_over_time[0].telemetry;
    expect(t && 'available' in t && t.reason).toContain('has no telemetry parts');
    assertSchema('analysis', analysisJsonData(analysisDocument([a], fast)));
  }, 60_000);

  it('an empty source is reported as not analysed, the others still are', async () => {
    const dir = await recordTestSession(
      root,
      'empty',
      { full: uniformGen(3n), gone: uniformGen(4n) },
      { maxSamples: 3000 },
    );
    rmSync(join(dir, sourceDir('gone')), { recursive: true, force: true });
    const a = await analyzeSession(dir, fast);
    const gone = a.standard.sources.find((s) => s.name === 'gone');
    expect(gone?.unavailable).toBe('no samples recorded for this source');
    expect(a.standard.sources.find((s) => s.name === 'full')?.verdict?.verdict).toBe('GOOD');
    expect(a.standard.summary.unavailable).toBe(1);
  }, 60_000);

  it('a truncated Parquet part makes that source unavailable with the file named; the rest is analysed', async () => {
    const dir = await recordTestSession(
      root,
      'corrupt',
      { ok: uniformGen(21n), bad: uniformGen(22n) },
      { maxSamples: 3000 },
    );
    const part = join(dir, sourceDir('bad'), 'part-00000.parquet');
    truncateSync(part, 100);
    const a = await analyzeSession(dir, fast);
    const bad = a.standard.sources.find((s) => s.name === 'bad');
    expect(bad?.unavailable).toContain('part-00000.parquet');
    expect(a.standard.sources.find((s) => s.name === 'ok')?.verdict?.verdict).toBe('GOOD');
  }, 60_000);

  it('full SP 800-90B on bytes and measurements; a constant source gets the reason', async () => {
    const a = await analyzeSession(multi, {
      ...fast,
      entropy: 'full',
      sources: ['constant', 'uniform', 'wavy'],
      dependence: false,
      threads: 1,
    });
    const c = a.standard.sources.find((s) => s.name === 'constant')?.minEntropy?.sp800_90b;
    expect(c && 'error' in c.bytes && c.bytes.error).toContain('single symbol');
    const w = a.standard.sources.find((s) => s.name === 'wavy')?.minEntropy?.sp800_90b;
    if (!w || 'error' in w.bytes || !w.measurements || 'error' in w.measurements) throw new Error('no 90B result');
    expect(w.bytes.hAssessed).toBeGreaterThan(0);
    expect(w.measurements.reduction).toBe('rank'); // ≤ 256 distinct values: lossless
    expect(w.measurements.hAssessed).toBeLessThanOrEqual(8);
    // 64-bit values whose extraction is their low byte: the reduced measurements are the bytes, not re-run
    const u = a.standard.sources.find((s) => s.name === 'uniform')?.minEntropy?.sp800_90b;
    if (!u || 'error' in u.bytes || !u.measurements || 'error' in u.measurements) throw new Error('no 90B result');
    expect(u.measurements.sameAsBytes).toBe(true);
    expect(u.measurements.hAssessed).toBe(u.bytes.hAssessed);
    await expect(analyzeSession(multi, { sources: ['nope'] })).rejects.toThrow('has no source "nope"');
  }, 180_000);

  it('the stored analysis: written with progress as data, read back, stale once the session changes, invalid when damaged', async () => {
    const dir = await recordTestSession(
      root,
      'stored',
      { x: uniformGen(31n), y: uniformGen(32n) },
      { maxSamples: 3000 },
    );
    expect(readStoredAnalysis(dir)).toEqual({ state: 'none', reason: 'not analysed yet' });
    const steps: AnalysisStep[] = [];
    const { path, data } = await analyzeSessionToFile(dir, {
      ...STORED_ANALYSIS_OPTIONS,
      dependence: { ...fast.dependence, seed: 1 },
      entropy: 'mcv',
      onStep: (s) => steps.push(s),
    });
    expect(path).toBe(join(dir, STORED_ANALYSIS));
    const sourceSteps = steps.flatMap((s) => (s.phase === 'source' ? [s] : []));
    expect(sourceSteps.map((s) => s.index)).toEqual([1, 2]);
    expect(sourceSteps.map((s) => s.source).sort()).toEqual(['x', 'y']);
    expect(sourceSteps.every((s) => s.total === 2)).toBe(true);
    expect(steps.slice(2)).toEqual([
      { phase: 'dependence', sources: 2 },
      { phase: 'written', path },
    ]);
    expect(readStoredAnalysis(dir)).toEqual({ state: 'stored', analysis: data });
    const manifestPath = join(dir, 'session.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
    writeFileSync(manifestPath, JSON.stringify({ ...manifest, duration_ms: manifest.duration_ms + 1 }));
    expect(readStoredAnalysis(dir).state).toBe('stale');
    writeFileSync(manifestPath, JSON.stringify(manifest));
    expect(readStoredAnalysis(dir).state).toBe('stored');
    writeFileSync(path, JSON.stringify({ ...data, version: 99 }));
    expect(readStoredAnalysis(dir).state).toBe('invalid');
    writeFileSync(path, '{');
    expect(readStoredAnalysis(dir).state).toBe('invalid');
  }, 120_000);
});
