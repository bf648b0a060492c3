/** NIST's test names in NIST's order (STS `assess` and finalAnalysisReport). */
export const NIST_TEST_NAMES = [
  'Frequency',
  'BlockFrequency',
  'CumulativeSums',
  'Runs',
  'LongestRun',
  'Rank',
  'FFT',
  'NonOverlappingTemplate',
  'OverlappingTemplate',
  'Universal',
  'ApproximateEntropy',
  'RandomExcursions',
  'RandomExcursionsVariant',
  'Serial',
  'LinearComplexity',
] as const;

export type NistTestName = (typeof NIST_TEST_NAMES)[number];

/** The outcome of one SP 800-22 test on one sequence. */
export interface Sp80022Result {
  name: NistTestName;
  /** False when the sequence is too short (or a prerequisite fails); pValues is then empty. */
  applicable: boolean;
  /** Why the test is not applicable, e.g. "not applicable (needs 1,000,000 bits)". */
  reason?: string;
  /** Every p-value of the test, in NIST's order. */
  pValues: number[];
  /** One label per p-value when there are several (e.g. template bits, excursion state). */
  labels?: string[];
  /** Parameters used (M, m, K, …). */
  parameters: Record<string, number | string>;
  /** Intermediate statistics, named as in STS's stats.txt where possible. */
  statistics: Record<string, number | number[]>;
}

/** Options shared by the tests that have rounded STS constants. */
export interface ConstantsOption {
  /**
   * 'sts' (default): the rounded class probabilities NIST STS 2.1.2 hard-codes, so results reproduce
   * STS and the published tables. 'exact': probabilities computed from the formulas of SP 800-22.
   */
  constants?: 'sts' | 'exact';
}

export function notApplicable(
  name: NistTestName,
  reason: string,
  parameters: Record<string, number | string> = {},
): Sp80022Result {
  return { name, applicable: false, reason, pValues: [], parameters, statistics: {} };
}

/** "not applicable (needs N bits)" with N grouped by thousands. */
export function needsBits(n: number): string {
  return `not applicable (needs ${n.toLocaleString('en-US')} bits)`;
}
