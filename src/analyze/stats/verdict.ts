import { holm } from './holm.js';
import type { ByteStatistics } from './source-statistics.js';

export type Verdict = 'GOOD' | 'WARNING' | 'CRITICAL';

export interface VerdictReason {
  check: string;
  severity: 'WARNING' | 'CRITICAL';
  /** Family-wise (Holm over every check made) p-value, when the reason is a test. */
  pValue?: number;
  /** One line: what was found, with its effect size. */
  message: string;
}

export interface VerdictResult {
  verdict: Verdict;
  reasons: VerdictReason[];
  /** Number of tests whose p-values entered the Holm adjustment. */
  tests: number;
  /** Family-wise levels: a test below `warningAlpha` warns; a structural test below `criticalAlpha` is critical. */
  warningAlpha: number;
  criticalAlpha: number;
}

export interface VerdictInput {
  stats: ByteStatistics;
  /** Min-entropy (bits per byte) of the raw bytes, when it was assessed. */
  minEntropy?: number;
}

export const WARNING_ALPHA = 0.01;
export const CRITICAL_ALPHA = 1e-6;

/**
 * GOOD / WARNING / CRITICAL from real p-values, never from fixed cut-offs on a statistic.
 *
 * Every check gives a p-value; they are Holm-adjusted together (holm.ts: step-down, family-wise error
 * rate controlled under any dependence between the checks, never less powerful than Bonferroni), so a
 * source whose bytes are i.i.d. uniform is WARNING or worse with probability ≤ WARNING_ALPHA = 1 % and
 * CRITICAL with probability ≤ CRITICAL_ALPHA = 10⁻⁶ (measured on true RNG data by
 * `npm run bench -- verdicts`; figures in docs/ARCHITECTURE.md). 1 % rather than the 5 % a single
 * source could afford: a session has tens of sources, and a false WARNING on one of them is read as a
 * finding.
 * - Structure (autocorrelation, spectral lines, runs, longest run, stationarity) breaks the i.i.d.
 *   assumption that makes a min-entropy estimate meaningful: WARNING at p < 0.01, CRITICAL at p < 1e-6.
 * - Distribution (bit bias, χ² against uniform) is expected of raw, unconditioned data and is priced by
 *   the min-entropy estimate: at most WARNING, with its cost in bits (8 − Shannon).
 * - Degenerate data is CRITICAL: empty, constant, or zero assessed min-entropy.
 * With large n, small effects become significant; each reason states the effect size so that a reader
 * can judge its weight.
 */
export function verdict({ stats, minEntropy }: VerdictInput): VerdictResult {
  const reasons: VerdictReason[] = [];
  const base = { tests: 0, warningAlpha: WARNING_ALPHA, criticalAlpha: CRITICAL_ALPHA };
  if (stats.n === 0) {
    return {
      verdict: 'CRITICAL',
      reasons: [{ check: 'samples', severity: 'CRITICAL', message: 'no samples' }],
      ...base,
    };
  }
  if (stats.shannon.distinct === 1) {
    return {
      verdict: 'CRITICAL',
      reasons: [
        {
          check: 'constant',
          severity: 'CRITICAL',
          message: `every byte equals ${stats.chiSquareUniform.histogram.findIndex((c) => c > 0)}`,
        },
      ],
      ...base,
    };
  }
  if (minEntropy !== undefined && minEntropy <= 0) {
    reasons.push({ check: 'min_entropy', severity: 'CRITICAL', message: 'assessed min-entropy is 0 bits per byte' });
  }
  const structural: { check: string; p: number; message: string }[] = [];
  const distribution: { check: string; p: number; message: string }[] = [];
  const ac = stats.autocorrelation;
  if (ac.maxLag > 0 && !ac.constant) {
    structural.push({
      check: 'autocorrelation',
      p: Math.min(1, 2 * Math.min(ac.ljungBox.pValue, ac.maxPValue)),
      message: `max |r| = ${fmt(ac.maxAbs)} at lag ${ac.maxAbsLag} (n-aware threshold ${fmt(ac.threshold)}, ${ac.violations} lags above); Ljung–Box Q = ${fmt(ac.ljungBox.q)} on ${ac.ljungBox.df} df`,
    });
  }
  if (stats.spectrum) {
    const pk = stats.spectrum.peaks;
    const top = pk.peaks[0];
    structural.push({
      check: 'spectrum',
      p: pk.minPValue,
      message: `${pk.significant} significant spectral lines; strongest at f = ${fmt(top?.frequency ?? 0)} with ${fmt(top?.relativePower ?? 0)}× the white level; flatness ${fmt(stats.spectrum.flatness.flatness)} (white noise: ${fmt(stats.spectrum.flatness.expectedWhite)})`,
    });
  }
  const ru = stats.runs;
  if (ru.varianceRuns > 0) {
    structural.push({
      check: 'runs',
      p: ru.pValue,
      message: `${ru.totalRuns} runs of equal bytes, expected ${fmt(ru.expectedRuns)} (z = ${fmt(ru.z)})`,
    });
    structural.push({
      check: 'longest_run',
      p: ru.longestRunPValue,
      message: `longest run ${ru.longestRun}, expected ${fmt(ru.expectedLongestRun)}`,
    });
  }
  const st = stats.stationarity;
  if (st.applicable) {
    structural.push({
      check: 'stationarity',
      p: st.pValue,
      message: `window means differ: F = ${fmt(st.f)} on (${st.df1}, ${st.df2}) df over ${st.windows} windows`,
    });
  }
  const bb = stats.bitBias;
  distribution.push({
    check: 'bit_bias',
    p: bb.minPValue,
    message: `biased bit positions [${bb.biasedBits.join(', ')}]; mean |p − ½| = ${fmt(bb.overallBias)} (n-aware threshold ${fmt(bb.threshold)})`,
  });
  const cs = stats.chiSquareUniform;
  if (cs.applicable) {
    distribution.push({
      check: 'uniformity',
      p: cs.pValue,
      message: `χ² = ${fmt(cs.statistic)} on 255 df against uniform bytes; Shannon ${fmt(stats.shannon.bitsPerByte)} bits/byte (${fmt(8 - stats.shannon.bitsPerByte)} below 8)`,
    });
  }
  const m = structural.length + distribution.length;
  const adjusted = holm([...structural, ...distribution].map((t) => t.p));
  structural.forEach((t, i) => {
    const p = adjusted[i];
    if (p < CRITICAL_ALPHA) reasons.push({ check: t.check, severity: 'CRITICAL', pValue: p, message: t.message });
    else if (p < WARNING_ALPHA) reasons.push({ check: t.check, severity: 'WARNING', pValue: p, message: t.message });
  });
  distribution.forEach((t, i) => {
    const p = adjusted[structural.length + i];
    if (p < WARNING_ALPHA) reasons.push({ check: t.check, severity: 'WARNING', pValue: p, message: t.message });
  });
  const v: Verdict = reasons.some((r) => r.severity === 'CRITICAL')
    ? 'CRITICAL'
    : reasons.length > 0
      ? 'WARNING'
      : 'GOOD';
  return { verdict: v, reasons, tests: m, warningAlpha: WARNING_ALPHA, criticalAlpha: CRITICAL_ALPHA };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e5 || a < 1e-3 ? x.toExponential(3) : Number(x.toPrecision(4)).toString();
}
