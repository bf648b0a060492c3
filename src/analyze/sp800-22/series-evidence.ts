import { binomialUpper, sidak } from '../stats/distributions.js';

/** SP 800-22 §4.2.2: the uniformity of the p-values is meaningful from 55 sequences on. */
export const UNIFORMITY_MIN_SEQUENCES = 55;

/**
 * The uniformity χ² assumes continuous p-values; on short sequences the tests' statistics are discrete
 * and their p-values pile up in some bins (Frequency on 1,000-bit sequences fails uniformity at p < 10⁻⁴
 * in 80 % of reports of K = 1,000 perfect sequences; on 10⁵ bits 2·10⁻⁴, about nominal). oe uses it only
 * on sequences of NIST's recommended length, 10⁶ bits, where it was calibrated.
 */
export const UNIFORMITY_MIN_BITS = 1_000_000;

/** Which statistic of a series gave its p-value. */
export type EvidenceKind = 'p-value' | 'binomial tail' | 'minimum p' | 'uniformity';

/** The evidence against randomness in one p-value series (a test or sub-test over K sequences). */
export interface SeriesEvidence {
  /** K: sequences on which the test ran. */
  sequences: number;
  /** X: sequences with p < α. */
  failures: number;
  /** P(Binomial(K, α) ≥ X), exact; null for K = 1. */
  binomialPValue: number | null;
  /** The smallest p-value, and 1 − (1 − p_min)^K (Šidák) for K ≥ 2. */
  minimum: number;
  minimumPValue: number;
  /** NIST's uniformity P-value_T (§4.2.2) when it entered (K ≥ 55), else null. */
  uniformityPValue: number | null;
  /** Number of statistics combined (Bonferroni). */
  components: number;
  /** The series' p-value: min(1, components · smallest component p-value). */
  pValue: number;
  decidedBy: EvidenceKind;
}

/**
 * One p-value for one series of K per-sequence p-values, valid (P(pValue ≤ t) ≤ t) when the per-sequence
 * p-values are independent and valid:
 * - K = 1: the p-value itself.
 * - K ≥ 2: the smallest of (a) the exact binomial tail of the number X of sequences with p < α,
 *   P(Bin(K, α) ≥ X) = I_α(X, K − X + 1) (A&S 26.5.24), the exact form of SP 800-22 §4.2.1's proportion
 *   rule, whose normal interval (1 − α) ± 3√(α(1 − α)/K) is far from its nominal level for small K (at
 *   K = 9 one failure, probability 1 − 0.99⁹ = 8.6 %, is outside it); (b) the smallest p-value over the
 *   K sequences, Šidák-adjusted, 1 − (1 − p_min)^K, which catches one grossly failing sequence among many;
 *   (c) from K ≥ 55 on, NIST's uniformity P-value_T (§4.2.2 asks for 55 sequences: below that its
 *   χ² approximation has too few p-values per bin to mean something) — each multiplied by the number of
 *   statistics used (Bonferroni, valid whatever their dependence).
 */
export function seriesEvidence(pValues: readonly number[], alpha: number, uniformityPValue?: number): SeriesEvidence {
  const K = pValues.length;
  if (K === 0) throw new RangeError('seriesEvidence needs at least one p-value');
  let failures = 0;
  let minimum = 1;
  for (const p of pValues) {
    if (p < alpha) failures++;
    if (p < minimum) minimum = p;
  }
  if (K === 1) {
    return {
      sequences: 1,
      failures,
      binomialPValue: null,
      minimum,
      minimumPValue: minimum,
      uniformityPValue: null,
      components: 1,
      pValue: minimum,
      decidedBy: 'p-value',
    };
  }
  const binomialPValue = binomialUpper(failures, K, alpha);
  const minimumPValue = sidak(minimum, K);
  const parts: [EvidenceKind, number][] = [
    ['binomial tail', binomialPValue],
    ['minimum p', minimumPValue],
  ];
  const uniformity = K >= UNIFORMITY_MIN_SEQUENCES && uniformityPValue !== undefined ? uniformityPValue : null;
  if (uniformity !== null) parts.push(['uniformity', uniformity]);
  const [decidedBy, best] = parts.reduce((a, b) => (b[1] < a[1] ? b : a));
  return {
    sequences: K,
    failures,
    binomialPValue,
    minimum,
    minimumPValue,
    uniformityPValue: uniformity,
    components: parts.length,
    pValue: Math.min(1, parts.length * best),
    decidedBy,
  };
}

/**
 * The smallest number of sequences with p < α, out of K ≥ 2, whose binomial tail alone gives a series
 * p-value below `level` (with the Bonferroni factor seriesEvidence applies at this K); null when even
 * K failures do not.
 */
export function failuresToReject(K: number, alpha: number, level: number): number | null {
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`failuresToReject needs K ≥ 2, got ${K}`);
  const components = K >= UNIFORMITY_MIN_SEQUENCES ? 3 : 2;
  for (let x = 1; x <= K; x++) if (components * binomialUpper(x, K, alpha) < level) return x;
  return null;
}
