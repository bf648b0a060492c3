import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { restartCutoff, restartTest } from '../src/analyze/sp800-90b/restart.js';
import { parseVerbose, uniform8 } from './sp800-90b-reference.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-90b');
const alpha = 1 - Math.exp(Math.log(0.99) / 2000);

describe('SP 800-90B restart tests (§3.1.4) against ea_restart 1.1.7', () => {
  it('sanity-check cutoff: 24 at H_I = 7.2478 as the tool; d_bern07 within one of its simulated 854', () => {
    expect(restartCutoff(7.2478056835632101, alpha)).toBe(24);
    // NIST simulates 5,000,000 rounds; the exact quantile sits on the boundary here
    // (P(max ≤ 853) exceeds 1 − α by 3e-9), so a simulation returns 853 or 854.
    expect(Math.abs(restartCutoff(0.32272473364148779, alpha) - 854)).toBeLessThanOrEqual(1);
  });

  it('a 100×100 matrix: H_r of the row dataset is the non-IID H_original of the data (NIST .res)', () => {
    const data = new Uint8Array(readFileSync(join(FIX, 'rand8_short.bin')));
    const ref = parseVerbose(readFileSync(join(FIX, 'rand8_short.res'), 'utf8')).finals.H_original;
    const r = restartTest(data, 5.8608937444852494, undefined, { rows: 100, columns: 100 });
    expect(Math.abs(r.hR - ref)).toBeLessThan(1e-6);
    expect(r.columnEstimators.length).toBe(r.rowEstimators.length);
    expect(r.columnEstimators.every((e) => e.track === 'literal')).toBe(true);
    expect(r.validationPassed).toBe(Math.min(r.hR, r.hC) >= r.hI / 2);
  });

  it('fails the sanity check when one restart repeats a symbol', () => {
    const data = new Uint8Array(readFileSync(join(FIX, 'rand8_short.bin')));
    data.fill(0, 300, 400); // row 3 of 100×100 is constant
    const r = restartTest(data, 5.86, undefined, { rows: 100, columns: 100 });
    expect(r.xRows).toBe(100);
    expect(r.sanityPassed).toBe(false);
    expect(r.hRestart).toBeNull();
  });

  it('rejects a matrix of the wrong size and H_I above the word size', () => {
    expect(() => restartTest(new Uint8Array(10), 1)).toThrow(/1000000/);
    expect(() => restartTest(new Uint8Array(100).fill(1).fill(0, 50), 3, 1, { rows: 10, columns: 10 })).toThrow(/H_I/);
  });

  it('IID mode (ea_restart -i): H_r = H_c = the literal most common value of a_uniform8 in ea_iid 1.1.7', () => {
    // a_uniform8_iid.out: "Literal Most Common Value Estimate: min entropy = 7.8675215086146038". The
    // estimate depends only on symbol counts, which rows and columns share with the whole file.
    const r = restartTest(uniform8(), 7.2478056835632101, 8, { iid: true });
    expect(r.mode).toBe('iid');
    expect(r.rowEstimators.map((e) => e.id)).toEqual(['mcv']);
    expect(Math.abs(r.hR - 7.8675215086146038)).toBeLessThan(1e-9);
    expect(Math.abs(r.hC - 7.8675215086146038)).toBeLessThan(1e-9);
    // The sanity check does not depend on the track (README: X_cutoff 24, X_max 16 for this file).
    expect(r.xCutoff).toBe(24);
    expect(r.xMax).toBe(16);
    expect(r.hRestart).toBeCloseTo(7.2478056835632101, 12);
  });

  it.runIf(process.env.OE_FULL === '1')(
    'a_uniform8 as a 1000×1000 matrix: X_cutoff 24, X_max 16, H_r 7.867522, H_c 7.314320 (README)',
    { timeout: 1_800_000 },
    () => {
      const r = restartTest(uniform8(), 7.2478056835632101, 8);
      expect(r.xCutoff).toBe(24);
      expect(r.xMax).toBe(16);
      expect(Math.abs(r.hR - 7.867522)).toBeLessThan(1e-6);
      expect(Math.abs(r.hC - 7.31432)).toBeLessThan(1e-6);
      expect(r.hRestart).toBeCloseTo(7.247806, 6);
    },
  );
});
