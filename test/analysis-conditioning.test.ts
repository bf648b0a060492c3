import { describe, expect, it } from 'vitest';
import { vonNeumann } from '../src/collect/conditioning/index.js';
import { conditionForAssessment } from '../src/jobs/session-analysis.js';
import { shaBytes } from './stats-helpers.js';

describe('--conditioning: input of the SP 800-90B suite', () => {
  it('raw is the bytes themselves; vonneumann is the debiaser; sha256 spends ⌈320/H⌉ bytes per 32-byte block', () => {
    const b = shaBytes(10_000, 'c');
    expect(conditionForAssessment(b, 'raw', 7)).toBe(b);
    expect(conditionForAssessment(b, 'vonneumann', 7)).toEqual(vonNeumann(b));
    const out = conditionForAssessment(b, 'sha256', 4); // 80 raw bytes carry 320 credited bits
    expect(out.length).toBe(Math.floor(10_000 / 80) * 32);
    expect(conditionForAssessment(b, 'sha256', 0).length).toBe(0); // nothing credited, nothing output
    // deterministic for the same input
    expect(conditionForAssessment(b, 'sha256', 4)).toEqual(out);
  });
});
