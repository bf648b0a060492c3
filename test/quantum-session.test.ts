import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareInputs } from '../src/analyze/compare/compare.js';
import { assertSchema } from '../src/contracts/schema.js';
import { loadCompareInput } from '../src/jobs/compare-inputs.js';
import { quantumForSession } from '../src/jobs/quantum-inputs.js';
import { type Generator, laggedGen, recordTestSession, uniformGen } from './analysis-helpers.js';

/** Low byte masked to `bits` bits: min-entropy ≤ bits per byte. */
const maskedGen =
  (salt: bigint, bits: number): Generator =>
  (seq, n) => {
    const u = uniformGen(salt)(seq, n);
    const m = BigInt((1 << bits) - 1);
    return u.map((v) => v & m);
  };

let root: string;
let a: string;
let b: string;
let c: string;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'oe-qsess-'));
  const n = 4096 * 8;
  a = await recordTestSession(
    root,
    'a',
    { u: uniformGen(1n), lag: laggedGen(1n, 3), other: uniformGen(9n) },
    { maxSamples: n },
  );
  b = await recordTestSession(
    root,
    'b',
    { u: uniformGen(2n), lag: laggedGen(2n, 3), other: maskedGen(7n, 4) },
    { maxSamples: n },
  );
  c = await recordTestSession(
    root,
    'c',
    { u: uniformGen(3n), lag: laggedGen(3n, 3), other: uniformGen(11n) },
    { maxSamples: n },
  );
}, 120_000);

describe('quantum_proxy_v3 on a recorded session', () => {
  it('is reproducible, uses the recorded telemetry, and sees the lagged copy', async () => {
    const q1 = await quantumForSession(a, { seed: 2 });
    const q2 = await quantumForSession(a, { seed: 2 });
    expect(JSON.stringify(q1)).toBe(JSON.stringify(q2));
    expect(q1.telemetry).toBe('session');
    expect(q1.report.telemetry_confound).toBeDefined();
    assertSchema('quantum', JSON.parse(JSON.stringify(q1.report)));
    const lag = q1.report.sources.find((s) => s.name === 'lag')!;
    const other = q1.report.sources.find((s) => s.name === 'other')!;
    expect(lag.coupling_significant_pair_fraction_corr_lag).toBeGreaterThan(0);
    expect(lag.coupling_penalty).toBeGreaterThan(other.coupling_penalty);
  });
});

describe('oe compare on sessions', () => {
  it('flags the source whose min-entropy dropped, and only it', async () => {
    const r = compareInputs([await loadCompareInput(a, 'A'), await loadCompareInput(b, 'B')]);
    const other = r.sources.find((s) => s.name === 'other')!;
    const h = other.comparisons.find((x) => x.metric === 'min_entropy')!;
    expect(h.significant).toBe(true);
    expect(h.difference!).toBeLessThan(-2);
    expect(
      r.sources.find((s) => s.name === 'u')!.comparisons.find((x) => x.metric === 'min_entropy')!.significant,
    ).toBe(false);
    // Shannon and throughput have one value per session: shown, not tested.
    expect(other.comparisons.find((x) => x.metric === 'shannon')!.comparable).toBe(false);
  });

  it('flags nothing between two sessions of the same generators', async () => {
    const r = compareInputs([await loadCompareInput(a, 'A'), await loadCompareInput(c, 'C')]);
    expect(r.sources.every((s) => s.comparisons.every((x) => !x.significant))).toBe(true);
  });
});
