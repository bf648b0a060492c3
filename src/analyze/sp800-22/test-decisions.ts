import { erfc } from '../math/special.js';
import { holm } from '../stats/holm.js';
import { pValueSeries, summarize } from './second-level.js';
import { type SeriesEvidence, seriesEvidence, UNIFORMITY_MIN_SEQUENCES } from './series-evidence.js';
import { NIST_TEST_NAMES, type NistTestName, type Sp80022Result } from './types.js';

/**
 * Family-wise level of one battery's verdicts. The promise is that a true RNG gets a FAIL in at most 1 %
 * of reports, at every number of sequences; the level is a quarter of it because the guarantee of the
 * procedure below holds for valid p-values and some of STS's are not: on /dev/urandom data Universal's
 * standardised statistic spreads 3 % more than its σ says, the templates and both excursion tests fall
 * below 10⁻⁴ 1.6–3.6× as often as they should, and the DFT test's variance is known to be too small
 * (Kim, Umeno and Hasegawa 2004). A report FAILs when its most significant test passes Holm's first step,
 * so if every test's p-values fall below the levels that decide at most r times as often as nominal, the
 * rate is at most r·FAMILY_ALPHA: 1 %/3.6 = 0.28 %, rounded down. At 0.5 % the measured one-sequence rate
 * was 0.93 % (0.44–1.70 %); the rates at this level, measured on a bank of real sequences and computed from
 * it for large K, are in docs/ARCHITECTURE.md (`npm run bench -- verdict-bank`).
 */
export const FAMILY_ALPHA = 0.0025;

/**
 * Runs reports p = 0 when its frequency prerequisite |π − ½| < 2/√n fails (§2.3.4, as STS). For the
 * decision Runs is read as one test, "the prerequisite fails or the runs are off", whose p-value is
 * P_fail = P(|S_n|/√n ≥ 4) = erfc(2√2) ≈ 6.3·10⁻⁵ on a failed prerequisite and min(1, p + P_fail)
 * otherwise: P(p′ ≤ t) ≤ P_fail + (t − P_fail) = t, a valid p-value. So one slightly unbalanced sequence
 * of a true RNG does not decide a report alone (Frequency tests the balance itself), and a literal 0 does
 * not make a true RNG FAIL in K·6.3·10⁻⁵ of its reports.
 */
export const RUNS_PREREQUISITE_P = erfc(2 * Math.SQRT2);

/** The p-value of Runs that enters the decision (see RUNS_PREREQUISITE_P). */
export function runsDecisionPValue(p: number, prerequisiteFailed: boolean): number {
  return prerequisiteFailed ? RUNS_PREREQUISITE_P : Math.min(1, p + RUNS_PREREQUISITE_P);
}

/**
 * pass: not significant and nothing NIST's own rules flag; pass (chance): NIST's rules flag a p-value
 * or a series (p < α on one sequence; proportion outside its interval, or uniformity p < 0.0001 with
 * ≥ 55 sequences) but the family-wise decision says chance explains it; FAIL: significant at the
 * family-wise level; n/a: the test did not run.
 */
export type TestVerdict = 'pass' | 'pass (chance)' | 'FAIL' | 'n/a';

export interface TestDecision {
  test: NistTestName;
  verdict: TestVerdict;
  /** p-value series of the test with data (148 for the templates, 2 for CumulativeSums, …); 0: n/a. */
  series: number;
  /** Sequences on which the test ran (the most over its series). */
  sequences: number;
  /** The series with the smallest p-value, and its evidence; null when n/a. */
  worst: { label?: string; evidence: SeriesEvidence } | null;
  /** The test's p-value: min(1, series · the smallest series p-value) (Bonferroni over its series). */
  pValue: number | null;
  /** Holm-adjusted over the tests of the battery; FAIL when < familyAlpha. */
  adjustedPValue: number | null;
  /** Series that NIST's own second-level rules flag (SP 800-22 §4.2). */
  nistFlagged: number;
}

export interface DecisionOptions {
  /** Per-sequence significance level α (default SP 800-22's 0.01). */
  alpha?: number;
  /** Family-wise level (default FAMILY_ALPHA). */
  familyAlpha?: number;
  /** Whether NIST's uniformity p-value may enter (from 55 sequences); default true. False on short sequences. */
  uniformity?: boolean;
}

