import { chiSquarePValue } from '../math/special.js';
import { bonferroni, normalQuantileUpper, normalTwoSided } from './distributions.js';
import { inverseDftOfRealEven, nextPow2, realDft } from './fft.js';

export interface AutocorrelationResult {
  /** Samples used (the whole stream). */
  n: number;
  /** Largest lag computed: min(maxLag, ⌊n/4⌋), so every lag averages at least 3n/4 products. */
  maxLag: number;
  /** r_k for k = 1..maxLag (index k − 1). */
  r: Float64Array;
  maxAbs: number;
  maxAbsLag: number;
  /** |r_1| above which lag 1 is significant at family-wise α over all lags (Bonferroni); lag k uses z/√(n−k). */
  threshold: number;
  /** α used for `threshold` (family-wise over the maxLag lags). */
  alpha: number;
  /** Lags with |r_k| > threshold. */
  violations: number;
  /** Two-sided p-value of the most significant lag (largest |r_k|√(n−k)), Bonferroni-adjusted over maxLag lags. */
  maxPValue: number;
  /**
   * Ljung–Box portmanteau statistic Q = n(n+2) Σ_{k≤h} ρ̂_k²/(n−k), ρ̂_k = c_k/c_0 (Ljung & Box 1978), and its
   * χ²_h p-value, over h = min(maxLag, ⌊n/100⌋) lags (at least 1): the χ² approximation needs h ≪ n
   * (with h = n/4 it rejects i.i.d. data at n = 100 about 3× too often).
   */
  ljungBox: { q: number; df: number; pValue: number };
  /** The stream has zero variance: autocorrelation is undefined (all r_k reported as 0). */
  constant: boolean;
}

/**
 * Sample autocorrelation at lags 1..maxLag over the whole stream, by FFT (Wiener–Khinchin): the series is
 * centred, zero-padded to a power of two ≥ n + maxLag + 1 (so the circular correlation equals the linear one
 * at every lag computed),
 * c_k = Σ_{i<n−k} (x_i − x̄)(x_{i+k} − x̄) = IDFT(|DFT(x)|²)_k, and r_k = (c_k / (n − k)) / (c_0 / n)
 * (Box, Jenkins & Reinsel, Time Series Analysis, §2.1.4, with the unbiased lag normalisation).
 * Under H0 (i.i.d.), r_k ≈ N(0, 1/(n − k)), so lag k is significant when |r_k|·√(n−k) > z_{1−α/(2L)}
 * (Bonferroni over the L lags). The Ljung–Box Q (with the usual ρ̂_k = c_k/c_0) is χ²_L under H0.
 */
export function autocorrelation(x: ArrayLike<number>, maxLag = 1000, alpha = 0.01): AutocorrelationResult {
  const n = x.length;
  const L = Math.max(0, Math.min(maxLag, Math.floor(n / 4)));
  const r = new Float64Array(L);
  if (n < 3 || L === 0) {
    return {
      n,
      maxLag: L,
      r,
      maxAbs: 0,
      maxAbsLag: 0,
      threshold: Number.POSITIVE_INFINITY,
      alpha,
      violations: 0,
      maxPValue: 1,
      ljungBox: { q: 0, df: 0, pValue: 1 },
      constant: n > 0,
    };
  }
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const centred = new Float64Array(n);
  for (let i = 0; i < n; i++) centred[i] = x[i] - mean;
  const size = nextPow2(n + L + 1);
  const X = realDft(centred, size);
  const power = new Float64Array(size);
  for (let i = 0; i < size; i++) power[i] = X[2 * i] * X[2 * i] + X[2 * i + 1] * X[2 * i + 1];
  const c = inverseDftOfRealEven(power, L + 1);
  const c0 = c[0];
  // Variance below float rounding noise of the FFT: treat as constant.
  let sumSq = 0;
  for (let i = 0; i < n; i++) sumSq += centred[i] * centred[i];
  const constant = !(sumSq > 0) || sumSq <= 1e-12 * n * (Math.abs(mean) + 1) ** 2;
  const z = normalQuantileUpper(alpha / (2 * L));
  const threshold = z / Math.sqrt(n);
  let maxAbs = 0;
  let maxAbsLag = 0;
  let violations = 0;
  let maxZ = 0;
  let q = 0;
  const h = Math.max(1, Math.min(L, Math.floor(n / 100)));
  if (!constant) {
    for (let k = 1; k <= L; k++) {
      const rk = c[k] / (n - k) / (c0 / n);
      r[k - 1] = rk;
      const a = Math.abs(rk);
      const zk = a * Math.sqrt(n - k);
      if (zk > maxZ) {
        maxZ = zk;
      }
      if (a > maxAbs) {
        maxAbs = a;
        maxAbsLag = k;
      }
      if (zk > z) violations++;
      if (k <= h) {
        const rho = c[k] / c0;
        q += (rho * rho) / (n - k);
      }
    }
    q *= n * (n + 2);
  }
  return {
    n,
    maxLag: L,
    r,
    maxAbs,
    maxAbsLag,
    threshold,
    alpha,
    violations,
    maxPValue: constant ? 1 : bonferroni(normalTwoSided(maxZ), L),
    ljungBox: { q, df: h, pValue: constant ? 1 : chiSquarePValue(q, h) },
    constant,
  };
}
