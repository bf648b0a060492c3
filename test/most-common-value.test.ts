import { describe, expect, it } from 'vitest';
import { mostCommonValue } from '../src/analyze/sp800-90b/most-common-value.js';

describe('mostCommonValue (SP 800-90B §6.3.1)', () => {
  it('matches the worked definition on a small input', () => {
    // 10 samples, mode 1 appears 4 times: p̂ = 0.4, p_u = 0.4 + 2.5758·sqrt(0.24/9)
    const r = mostCommonValue(Uint8Array.from([0, 1, 1, 2, 1, 3, 1, 0, 2, 3]));
    expect(r.mode).toBe(1);
    expect(r.pHat).toBe(0.4);
    expect(r.pU).toBeCloseTo(0.4 + 2.5758293035489008 * Math.sqrt(0.24 / 9), 12);
  });

  it('gives 0 bits for a constant input', () => {
    expect(mostCommonValue(new Uint8Array(100).fill(7)).hMin).toBe(0);
  });

  it('rejects inputs too short to estimate', () => {
    expect(() => mostCommonValue(new Uint8Array(1))).toThrow(RangeError);
  });
});
