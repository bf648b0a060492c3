import { chiSquarePValue } from '../math/special.js';
import { bonferroni, normalQuantileUpper, normalTwoSided } from './distributions.js';
import { crossSpectrumInto, fftPlan, inverseDftOfRealEven, nextPow2, realDft } from './fft.js';

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
  const L = lagsFor(n, maxLag);
  if (n < 3 || L === 0) return autocorrelationOfSums(n, L, new Float64Array(L + 1), 0, alpha);
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
  // c_0 straight from the centred values (the constant check must not see the FFT's rounding).
  let sumSq = 0;
  for (let i = 0; i < n; i++) sumSq += centred[i] * centred[i];
  return autocorrelationOfSums(n, L, c, mean, alpha, sumSq);
}

/** Lags computed for n samples: min(maxLag, ⌊n/4⌋), so every lag averages at least 3n/4 products. */
export function lagsFor(n: number, maxLag: number): number {
  return Math.max(0, Math.min(maxLag, Math.floor(n / 4)));
}

/**
 * The result from the centred lag sums c_k = Σ_{i<n−k} (x_i − x̄)(x_{i+k} − x̄), k = 0..L (`sumSq`: c_0 summed
 * directly, used for the constant check).
 */
export function autocorrelationOfSums(
  n: number,
  L: number,
  c: Float64Array,
  mean: number,
  alpha: number,
  sumSq = c[0],
): AutocorrelationResult {
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
  const c0 = c[0];
  // Variance below float rounding noise of the FFT: treat as constant.
  const constant = !(sumSq > 0) || !(c0 > 0) || sumSq <= 1e-12 * n * (Math.abs(mean) + 1) ** 2;
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

/**
 * The lag sums of a streamed series, for autocorrelationOfSums without holding the series: values are
 * centred on a provisional mean m (that of the first block), and Σ y_i y_{i+k} (y = x − m, k = 0..L) is
 * summed block by block with an FFT of size N over each block of B = N − L values and the L that follow it
 * (Wiener–Khinchin on the block; the zero padding keeps it linear). At the end, with d = ȳ,
 * c_k = Σ y_i y_{i+k} − d(Σ_{i<n−k} y_i + Σ_{i≥k} y_i) + (n − k)d², from the first and last L values.
 * Memory: B + L values; cost O(log N) per value, against O(log n) for one FFT over the whole series.
 */
export class AutocorrelationAccumulator {
  private readonly L: number;
  private readonly N: number;
  private readonly B: number;
  private readonly buf: Float64Array;
  private count = 0;
  private m: number | null = null;
  private n = 0;
  private sumY = 0;
  private readonly sums: Float64Array;
  private readonly head: Float64Array;
  private headLen = 0;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly fa: Float64Array;
  private readonly fb: Float64Array;
  private readonly prod: Float64Array;
  private readonly out: Float64Array;

  /** `expectedN`: the series' length, known in advance (it fixes L = min(maxLag, ⌊n/4⌋)). */
  constructor(
    expectedN: number,
    private readonly maxLag = 1000,
    private readonly alpha = 0.01,
  ) {
    this.L = lagsFor(expectedN, maxLag);
    this.N = nextPow2(Math.max(64, 8 * (this.L + 1)));
    this.B = this.N - this.L;
    this.buf = new Float64Array(this.B + this.L);
    this.sums = new Float64Array(this.L + 1);
    this.head = new Float64Array(this.L);
    this.a = new Float64Array(this.N);
    this.b = new Float64Array(this.N);
    this.fa = new Float64Array(2 * this.N);
    this.fb = new Float64Array(2 * this.N);
    this.prod = new Float64Array(2 * this.N);
    this.out = new Float64Array(2 * this.N);
  }

  push(x: ArrayLike<number>): void {
    for (let i = 0; i < x.length; ) {
      const take = Math.min(this.buf.length - this.count, x.length - i);
      for (let k = 0; k < take; k++) this.buf[this.count + k] = x[i + k];
      this.count += take;
      i += take;
      if (this.count === this.buf.length) {
        this.block(this.B, this.count);
        this.buf.copyWithin(0, this.B, this.count);
        this.count -= this.B;
      }
    }
  }

  result(): AutocorrelationResult {
    // The last L values (before the rest is consumed), then the rest: blocks of at most B values.
    const tail = this.buf.slice(Math.max(0, this.count - this.L), this.count);
    while (this.count > 0) {
      const len = Math.min(this.B, this.count);
      this.block(len, this.count);
      this.buf.copyWithin(0, len, this.count);
      this.count -= len;
    }
    const n = this.n;
    const L = Math.min(this.L, lagsFor(n, this.maxLag));
    const m = this.m ?? 0;
    const d = n > 0 ? this.sumY / n : 0;
    // c_k from the sums and the Σ of the first k and last k centred values, k = 0..L.
    const c = new Float64Array(L + 1);
    let headSum = 0;
    let tailSum = 0;
    for (let k = 0; k <= L; k++) {
      if (k > 0) {
        headSum += this.head[k - 1];
        tailSum += tail[tail.length - k] - m;
      }
      c[k] = this.sums[k] - d * (this.sumY - tailSum + (this.sumY - headSum)) + (n - k) * d * d;
    }
    return autocorrelationOfSums(n, L, c, m + d, this.alpha);
  }

  /** Adds Σ_{i<len} y_i y_{i+k} over buf[0..avail) to the sums; buf[0..len) are values seen for the first time. */
  private block(len: number, avail: number): void {
    if (this.m === null) {
      let s = 0;
      for (let i = 0; i < avail; i++) s += this.buf[i];
      this.m = avail > 0 ? s / avail : 0;
    }
    const m = this.m;
    const { a, b, N, L } = this;
    a.fill(0);
    b.fill(0);
    for (let i = 0; i < len; i++) {
      const y = this.buf[i] - m;
      a[i] = y;
      this.sumY += y;
      if (this.headLen < L) this.head[this.headLen++] = y;
    }
    const reach = Math.min(avail, len + L);
    for (let i = 0; i < reach; i++) b[i] = this.buf[i] - m;
    this.n += len;
    const plan = fftPlan(N);
    plan.realTransform(this.fa, a);
    plan.completeSpectrum(this.fa);
    plan.realTransform(this.fb, b);
    plan.completeSpectrum(this.fb);
    plan.inverseTransform(this.out, crossSpectrumInto(this.prod, this.fa, this.fb));
    for (let k = 0; k <= L; k++) this.sums[k] += this.out[2 * k];
  }
}
