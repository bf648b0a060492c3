export interface MomentsResult {
  n: number;
  mean: number;
  /** Unbiased sample variance Σ(x − x̄)² / (n − 1). */
  variance: number;
  std: number;
  /** Sample skewness g1 = m3 / m2^{3/2} (population moments m_k). */
  skewness: number;
  /** Sample excess kurtosis g2 = m4 / m2² − 3. */
  excessKurtosis: number;
  min: number;
  max: number;
}

/**
 * Mean, variance, skewness and excess kurtosis by two passes (the centred second pass avoids the
 * cancellation of the one-pass sums). Definitions as in Joanes & Gill (1998), g1 and g2.
 */
export function moments(x: ArrayLike<number>): MomentsResult {
  const n = x.length;
  if (n === 0) return { n, mean: 0, variance: 0, std: 0, skewness: 0, excessKurtosis: 0, min: 0, max: 0 };
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const v = x[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  const variance = n > 1 ? m2 / (n - 1) : 0;
  m2 /= n;
  m3 /= n;
  m4 /= n;
  const degenerate = !(m2 > 0);
  return {
    n,
    mean,
    variance,
    std: Math.sqrt(variance),
    skewness: degenerate ? 0 : m3 / m2 ** 1.5,
    excessKurtosis: degenerate ? 0 : m4 / (m2 * m2) - 3,
    min,
    max,
  };
}

/**
 * Moments of the discrete uniform distribution on 0..k−1: mean (k−1)/2, variance (k²−1)/12,
 * skewness 0, excess kurtosis −6(k²+1)/(5(k²−1)). For bytes (k = 256): 127.5, 5461.25, 0, −1.2000366.
 */
export function discreteUniformMoments(k = 256): {
  mean: number;
  variance: number;
  skewness: number;
  excessKurtosis: number;
} {
  return {
    mean: (k - 1) / 2,
    variance: (k * k - 1) / 12,
    skewness: 0,
    excessKurtosis: (-6 * (k * k + 1)) / (5 * (k * k - 1)),
  };
}
