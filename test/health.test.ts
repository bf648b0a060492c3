import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mostCommonValue } from '../src/analyze/sp800-90b/most-common-value.js';
import { AdaptiveProportionTest } from '../src/collect/health/adaptive-proportion-test.js';
import { aptCutoff, binomialSurvival, critBinom, DEFAULT_ALPHA, rctCutoff } from '../src/collect/health/cutoffs.js';
import { RepetitionCountTest } from '../src/collect/health/repetition-count-test.js';
import { SourceHealth, STARTUP_SAMPLES } from '../src/collect/health/source-health.js';

const A20 = 2 ** -20;
const A30 = 2 ** -30;

/** Deterministic test input: a byte stream where `value` has probability `p`, else uniform over the rest. */
function biased(n: number, value: number, p: number, seed = 1): Uint8Array {
  let x = seed >>> 0;
  const next = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() < p ? value : (value + 1 + Math.floor(next() * 255)) & 0xff;
  return out;
}

describe('cutoffs (SP 800-90B §4.4)', () => {
  it('RCT cutoff C = 1 + ceil(-log2(alpha)/H) matches the published values', () => {
    // SP 800-90B §4.4.1 example and ../shared/reference/linux-sources.md §4.3 table.
    expect(rctCutoff(1, A20)).toBe(21);
    expect(rctCutoff(2, A20)).toBe(11);
    const tableA20: [number, number][] = [
      [0.25, 81],
      [0.5, 41],
      [1, 21],
      [2, 11],
      [3, 8],
      [4, 6],
      [6, 5],
    ];
    const tableA30: [number, number][] = [
      [0.25, 121],
      [0.5, 61],
      [1, 31],
      [2, 16],
      [3, 11],
      [4, 9],
      [6, 6],
    ];
    for (const [h, c] of tableA20) expect(rctCutoff(h, A20)).toBe(c);
    for (const [h, c] of tableA30) expect(rctCutoff(h, A30)).toBe(c);
    // Floating point: 20 / 0.1 is 200.00000000000003 and must not round up to 202.
    expect(rctCutoff(0.1, A20)).toBe(201);
    expect(DEFAULT_ALPHA).toBe(A30);
  });

  it('APT cutoffs 1 + CRITBINOM(W, 2^-H, 1 - alpha) match SP 800-90B Table 2 (alpha = 2^-20)', () => {
    const w512: [number, number][] = [
      [1, 311],
      [2, 177],
      [4, 62],
      [8, 13],
    ];
    for (const [h, c] of w512) expect(aptCutoff(h, A20, 512)).toBe(c);
    const w1024: [number, number][] = [
      [0.2, 941],
      [0.4, 840],
      [0.5, 793],
      [0.6, 748],
      [0.8, 664],
      [1, 589],
    ];
    for (const [h, c] of w1024) expect(aptCutoff(h, A20, 1024)).toBe(c);
  });

  it("the corrected APT form reproduces jitterentropy's published tables (linux-sources.md §4.3)", () => {
    const a20: [number, number][] = [
      [0.25, 468],
      [0.5, 411],
      [1, 311],
      [2, 178],
      [3, 104],
      [4, 63],
      [6, 26],
    ];
    const a30: [number, number][] = [
      [0.25, 477],
      [0.5, 422],
      [1, 325],
      [2, 191],
      [3, 115],
      [4, 71],
      [6, 32],
    ];
    for (const [h, c] of a20) expect(aptCutoff(h, A20, 512, 'corrected')).toBe(c);
    for (const [h, c] of a30) expect(aptCutoff(h, A30, 512, 'corrected')).toBe(c);
    // jitterentropy library, OSR 1..4 at 2^-30 and OSR 1..3 at 2^-60; binary windows.
    expect([1, 2, 3, 4].map((o) => aptCutoff(1 / o, A30, 512, 'corrected'))).toEqual([325, 422, 459, 477]);
    expect([1, 2, 3].map((o) => aptCutoff(1 / o, 2 ** -60, 512, 'corrected'))).toEqual([355, 447, 479]);
    expect(aptCutoff(1, A30, 1024, 'corrected')).toBe(609);
    expect(aptCutoff(0.5, A30, 1024, 'corrected')).toBe(810);
  });

  it('binomial tail and CRITBINOM agree with exact small cases', () => {
    // P(X > 8) for Binomial(10, 1/2) = (C(10,9) + C(10,10)) / 1024 = 11/1024.
    expect(binomialSurvival(10, 0.5, 8)).toBeCloseTo(11 / 1024, 15);
    // Smallest k with P(X <= k) >= 0.95 for Binomial(10, 1/2) is 8 (P(X<=7) = 0.9453, P(X<=8) = 0.9893).
    expect(critBinom(10, 0.5, 0.05)).toBe(8);
    expect(() => rctCutoff(0)).toThrow(RangeError);
    expect(() => aptCutoff(1, 0)).toThrow(RangeError);
  });
});

