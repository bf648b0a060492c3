import { igamc } from '../math/special.js';

/**
 * Pearson χ² of N blocks counted into K + 1 classes against the class probabilities π:
 * χ² = Σ_{i=0..K} (ν_i − Nπ_i)² / (Nπ_i), p = igamc(K/2, χ²/2). The closing step of the longest-run
 * (SP 800-22 Rev. 1a §2.4.4), overlapping-template (§2.8.4), linear-complexity (§2.10.4) and
 * random-excursions (§2.14.4, per state) tests.
 */
export function classChiSquare(
  nu: ArrayLike<number>,
  pi: ArrayLike<number>,
  N: number,
): { chi2: number; pValue: number } {
  const K = nu.length - 1;
  let chi2 = 0;
  for (let i = 0; i <= K; i++) chi2 += (nu[i] - N * pi[i]) ** 2 / (N * pi[i]);
  return { chi2, pValue: igamc(K / 2, chi2 / 2) };
}
