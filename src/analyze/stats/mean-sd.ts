/**
 * Mean, variance and standard deviation of a short list of numbers (replicates, windows, null
 * draws). Sums run left to right in one pass each, so results do not depend on who calls them. For the
 * higher moments of a whole stream see `moments`.
 */

/** Arithmetic mean x̄ = Σx/n; 0 for an empty list. */
export function mean(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n === 0) return 0;
  let s = 0;
  for (let i = 0; i < n; i++) s += xs[i];
  return s / n;
}

function sumSquaredDeviations(xs: ArrayLike<number>, m: number): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i] - m) ** 2;
  return s;
}

/** Population variance Σ(x − x̄)²/n (pass x̄ when it is known); 0 for an empty list. */
export function populationVariance(xs: ArrayLike<number>, m = mean(xs)): number {
  return xs.length === 0 ? 0 : sumSquaredDeviations(xs, m) / xs.length;
}

/** Population standard deviation √(Σ(x − x̄)²/n); 0 for fewer than two values. */
export function populationSd(xs: ArrayLike<number>, m = mean(xs)): number {
  return xs.length < 2 ? 0 : Math.sqrt(populationVariance(xs, m));
}

/** Unbiased sample variance Σ(x − x̄)²/(n − 1); NaN for fewer than two values. */
export function sampleVariance(xs: ArrayLike<number>, m = mean(xs)): number {
  return xs.length < 2 ? Number.NaN : sumSquaredDeviations(xs, m) / (xs.length - 1);
}

/** Sample standard deviation √(Σ(x − x̄)²/(n − 1)); NaN for fewer than two values. */
export function sampleSd(xs: ArrayLike<number>, m = mean(xs)): number {
  return Math.sqrt(sampleVariance(xs, m));
}
