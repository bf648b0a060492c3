import { normalCdf } from '../math/special.js';
import { incompleteBeta, incompleteBetaUpper } from './incomplete-beta.js';

/**
 * Survival function of Snedecor's F distribution, P(F ≥ f) for (d1, d2) degrees of freedom:
 * I_{d2/(d2 + d1 f)}(d2/2, d1/2) (Abramowitz & Stegun 26.6.2).
 */
export function fSurvival(f: number, d1: number, d2: number): number {
  if (!(d1 > 0 && d2 > 0)) throw new RangeError(`fSurvival needs d1, d2 > 0, got ${d1}, ${d2}`);
  if (Number.isNaN(f)) return Number.NaN;
  if (f <= 0) return 1;
  if (f === Number.POSITIVE_INFINITY) return 0;
  return incompleteBeta(d2 / (d2 + d1 * f), d2 / 2, d1 / 2);
}

/**
 * Two-sided p-value of Student's t with `df` degrees of freedom, P(|T| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2)
 * (Abramowitz & Stegun 26.7.1).
 */
export function studentTTwoSided(t: number, df: number): number {
  if (!(df > 0)) throw new RangeError(`studentTTwoSided needs df > 0, got ${df}`);
  if (Number.isNaN(t)) return Number.NaN;
  if (!Number.isFinite(t)) return 0;
  return incompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Two-sided p-value of a standard normal statistic, P(|Z| ≥ |z|) = 2Φ(−|z|). */
export function normalTwoSided(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  return Math.min(1, 2 * normalCdf(-Math.abs(z)));
}

/** Upper-tail p-value of a standard normal statistic, P(Z ≥ z). */
export function normalUpper(z: number): number {
  return normalCdf(-z);
}

/**
 * Exact binomial tails through the incomplete beta (A&S 26.5.24): for X ~ Bin(n, p),
 * P(X ≥ k) = I_p(k, n − k + 1) and P(X ≤ k) = I_{1−p}(n − k, k + 1).
 */
export function binomialUpper(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  return incompleteBeta(p, k, n - k + 1);
}

export function binomialLower(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  return incompleteBetaUpper(p, k + 1, n - k);
}

/**
 * Two-sided exact binomial test of H0: P(success) = p, by doubling the smaller tail (the
 * "central" two-sided p-value), capped at 1.
 */
export function binomialTwoSided(k: number, n: number, p: number): number {
  if (n <= 0) return 1;
  return Math.min(1, 2 * Math.min(binomialUpper(k, n, p), binomialLower(k, n, p)));
}

/** Bonferroni-adjusted p-value for the smallest of m p-values. */
export function bonferroni(p: number, m: number): number {
  return Math.min(1, p * Math.max(1, m));
}

/** Šidák-adjusted p-value of the minimum of m independent p-values: 1 − (1 − p)^m, computed stably. */
export function sidak(p: number, m: number): number {
  if (p >= 1) return 1;
  return -Math.expm1(m * Math.log1p(-p));
}

/**
 * z with P(Z ≥ z) = p for the standard normal: Acklam's rational approximation refined by one Halley
 * step on erfc (relative error < 1e-15 over (0, 0.5]).
 */
export function normalQuantileUpper(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantileUpper needs 0 < p < 1, got ${p}`);
  return -normalQuantile(p);
}

/** Inverse standard normal CDF Φ⁻¹(p) (Acklam 2003, with a Halley refinement step). */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239,
  ];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const pLow = 0.02425;
  let x: number;
  if (p < pLow) {
    const q = Math.sqrt(-2 * Math.log(p));
    x =
      (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - pLow) {
    const q = p - 0.5;
    const rr = q * q;
    x =
      ((((((a[0] * rr + a[1]) * rr + a[2]) * rr + a[3]) * rr + a[4]) * rr + a[5]) * q) /
      (((((b[0] * rr + b[1]) * rr + b[2]) * rr + b[3]) * rr + b[4]) * rr + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    x =
      -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
      ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  // Halley step: e = Φ(x) − p.
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