describe('RepetitionCountTest', () => {
  it('fails on the C-th identical sample in a row, also across batches', () => {
    const t = new RepetitionCountTest(1, A20); // C = 21
    expect(t.feed(new Uint8Array(20).fill(7))).toBe(-1);
    expect(t.feed(new Uint8Array([7]))).toBe(0);
    const u = new RepetitionCountTest(1, A20);
    const stuck = new Uint8Array(100).fill(3);
    expect(u.feed(stuck)).toBe(20); // quarantined within its cutoff
  });

  it('passes a run of C-1 and restarts the count on a new value', () => {
    const t = new RepetitionCountTest(1, A20);
    const s = new Uint8Array(60);
    s.fill(5, 0, 20);
    s.fill(6, 20, 40);
    s.fill(5, 40, 60);
    expect(t.feed(s)).toBe(-1);
  });
});

describe('AdaptiveProportionTest', () => {
  it('fails when the reference value reaches the cutoff within one window', () => {
    const t = new AdaptiveProportionTest(1, { alpha: A20 }); // C = 311, W = 512
    expect(t.cutoff).toBe(311);
    const w = new Uint8Array(512);
    for (let i = 0; i < 512; i++) w[i] = i % 2 === 0 ? 9 : 10 + (i % 7); // 256 nines, no runs
    expect(t.feed(w)).toBe(-1);
    const bad = new Uint8Array(512);
    for (let i = 0; i < 512; i++) bad[i] = i % 5 < 3 ? 9 : (i % 5) + 20; // 9 at 3/5 of positions
    // The 311th nine: nines sit at positions i with i%5 in {0,1,2}; the 311th is at 5*103 + 1 = 516 > 511,
    // so this window holds 308 nines and passes; a denser one fails.
    expect(t.feed(bad)).toBe(-1);
    const worse = new Uint8Array(512);
    for (let i = 0; i < 512; i++) worse[i] = i % 4 < 3 ? 9 : 50; // 384 nines
    const idx = t.feed(worse);
    // Nines fill 3 of every 4 positions: 309 in the first 103 groups, so the 311th is at 4*103 + 1 = 413.
    expect(idx).toBe(413);
  });

  it('trips on a biased source and not on uniform bytes', () => {
    const h = 1; // claimed: most likely value has p <= 1/2
    const fair = new AdaptiveProportionTest(h);
    expect(fair.feed(randomBytes(512 * 200))).toBe(-1);
    const t = new AdaptiveProportionTest(h);
    const idx = t.feed(biased(512 * 20, 0x42, 0.8));
    expect(idx).toBeGreaterThanOrEqual(0);
    expect(idx).toBeLessThan(512 * 3); // within the first windows that start on the biased value
  });

  it('uses a 1024-sample window for binary samples', () => {
    const t = new AdaptiveProportionTest(1, { binary: true, alpha: A20 });
    expect(t.window).toBe(1024);
    expect(t.cutoff).toBe(589);
  });
});

