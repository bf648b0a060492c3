import { igamc } from '../math/special.js';
import type { BitSequence } from './bits.js';
import { aperiodicTemplates, templateString } from './templates.js';
import { notApplicable, type Sp80022Result } from './types.js';

/**
 * Non-overlapping template matching test, SP 800-22 Rev. 1a §2.7, for every aperiodic m-bit
 * template (148 for m = 9) in STS's order. The sequence is cut into N = 8 blocks of M = ⌊n/N⌋ bits;
 * W_j counts non-overlapping occurrences of the template in block j; λ = (M − m + 1)/2^m,
 * σ² = M(1/2^m − (2m − 1)/2^(2m)), χ² = Σ_j (W_j − λ)²/σ², p = igamc(N/2, χ²/2).
 *
 * One pass for all templates: an aperiodic template cannot overlap itself, so its non-overlapping
 * count equals its overlapping count, which is the histogram of all m-bit windows of the block.
 * Applicable when λ ≥ 1 (each block long enough to expect one occurrence): n ≥ N·(2^m + m − 1).
 */
export function nonOverlappingTemplateTest(seq: BitSequence, options: { m?: number; N?: number } = {}): Sp80022Result {
  const m = options.m ?? 9;
  const N = options.N ?? 8;
  const { n, bits } = seq;
  const minBits = N * (2 ** m + m - 1);
  if (n < minBits) {
    return notApplicable('NonOverlappingTemplate', `not applicable (needs ${minBits.toLocaleString('en-US')} bits)`, {
      m,
      N,
    });
  }
  const M = Math.floor(n / N);
  const size = 1 << m;
  const mask = size - 1;
  const hist = new Uint32Array(N * size);
  for (let j = 0; j < N; j++) {
    const base = j * M;
    const h = j * size;
    let w = 0;
    for (let i = 0; i < m - 1; i++) w = (w << 1) | bits[base + i];
    for (let i = m - 1; i < M; i++) {
      w = ((w << 1) | bits[base + i]) & mask;
      hist[h + w]++;
    }
  }
  const lambda = (M - m + 1) / 2 ** m;
  const variance = M * (1 / 2 ** m - (2 * m - 1) / 2 ** (2 * m));
  const templates = aperiodicTemplates(m);
  const pValues: number[] = [];
  const chi2s: number[] = [];
  for (const t of templates) {
    let chi2 = 0;
    for (let j = 0; j < N; j++) chi2 += (hist[j * size + t] - lambda) ** 2 / variance;
    chi2s.push(chi2);
    pValues.push(igamc(N / 2, chi2 / 2));
  }
  return {
    name: 'NonOverlappingTemplate',
    applicable: true,
    pValues,
    labels: templates.map((t) => templateString(t, m)),
    parameters: { m, N, M },
    statistics: { lambda, variance, chi2: chi2s },
  };
}

/** The W_j counts of one template (for checking against STS's stats.txt). */
export function templateBlockCounts(seq: BitSequence, template: number, m = 9, N = 8): number[] {
  const M = Math.floor(seq.n / N);
  const out: number[] = [];
  for (let j = 0; j < N; j++) {
    let count = 0;
    for (let i = 0; i <= M - m; ) {
      let v = 0;
      for (let k = 0; k < m; k++) v = (v << 1) | seq.bits[j * M + i + k];
      if (v === template) {
        count++;
        i += m;
      } else i++;
    }
    out.push(count);
  }
  return out;
}
