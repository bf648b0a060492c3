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

/** Count, mean, centred sums M_k = Σ(x − x̄)^k (k = 2, 3, 4), min and max of a part of a series. */
export interface MomentSums {
  n: number;
  mean: number;
  m2: number;
  m3: number;
  m4: number;
  min: number;
  max: number;
}

export const NO_MOMENTS: MomentSums = {
  n: 0,
  mean: 0,
  m2: 0,
  m3: 0,
  m4: 0,
  min: Number.POSITIVE_INFINITY,
  max: Number.NEGATIVE_INFINITY,
};

/** MomentSums of x[from..to) by two passes (the centred second pass avoids the cancellation of one-pass sums). */
export function momentSums(x: ArrayLike<number>, from = 0, to = x.length): MomentSums {
  const n = to - from;
  if (n <= 0) return NO_MOMENTS;
  let sum = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = from; i < to; i++) {
    const v = x[i];
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = sum / n;
  let m2 = 0;
  let m3 = 0;
  let m4 = 0;
  for (let i = from; i < to; i++) {
    const d = x[i] - mean;
    const d2 = d * d;
    m2 += d2;
    m3 += d2 * d;
    m4 += d2 * d2;
  }
  return { n, mean, m2, m3, m4, min, max };
}

/**
 * The MomentSums of two parts together (Pébay 2008, "Formulas for robust, one-pass parallel computation of
 * covariances and arbitrary-order statistical moments", Sandia SAND2008-6212, eqs. 2.1 and 3.1).
 */
export function mergeMomentSums(a: MomentSums, b: MomentSums): MomentSums {
  if (a.n === 0) return b;
  if (b.n === 0) return a;
  const na = a.n;
  const nb = b.n;
  const n = na + nb;
  const d = b.mean - a.mean;
  const d2 = d * d;
  return {
    n,
    mean: a.mean + (d * nb) / n,
    m2: a.m2 + b.m2 + (d2 * na * nb) / n,
    m3: a.m3 + b.m3 + (d2 * d * na * nb * (na - nb)) / (n * n) + (3 * d * (na * b.m2 - nb * a.m2)) / n,
    m4:
      a.m4 +
      b.m4 +
      (d2 * d2 * na * nb * (na * na - na * nb + nb * nb)) / (n * n * n) +
      (6 * d2 * (na * na * b.m2 + nb * nb * a.m2)) / (n * n) +
      (4 * d * (na * b.m3 - nb * a.m3)) / n,
    min: Math.min(a.min, b.min),
    max: Math.max(a.max, b.max),
  };
}

/** Mean, variance, skewness and excess kurtosis from MomentSums (Joanes & Gill 1998, g1 and g2). */
export function momentsOfSums(s: MomentSums): MomentsResult {
  const { n } = s;
  if (n === 0) return { n, mean: 0, variance: 0, std: 0, skewness: 0, excessKurtosis: 0, min: 0, max: 0 };
  const variance = n > 1 ? s.m2 / (n - 1) : 0;
  const m2 = s.m2 / n;
  const m3 = s.m3 / n;
  const m4 = s.m4 / n;
  const degenerate = !(m2 > 0);
  return {
    n,
    mean: s.mean,
    variance,
    std: Math.sqrt(variance),
    skewness: degenerate ? 0 : m3 / m2 ** 1.5,
    excessKurtosis: degenerate ? 0 : m4 / (m2 * m2) - 3,
    min: s.min,
    max: s.max,
  };
}

/** Mean, variance, skewness and excess kurtosis of a series in memory (two passes). */
export function moments(x: ArrayLike<number>): MomentsResult {
  return momentsOfSums(momentSums(x));
}

/** Size of the blocks a MomentsAccumulator sums by two passes before merging them. */
export const MOMENT_BLOCK = 4096;

/**
 * MomentSums of a streamed series: values are buffered into blocks of MOMENT_BLOCK, each block summed by two
 * passes and merged (Pébay). The blocks are fixed whatever the chunks pushed, so the sums do not depend on
 * how the stream was cut. Accumulators of consecutive (or any disjoint) parts merge.
 */
export class MomentsAccumulator {
  private sums: MomentSums = NO_MOMENTS;
  private readonly block = new Float64Array(MOMENT_BLOCK);
  private filled = 0;

  push(x: ArrayLike<number>, from = 0, to = x.length): void {
    for (let i = from; i < to; ) {
      const take = Math.min(MOMENT_BLOCK - this.filled, to - i);
      for (let k = 0; k < take; k++) this.block[this.filled + k] = x[i + k];
      this.filled += take;
      i += take;
      if (this.filled === MOMENT_BLOCK) this.flush();
    }
  }

  merge(other: MomentsAccumulator): void {
    this.flush();
    this.sums = mergeMomentSums(this.sums, other.result());
  }

  result(): MomentSums {
    this.flush();
    return this.sums;
  }

  private flush(): void {
    if (this.filled === 0) return;
    this.sums = mergeMomentSums(this.sums, momentSums(this.block, 0, this.filled));
    this.filled = 0;
  }
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