describe('SourceHealth (start-up §4.3, quarantine, backoff)', () => {
  it('contributes only after 1024 start-up samples, credited min(catalog credit, MCV estimate)', () => {
    const h = new SourceHealth('s', 'physical', 7.9);
    const data = randomBytes(1100);
    const r1 = h.feed(data.subarray(0, 1000));
    expect(r1.ok && r1.accepted.length).toBe(0);
    expect(h.status).toBe('startup');
    const r2 = h.feed(data.subarray(1000));
    expect(r2.ok).toBe(true);
    if (!r2.ok) return;
    expect(r2.accepted.length).toBe(1100);
    expect(STARTUP_SAMPLES).toBe(1024);
    const mcv = mostCommonValue(new Uint8Array(data)).hMin;
    expect(r2.creditPerByte).toBeCloseTo(Math.min(7.9, mcv), 12);
    expect(h.status).toBe('healthy');
    const low = new SourceHealth('t', 'physical', 0.5);
    const r3 = low.feed(randomBytes(2048));
    expect(r3.ok && r3.creditPerByte).toBe(0.5);
    expect(low.report().rctCutoff).toBe(rctCutoff(0.5));
  });

  it('credits counter sources 0 and reference sources 0 unless asked', () => {
    const c = new SourceHealth('c', 'counter', 3);
    const rc = c.feed(randomBytes(2048));
    expect(rc.ok && rc.creditPerByte).toBe(0);
    expect(c.status).toBe('healthy');
    const r = new SourceHealth('r', 'reference', 6);
    const rr = r.feed(randomBytes(4096));
    expect(rr.ok && rr.creditPerByte).toBe(0);
    const r2 = new SourceHealth('r', 'reference', 6, { creditReference: true });
    const rr2 = r2.feed(randomBytes(4096));
    expect(rr2.ok && rr2.creditPerByte).toBeGreaterThan(0);
  });

  it('quarantines a stuck source within its RCT cutoff and reports test, time and count', () => {
    let now = 1_700_000_000_000;
    const h = new SourceHealth('s', 'physical', 2, { now: () => now, backoffBaseMs: 1000 });
    expect(h.feed(randomBytes(4096)).ok).toBe(true);
    const cutoff = h.report().rctCutoff as number;
    const stuck = new Uint8Array(cutoff + 50).fill(0xaa);
    const r = h.feed(stuck);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.test).toBe('rct');
    expect(r.failure.phase).toBe('continuous');
    const rep = h.report();
    expect(rep.status).toBe('quarantined');
    expect(rep.failures).toEqual({ rct: 1, apt: 0, startup: 0, sampler: 0, total: 1 });
    expect(rep.lastFailure?.at).toBe(new Date(now).toISOString());
    expect(rep.quarantinedUntil).toBe(new Date(now + 1000).toISOString());
    expect(h.creditPerByte).toBe(0);
    // Backoff: not before 1 s; then start-up again; a second failure doubles the wait.
    now += 999;
    expect(h.canSample()).toBe(false);
    now += 1;
    expect(h.canSample()).toBe(true);
    expect(h.status).toBe('startup');
    const again = h.feed(new Uint8Array(2048).fill(1));
    expect(again.ok).toBe(false);
    expect(h.report().failures.startup).toBe(1);
    expect(h.report().quarantinedUntil).toBe(new Date(now + 2000).toISOString());
  });

  it('trips the APT on a biased stream that has no long runs', () => {
    const h = new SourceHealth('s', 'physical', 3);
    expect(h.feed(randomBytes(4096)).ok).toBe(true);
    // p(0x42) = 0.5 but H = 3 claims p <= 1/8; runs stay short (RCT cutoff 11 at 2^-30).
    const r = h.feed(biased(512 * 8, 0x42, 0.5, 7));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.failure.test).toBe('apt');
    expect(h.report().failures.apt).toBe(1);
  });

  it('records sampler failures and unavailability', () => {
    const h = new SourceHealth('s', 'physical', 1);
    h.samplerFailed('batch timed out after 5000 ms');
    expect(h.report().failures.sampler).toBe(1);
    expect(h.report().reason).toMatch(/SAMPLER failed: batch timed out/);
    const u = new SourceHealth('u', 'physical', 1);
    u.markUnavailable('no /dev/hwrng');
    expect(u.canSample()).toBe(false);
    expect(u.report().status).toBe('unavailable');
  });
});
