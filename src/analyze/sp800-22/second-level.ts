import { igamc } from '../math/special.js';
import { chiSquareOfBins, pValueHistogram } from './series-evidence.js';
import { NIST_TEST_NAMES, type NistTestName, type Sp80022Result } from './types.js';

/** One row of the final analysis report: one p-value series (a test, or one of its sub-tests). */
export interface SecondLevelRow {
  name: NistTestName;
  /** Sub-test label (template, state, forward/reverse, …) when the test has several p-values. */
  label?: string;
  /** Counts of p-values in the 10 bins [0, 0.1), …, [0.9, 1.0]. */
  histogram: number[];
  /** Number of sequences on which this p-value exists (the test was applicable). */
  sequences: number;
  /** Number with p ≥ α. */
  passed: number;
  /** passed / sequences. */
  proportion: number;
  /** Acceptable range of the proportion: (1−α) ± 3·√(α(1−α)/K) (SP 800-22 §4.2.1). */
  proportionInterval: [number, number];
  /** Whether the proportion is inside the interval. */
  proportionOk: boolean;
  /** Uniformity p-value P-value_T = igamc(9/2, χ²/2) over the 10 bins (§4.2.2); undefined when K = 0. */
  uniformityPValue?: number;
  /** Whether the uniformity p-value is ≥ 0.0001 (§4.2.2). */
  uniformityOk?: boolean;
}

export interface SecondLevelReport {
  alpha: number;
  sequences: number;
  rows: SecondLevelRow[];
  /** SP 800-22 §4.2.2 asks for at least 55 sequences for the uniformity test to be meaningful. */
  uniformityReliable: boolean;
}

/** One p-value series: a test, or one of its sub-tests, over the sequences on which the test ran. */
export interface PValueSeries {
  name: NistTestName;
  label?: string;
  /** Index of this p-value in the test's result (sub-test number). */
  index: number;
  /** One p-value per sequence on which the test was applicable, in sequence order. */
  pValues: number[];
  /** Indices of those sequences. */
  sequences: number[];
}

/**
 * The p-value series of a battery run over K sequences, in NIST's test order and each test's sub-test
 * order. Sequences on which a test was not applicable are left out of its series.
 */
export function pValueSeries(perSequence: Sp80022Result[][]): PValueSeries[] {
  const series = new Map<string, PValueSeries>();
  for (const name of NIST_TEST_NAMES) {
    perSequence.forEach((results, k) => {
      const r = results.find((x) => x.name === name);
      if (!r?.applicable) return;
      r.pValues.forEach((p, index) => {
        const key = `${name}#${index}`;
        let s = series.get(key);
        if (!s) {
          s = { name, label: r.labels?.[index], index, pValues: [], sequences: [] };
          series.set(key, s);
        }
        s.pValues.push(p);
        s.sequences.push(k);
      });
    });
  }
  const order = (n: NistTestName) => NIST_TEST_NAMES.indexOf(n);
  return [...series.values()].sort((a, b) => order(a.name) - order(b.name) || a.index - b.index);
}

/**
 * The second-level analysis of SP 800-22 Rev. 1a §4.2, as STS's finalAnalysisReport: for every
 * p-value series over K sequences, the proportion of sequences passing at level α with its
 * confidence interval p̂ ± 3√(p̂(1−p̂)/K), p̂ = 1 − α (§4.2.1), and the uniformity of the p-values:
 * 10 equal bins, χ² = Σ (F_i − K/10)²/(K/10), P-value_T = igamc(9/2, χ²/2) (§4.2.2). p = 1 goes
 * into the last bin (STS). Sequences on which a test was not applicable are left out of its rows.
 * These are NIST's figures, shown in the report's tables; oe's verdicts come from test-decisions.ts.
 */
export function secondLevelAnalysis(perSequence: Sp80022Result[][], alpha = 0.01): SecondLevelReport {
  const rows = pValueSeries(perSequence).map((s) => summarize(s.name, s.label, s.pValues, alpha));
  return { alpha, sequences: perSequence.length, rows, uniformityReliable: perSequence.length >= 55 };
}

/** Proportion and uniformity of one p-value series. */
export function summarize(
  name: NistTestName,
  label: string | undefined,
  pValues: number[],
  alpha = 0.01,
): SecondLevelRow {
  const K = pValues.length;
  const histogram = pValueHistogram(pValues);
  let passed = 0;
  for (const p of pValues) if (p >= alpha) passed++;
  const pHat = 1 - alpha;
  const half = K > 0 ? 3 * Math.sqrt((pHat * alpha) / K) : 0;
  const proportion = K > 0 ? passed / K : 0;
  const proportionInterval: [number, number] = [pHat - half, Math.min(1, pHat + half)];
  let uniformityPValue: number | undefined;
  if (K > 0) uniformityPValue = igamc(9 / 2, chiSquareOfBins(histogram) / 2);
  return {
    name,
    label,
    histogram,
    sequences: K,
    passed,
    proportion,
    proportionInterval,
    proportionOk: K > 0 && proportion >= proportionInterval[0] && proportion <= proportionInterval[1],
    uniformityPValue,
    uniformityOk: uniformityPValue === undefined ? undefined : uniformityPValue >= 0.0001,
  };
}
