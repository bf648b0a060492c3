import { betaQuantile } from './incomplete-beta.js';

/**
 * Clopper–Pearson ("exact") confidence interval for a binomial proportion from x successes in n trials
 * (Clopper & Pearson 1934, Biometrika 26:404–413): lower = the a/2 quantile of Beta(x, n − x + 1) (0 when
 * x = 0), upper = the 1 − a/2 quantile of Beta(x + 1, n − x) (1 when x = n), a = 1 − confidence. Its
 * coverage is at least the confidence level for every true proportion.
 */
export function clopperPearson(x: number, n: number, confidence = 0.95): [number, number] {
  if (!Number.isInteger(x) || !Number.isInteger(n) || n < 1 || x < 0 || x > n)
    throw new RangeError(`clopperPearson needs integers 0 ≤ x ≤ n, n ≥ 1, got ${x}, ${n}`);
  const a = 1 - confidence;
  const lower = x === 0 ? 0 : betaQuantile(a / 2, x, n - x + 1);
  const upper = x === n ? 1 : betaQuantile(1 - a / 2, x + 1, n - x);
  return [lower, upper];
}
