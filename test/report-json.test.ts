import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runsDecisionPValue } from '../src/analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES } from '../src/analyze/sp800-22/types.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { readSourceSamples } from '../src/collect/session/index.js';
import type { SessionManifest } from '../src/collect/session/manifest.js';
import { assertSchema } from '../src/contracts/schema.js';
import { closeDb } from '../src/db/index.js';
import { buildLiveReport } from '../src/jobs/report-data.js';
import { reportJson } from '../src/report/report-json.js';
import { runOeInProcess as oe } from './cli-helpers.js';

/** `oe report --input FILE --json` on these bytes (the reference for a source's battery). */
async function inputJson(dir: string, name: string, bytes: Uint8Array, extra: string[] = []) {
  const file = join(dir, `${name}.bin`);
  writeFileSync(file, bytes);
  const r = await oe(['report', '--input', file, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}

interface JsonTest {
  name: string;
  applicable: boolean;
  pValues: number[];
  decision: { verdict: string; adjustedPValue: number | null };
}

interface JsonSource {
  name: string;
  bytes: number;
  sp80022: { input: unknown; alpha: number; tests: JsonTest[] } | null;
  sp80022Unavailable: string | null;
  verdicts: {
    test: string;
    verdict: string;
    decidedBy: string | null;
    adjustedPValue: number | null;
    detail: string;
  }[];
  summary: { passed: number; failed: number; notApplicable: number } | null;
}

const tmp = mkdtempSync(join(tmpdir(), 'oe-report-json-'));
const root = join(tmp, 'sessions');
let manifest: SessionManifest;
let sessionDir: string;

beforeAll(async () => {
  const r = await recordSession({
    sources: 'getrandom,clock_jitter',
    maxSamples: 12_000,
    output: root,
    flushIntervalMs: 100,
    telemetryIntervalMs: 100,
  });
  manifest = r.manifest;
  sessionDir = r.dir;
}, 60_000);

afterAll(async () => {
  await closeSharedSamplerPool();
  await closeDb();
  rmSync(tmp, { recursive: true, force: true });
});

describe('oe report --session --json', () => {
  it('validates, states the session, and each battery equals --input --json on the same bytes', async () => {
    const r = await oe(['report', '--session', manifest.id, '--dir', root, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    assertSchema('report', json);
    expect(json.mode).toBe('session');
    expect(json.session.id).toBe(manifest.id);
    expect(json.session.totalSamples).toBe(manifest.total_samples);
    expect(json.parameters.command).toEqual([
      'oe',
      'report',
      '--session',
      manifest.id,
      '--dir',
      root,
      '--constants',
      'sts',
    ]);
    expect(json.sources.map((s: JsonSource) => s.name)).toEqual(manifest.sources.map((s) => s.name));

    for (const src of json.sources as JsonSource[]) {
      const { byte } = await readSourceSamples(sessionDir, src.name, { columns: ['byte'] });
      expect(src.bytes).toBe(byte!.length);
      expect(src.bytes).toBe(manifest.counts[src.name].samples);
      const ref = await inputJson(tmp, src.name, byte!);
      assertSchema('sp800-22', ref);
      // The whole battery (p-values, statistics, extended tests) is the --input one; only `input` differs.
      expect(src.sp80022).not.toBeNull();
      expect({ ...src.sp80022, input: ref.input }).toEqual(ref);
      expect(src.sp80022!.input).toEqual({ name: `${manifest.id}/${src.name}`, kind: 'session' });

      // Verdicts follow from the p-values for the single-p-value tests (one sequence here: 96,000 bits):
      // pass when p ≥ α; below α, FAIL when the Holm-adjusted p-value is below the family-wise level.
      expect(src.verdicts.map((v) => v.test)).toEqual([...NIST_TEST_NAMES]);
      const T = ref.decisions.tests;
      for (const t of ref.tests as JsonTest[]) {
        const v = src.verdicts.find((x) => x.test === t.name)!;
        expect(v.verdict).toBe(t.decision.verdict);
        expect(v.adjustedPValue).toBe(t.decision.adjustedPValue);
        if (!t.applicable) expect(v.verdict).toBe('n/a');
        else if (t.pValues.length === 1) {
          // Runs enters the decision as "prerequisite failed or runs off" (runsDecisionPValue, test-decisions.ts):
          // p = 0 (failed prerequisite) becomes that event's probability, any other p grows by it.
          const p = t.pValues[0];
          const pDecision = t.name === 'Runs' ? runsDecisionPValue(p, p === 0) : p;
          expect(v.decidedBy).toBe('p-value');
          expect(v.adjustedPValue!).toBeGreaterThanOrEqual(pDecision);
          expect(v.adjustedPValue!).toBeLessThanOrEqual(Math.min(1, T * pDecision));
          expect(v.verdict).toBe(
            p >= ref.alpha ? 'pass' : v.adjustedPValue! < ref.decisions.familyAlpha ? 'FAIL' : 'pass (chance)',
          );
        }
      }
      const s = src.summary!;
      expect(s.passed + s.failed + s.notApplicable).toBe(15);
      expect(s.notApplicable).toBe(ref.tests.filter((t: { applicable: boolean }) => !t.applicable).length);
    }
    // getrandom passes the frequency test or fails it by chance (p < 0.01 once in 100); clock_jitter's raw
    // timing bytes are biased: both verdicts must be what their p-values say (checked above), and differ here.
    const [g, c] = json.sources as JsonSource[];
    expect(c.summary!.failed).toBeGreaterThan(g.summary!.failed);

    expect(json.dependence.sources).toEqual(['getrandom', 'clock_jitter']);
    expect(json.dependence.pairs).toHaveLength(1);
    expect(json.telemetry.kind).toBe('session');
    expect(json.telemetry.metrics.length).toBeGreaterThan(0);
    for (const m of json.telemetry.metrics) expect(m.n).toBeLessThanOrEqual(manifest.telemetry!.snapshots);
  }, 60_000);

  it('agrees with the Markdown summary, and --output writes the same JSON to a file', async () => {
    const file = join(tmp, 'session-report.json');
    const j = await oe(['report', '--session', 'latest', '--dir', root, '--json', '--output', file]);
    expect(j.code, j.stderr).toBe(0);
    expect(j.stdout).toBe('');
    expect(j.stderr).toMatch(/wrote .*session-report\.json/);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    assertSchema('report', json);
    expect(json.session.id).toBe(manifest.id);

    const md = join(tmp, 'session-report.md');
    const m = await oe(['report', '--session', manifest.id, '--dir', root, '--output', md]);
    expect(m.code, m.stderr).toBe(0);
    const text = readFileSync(md, 'utf8');
    for (const s of json.sources as JsonSource[]) {
      const { passed, failed, notApplicable } = s.summary!;
      const row = `| ${s.name} | ${s.bytes.toLocaleString('en-US')} | ${passed}/${passed + failed} | ${failed} | ${notApplicable} |`;
      expect(text).toContain(row);
      for (const v of s.verdicts.filter((x) => x.verdict !== 'n/a')) {
        expect(text).toMatch(new RegExp(`\\| ${v.test} \\|[^\\n]*\\| ${v.verdict.replace(/[()]/g, '\\$&')} \\|`));
      }
    }
  }, 60_000);
});

describe('oe report --json on live sources', () => {
  it('two sources with --telemetry: schema, parameters, telemetry window, dependence', async () => {
    const r = await oe(['report', '--sources', 'getrandom,clock_jitter', '--samples', '4000', '--telemetry', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    assertSchema('report', json);
    expect(json.mode).toBe('live');
    expect(json.session).toBeNull();
    expect(json.parameters.live).toEqual({
      source: null,
      sources: 'getrandom,clock_jitter',
      samplesPerSource: 4000,
      conditioning: null,
    });
    expect(json.sources.map((s: JsonSource) => [s.name, s.bytes])).toEqual([
      ['getrandom', 4000],
      ['clock_jitter', 4000],
    ]);
    for (const s of json.sources as JsonSource[]) expect(s.sp80022?.input).toEqual({ name: s.name, kind: 'source' });
    expect(json.telemetry.kind).toBe('window');
    expect(json.telemetry.window.model_id).toBe('telemetry_v1');
    expect(json.dependence.pairs[0]).toMatchObject({ a: 'getrandom', b: 'clock_jitter', n: 4000 });
    expect(json.parameters.command).toContain('--telemetry');
  }, 60_000);

  it('the live battery equals --input --json on the same bytes (K = 2, exact constants)', async () => {
    const doc = await buildLiveReport({
      source: 'getrandom',
      samples: 3000,
      sequences: 2,
      constants: 'exact',
      threads: 0,
    });
    const json = reportJson(doc);
    assertSchema('report', json);
    expect(json.parameters.command).toEqual([
      'oe',
      'report',
      '--source',
      'getrandom',
      '--samples',
      '3000',
      '--sequences',
      '2',
      '--constants',
      'exact',
    ]);
    expect(json.dependence).toBeNull();
    const ref = await inputJson(tmp, 'live-getrandom', doc.sources[0].bytes, [
      '--sequences',
      '2',
      '--constants',
      'exact',
    ]);
    expect(ref.sequences).toBe(2);
    expect({ ...json.sources[0].sp80022, input: ref.input }).toEqual(ref);
  }, 60_000);

  it('too few bits or no data: no battery, the reason, still valid', async () => {
    const r = await oe(['report', '--sources', 'getrandom,nvme_latency', '--samples', '10', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const json = JSON.parse(r.stdout);
    assertSchema('report', json);
    const s = json.sources[0] as JsonSource;
    expect(s.sp80022).toBeNull();
    expect(s.sp80022Unavailable).toMatch(/needs 100 bits/);
    expect(s.verdicts).toEqual([]);
    expect(s.summary).toBeNull();
    // nvme_latency: unavailable without an NVMe namespace (an error, no bytes), else 10 bytes (too few bits)
    const nvme = json.sources[1] as JsonSource & { error: string | null };
    expect(nvme.sp80022).toBeNull();
    expect(nvme.error === null).toBe(nvme.bytes === 10);
    expect(nvme.sp80022Unavailable).toMatch(nvme.error === null ? /needs 100 bits/ : /^not run: /);
  }, 60_000);

  it('the schema is strict', async () => {
    const doc = await buildLiveReport({ source: 'getrandom', samples: 500, threads: 0 });
    const json = reportJson(doc) as unknown as Record<string, unknown> & { sources: Record<string, unknown>[] };
    assertSchema('report', json);
    const bad = (f: (j: typeof json) => void) => {
      const j = structuredClone(json);
      f(j);
      return () => assertSchema('report', j);
    };
    expect(bad((j) => Object.assign(j, { extra: 1 }))).toThrow(/additional/);
    expect(
      bad((j) => Object.assign(j.sources[0], { verdicts: [{ test: 'Frequency', verdict: 'ok', detail: '' }] })),
    ).toThrow();
    expect(bad((j) => Object.assign(j, { mode: 'file' }))).toThrow();
    // the battery sub-object is checked by sp800-22.schema.json
    expect(bad((j) => Object.assign(j.sources[0].sp80022 as object, { tests: [] }))).toThrow();
  }, 60_000);
});

describe('oe report --json usage errors', () => {
  it('bad combinations are one line and exit 2', async () => {
    const f = join(tmp, 'x.bin');
    writeFileSync(f, new Uint8Array(200));
    const cases = [
      ['report', '--json', '--session', 'x', '--source', 'getrandom'],
      ['report', '--json', '--input', f, '--sources', 'getrandom'],
      ['report', '--json', '--source', 'getrandom', '--sources', 'clock'],
      ['report', '--json', '--source', 'getrandom', '--sequences', '0'],
      ['report', '--json', '--sources', 'no_such_source_zz'],
      ['report', '--json', '--source', 'getrandom', '--samples', '0'],
      ['report', '--json', '--source', 'getrandom', '--conditioning', 'md5'],
    ];
    for (const args of cases) {
      const r = await oe(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      const lines = r.stderr.trim().split('\n');
      expect(lines, `${args.join(' ')}: ${r.stderr}`).toHaveLength(1);
      expect(lines[0]).toMatch(/^oe: /);
    }
  }, 60_000);
});
