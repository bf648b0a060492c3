import { igamc } from '../math/special.js';
import { binomialUpper, sidak } from '../stats/distributions.js';
import { equiprobableChiSquareTail } from '../stats/equiprobable-chi-square.js';

/** SP 800-22 §4.2.2: the uniformity of the p-values is meaningful from 55 sequences on. */
export const UNIFORMITY_MIN_SEQUENCES = 55;

/**
 * The uniformity χ² assumes continuous p-values; on short sequences the tests' statistics are discrete
 * and their p-values pile up in some bins (Frequency on 1,000-bit sequences fails uniformity at p < 10⁻⁴
 * in 80 % of reports of K = 1,000 perfect sequences; on 10⁵ bits 2·10⁻⁴, about nominal). oe uses it only
 * on sequences of NIST's recommended length, 10⁶ bits, where it was calibrated.
 */
export const UNIFORMITY_MIN_BITS = 1_000_000;

/**
 * Below this value of NIST's χ² approximation, and when it is the smallest statistic of its series, the
 * uniformity p-value is computed exactly (equiprobable-chi-square.ts). Elsewhere the approximation is kept:
 * at or above 0.01 it decides nothing (the series' p-value is then at least 3 × 0.01 unless another
 * statistic is smaller, and verdicts are taken at 0.005); below 0.01 the exact tail is at least the
 * approximation (exact/approx 1.01–11 on 4,000 random histograms each at K = 55–300), so when another
 * statistic is already smaller the series' p-value is the same either way. Above 0.01 the two differ by
 * at most 7 % (K = 55) to 1 % (K = 300).
 */
export const UNIFORMITY_EXACT_BELOW = 0.01;

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
  /**
   * The uniformity p-value when it entered (K ≥ 55, sequences of ≥ 10⁶ bits), else null: the exact tail of
   * NIST's χ² over 10 bins (uniformityExact) when it could decide the series, else NIST's P-value_T.
   */
  uniformityPValue: number | null;
  /** Whether uniformityPValue is the exact multinomial tail (false: NIST's χ² approximation, or absent). */
  uniformityExact: boolean;
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
 *   (c) when `uniformity` allows it and from K ≥ 55 on (§4.2.2 asks for 55 sequences), the uniformity of
 *   the p-values: NIST's χ² over 10 bins, its p-value computed exactly (equiprobable-chi-square.ts) where it
 *   can decide, because P-value_T's χ²₉ approximation is several times too small in the tail at K = 55–300
 *   — each multiplied by the number of statistics used (Bonferroni, valid whatever their dependence).
 */
export function seriesEvidence(
  pValues: readonly number[],
  alpha: number,
  options: { uniformity?: boolean } = {},
): SeriesEvidence {
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
      uniformityExact: false,
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
  let uniformity: number | null = null;
  let uniformityExact = false;
  if (options.uniformity !== false && K >= UNIFORMITY_MIN_SEQUENCES) {
    const histogram = pValueHistogram(pValues);
    uniformity = igamc(9 / 2, chiSquareOfBins(histogram) / 2);
    // Exact where it can be the smallest statistic and small enough to matter (it is never below the approximation there).
    if (uniformity < UNIFORMITY_EXACT_BELOW && uniformity < Math.min(binomialPValue, minimumPValue)) {
      uniformity = equiprobableChiSquareTail(histogram);
      uniformityExact = true;
    }
    parts.push(['uniformity', uniformity]);
  }
  const [decidedBy, best] = parts.reduce((a, b) => (b[1] < a[1] ? b : a));
  return {
    sequences: K,
    failures,
    binomialPValue,
    minimum,
    minimumPValue,
    uniformityPValue: uniformity,
    uniformityExact,
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

/** Counts of p-values in the 10 bins [0, 0.1), …, [0.9, 1.0] of SP 800-22 §4.2.2 (p = 1 in the last, as STS). */
export function pValueHistogram(pValues: readonly number[]): number[] {
  const histogram = new Array<number>(10).fill(0);
  for (const p of pValues) histogram[Math.min(9, Math.max(0, Math.floor(p * 10)))]++;
  return histogram;
}

/** NIST's uniformity statistic χ² = Σ (F_i − K/10)²/(K/10) over the 10 bins (§4.2.2). */
export function chiSquareOfBins(histogram: readonly number[]): number {
  const K = histogram.reduce((a, b) => a + b, 0);
  const expected = K / histogram.length;
  let chi2 = 0;
  for (const f of histogram) chi2 += (f - expected) ** 2 / expected;
  return chi2;
}