export interface Sp80022Decisions {
  /** Per-sequence significance level α (SP 800-22's 0.01). */
  alpha: number;
  /** Family-wise error rate over the tests of this battery. */
  familyAlpha: number;
  /** Whether the uniformity p-value could enter (sequences of ≥ UNIFORMITY_MIN_BITS). */
  uniformity: boolean;
  method: 'holm';
  /** Tests in the family (those that ran). */
  tests: number;
  /** One per test, NIST's order. */
  decisions: TestDecision[];
}

/**
 * The verdicts of one battery run (one source, K sequences), as a multiple test with a stated
 * family-wise error rate:
 * 1. each p-value series (test or sub-test) gives one p-value (seriesEvidence: the exact binomial tail of
 *    its failures, its Šidák-adjusted minimum, and from 55 sequences of ≥ 10⁶ bits the uniformity of its
 *    p-values, NIST's χ² with its exact tail);
 * 2. each test gives one p-value, Bonferroni over its series: the series of a test share the same bits
 *    (the 148 templates, the 8 + 18 excursion states, forward and reverse sums) and are correlated in ways
 *    with no closed form; Bonferroni stays valid under any correlation, at the price of being
 *    conservative when the series are strongly correlated (CumulativeSums' two directions);
 * 3. the tests' p-values are Holm-adjusted (holm.ts) and a test FAILs when its adjusted p-value is below
 *    familyAlpha. Holm controls the family-wise error rate under any dependence, and the 15 tests are
 *    dependent (Frequency, CumulativeSums and Runs all react to the balance of ones).
 * So a source whose per-sequence p-values are valid gets one or more FAILs in at most familyAlpha of its
 * reports, at every K. The rates measured on true RNG data (`npm run bench -- verdicts`) are in
 * docs/ARCHITECTURE.md.
 */
export function sp80022Decisions(perSequence: Sp80022Result[][], options: DecisionOptions = {}): Sp80022Decisions {
  const { alpha = 0.01, familyAlpha = FAMILY_ALPHA, uniformity = true } = options;
  const all = pValueSeries(perSequence);
  const partial = NIST_TEST_NAMES.map((test) => {
    const series = all.filter((s) => s.name === test);
    let worst: TestDecision['worst'] = null;
    let nistFlagged = 0;
    let sequences = 0;
    for (const s of series) {
      const pValues =
        test === 'Runs'
          ? s.pValues.map((p, i) => runsDecisionPValue(p, isPrerequisiteFailure(perSequence[s.sequences[i]])))
          : s.pValues;
      const row = summarize(test, s.label, s.pValues, alpha);
      if (!row.proportionOk || (row.uniformityOk === false && row.sequences >= UNIFORMITY_MIN_SEQUENCES)) nistFlagged++;
      const evidence = seriesEvidence(pValues, alpha, { uniformity });
      if (!worst || evidence.pValue < worst.evidence.pValue) worst = { label: s.label, evidence };
      sequences = Math.max(sequences, s.pValues.length);
    }
    const pValue = worst ? Math.min(1, series.length * worst.evidence.pValue) : null;
    return { test, series: series.length, sequences, worst, pValue, nistFlagged };
  });
  const ran = partial.filter((d) => d.pValue !== null);
  const adjusted = holm(ran.map((d) => d.pValue as number));
  const decisions = partial.map((d): TestDecision => {
    const i = ran.indexOf(d);
    const adjustedPValue = i >= 0 ? adjusted[i] : null;
    const verdict: TestVerdict =
      adjustedPValue === null
        ? 'n/a'
        : adjustedPValue < familyAlpha
          ? 'FAIL'
          : d.nistFlagged > 0
            ? 'pass (chance)'
            : 'pass';
    return { ...d, adjustedPValue, verdict };
  });
  return { alpha, familyAlpha, uniformity, method: 'holm', tests: ran.length, decisions };
}

function isPrerequisiteFailure(results: Sp80022Result[]): boolean {
  return results.find((r) => r.name === 'Runs')?.statistics.prerequisiteFailed === 1;
}
