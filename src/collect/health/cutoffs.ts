/**
 * Cutoffs of the SP 800-90B §4.4 continuous health tests.
 *
 * alpha is the false-positive probability per test decision. SP 800-90B §4.4 recommends
 * 2^-20 <= alpha <= 2^-40; oe's default is 2^-30 (the value jitterentropy uses for its intermittent
 * alarm): at ~10^6 samples/s per source a false alarm every ~18 minutes with 2^-20 would be a nuisance,
 * at 2^-30 it is about once in 12 days of continuous sampling, and a stuck source is still caught
 * within a few dozen samples.
 */

/** oe's default false-positive probability for the RCT and the APT: 2^-30. */
export const DEFAULT_ALPHA = 2 ** -30;

/** APT window for non-binary samples (SP 800-90B §4.4.2). */
export const APT_WINDOW = 512;
/** APT window for binary samples (SP 800-90B §4.4.2). */
export const APT_WINDOW_BINARY = 1024;

function checkAlpha(alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
}
function checkH(h: number): void {
  if (!(h > 0 && h <= 64)) throw new RangeError(`H must be in (0, 64] bits per sample, got ${h}`);
}

/**
 * Repetition Count Test cutoff, SP 800-90B §4.4.1: C = 1 + ceil(-log2(alpha) / H).
 * A run of C identical consecutive samples is a failure. (The quotient is nudged down by 1e-9
 * before ceil so that e.g. 20 / 0.1 = 200.00000000000003 gives 201, not 202.)
 */
export function rctCutoff(h: number, alpha: number = DEFAULT_ALPHA): number {
  checkH(h);
  checkAlpha(alpha);
  return 1 + Math.ceil(-Math.log2(alpha) / h - 1e-9);
}

let lnFactCache: Float64Array = new Float64Array([0]);
function lnFact(n: number): number {
  if (n >= lnFactCache.length) {
    const next = new Float64Array(Math.max(n + 1, lnFactCache.length * 2));
    next.set(lnFactCache);
    for (let i = lnFactCache.length; i < next.length; i++) next[i] = next[i - 1] + Math.log(i);
    lnFactCache = next;
  }
  return lnFactCache[n];
}

/** ln P(X = k) for X ~ Binomial(n, p), 0 < p < 1. */
function lnBinomPmf(n: number, p: number, k: number): number {
  return lnFact(n) - lnFact(k) - lnFact(n - k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/**
 * P(X > k) for X ~ Binomial(n, p), summed from the top in log space so that tails far below
 * double-precision epsilon (alpha = 2^-60) stay exact to relative precision.
 */
export function binomialSurvival(n: number, p: number, k: number): number {
  if (k < 0) return 1;
  if (k >= n) return 0;
  if (p <= 0) return 0;
  if (p >= 1) return 1;
  let maxLn = Number.NEGATIVE_INFINITY;
  const terms: number[] = [];
  for (let j = k + 1; j <= n; j++) {
    const t = lnBinomPmf(n, p, j);
    terms.push(t);
    if (t > maxLn) maxLn = t;
  }
  let s = 0;
  for (const t of terms) s += Math.exp(t - maxLn);
  return Math.min(1, Math.exp(maxLn) * s);
}

/**
 * Excel's CRITBINOM(n, p, 1 - alpha) as SP 800-90B §4.4.2 uses it: the smallest k such that the
 * binomial CDF P(X <= k) >= 1 - alpha, computed as the smallest k with P(X > k) <= alpha.
 */
export function critBinom(n: number, p: number, alpha: number): number {
  checkAlpha(alpha);
  if (!(p > 0 && p < 1)) throw new RangeError(`p must be in (0, 1), got ${p}`);
  // P(X > k) decreases in k: binary search over 0..n.
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (binomialSurvival(n, p, mid) <= alpha) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** How the APT cutoff is derived from the binomial quantile. */
export type AptCutoffForm = 'sp800-90b' | 'corrected';

/**
 * Adaptive Proportion Test cutoff, SP 800-90B §4.4.2.
 * - `sp800-90b` (default, the standard's text): C = 1 + CRITBINOM(W, 2^-H, 1 - alpha).
 * - `corrected`: C = 2 + CRITBINOM(W - 1, 2^-H, 1 - alpha), capped at W, the form from Joshua Hill's
 *   public comments on 90B that jitterentropy uses: the first sample of a window is the reference and
 *   is always present, so only the other W - 1 samples are random.
 * A window in which the reference value occurs C or more times is a failure.
 */
export function aptCutoff(
  h: number,
  alpha: number = DEFAULT_ALPHA,
  window: number = APT_WINDOW,
  form: AptCutoffForm = 'sp800-90b',
): number {
  checkH(h);
  checkAlpha(alpha);
  const p = 2 ** -h;
  if (p >= 1) return window;
  if (form === 'corrected') return Math.min(window, 2 + critBinom(window - 1, p, alpha));
  return Math.min(window, 1 + critBinom(window, p, alpha));
}
