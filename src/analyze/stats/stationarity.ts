import { fSurvival } from './distributions.js';

export interface StationarityResult {
  /** Number of windows k (at least 10 unless the stream is too short). */
  windows: number;
  /** Samples per window (the last windows take the remainder: boundaries at ⌊i·n/k⌋). */
  windowMeans: number[];
  windowStdDevs: number[];
  /** One-way ANOVA F = [SSB/(k−1)] / [SSW/(n−k)]. */
  f: number;
  df1: number;
  df2: number;
  /** P(F_{k−1, n−k} ≥ F). */
  pValue: number;
  /** Applicable: k ≥ 2, n − k ≥ 1 and some within-window variation. */
  applicable: boolean;
  reason?: string;
}

/**
 * Stationarity of the mean as a one-way analysis of variance across k consecutive windows
 * (Fisher's F test; e.g. Montgomery, Design and Analysis of Experiments, §3.3):
 * SSB = Σ_w n_w (x̄_w − x̄)², SSW = Σ_w Σ_i (x_i − x̄_w)², F = [SSB/(k−1)] / [SSW/(n−k)] with
 * (k − 1, n − k) degrees of freedom. The p-value is exact for i.i.d. normal data and asymptotically valid
 * for i.i.d. data of finite variance; positive autocorrelation inflates F (it is then reported as
 * non-stationary, which is the conservative side for an entropy source).
 * `boundaries` (optional) gives window starts (ascending, first 0) for windows by time.
 */
export function stationarity(x: ArrayLike<number>, windows = 10, boundaries?: ArrayLike<number>): StationarityResult {
  const n = x.length;
  let starts: number[];
  if (boundaries) starts = Array.from(boundaries).filter((b, i, a) => b < n && (i === 0 || b > a[i - 1]));
  else {
    const k = Math.max(2, Math.min(windows, Math.floor(n / 2)));
    starts = Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
  }
  const k = starts.length;
  const notApplicable = (reason: string): StationarityResult => ({
    windows: k,
    windowMeans: [],
    windowStdDevs: [],
    f: 0,
    df1: Math.max(0, k - 1),
    df2: Math.max(0, n - k),
    pValue: 1,
    applicable: false,
    reason,
  });
  if (n < 4 || k < 2) return notApplicable(`needs at least 2 windows of 2 samples, got ${n} samples`);
  let grand = 0;
  for (let i = 0; i < n; i++) grand += x[i];
  grand /= n;
  const means: number[] = [];
  const stds: number[] = [];
  let ssb = 0;
  let ssw = 0;
  for (let w = 0; w < k; w++) {
    const a = starts[w];
    const b = w + 1 < k ? starts[w + 1] : n;
    const len = b - a;
    let m = 0;
    for (let i = a; i < b; i++) m += x[i];
    m /= len;
    let s = 0;
    for (let i = a; i < b; i++) s += (x[i] - m) ** 2;
    means.push(m);
    stds.push(len > 1 ? Math.sqrt(s / (len - 1)) : 0);
    ssb += len * (m - grand) ** 2;
    ssw += s;
  }
  const df1 = k - 1;
  const df2 = n - k;
  if (!(ssw > 0)) {
    // Constant windows: with differing levels the mean certainly moved (F = ∞); else nothing to test.
    if (ssb > 0)
      return {
        windows: k,
        windowMeans: means,
        windowStdDevs: stds,
        f: Number.POSITIVE_INFINITY,
        df1,
        df2,
        pValue: 0,
        applicable: true,
      };
    return { ...notApplicable('constant stream'), windowMeans: means, windowStdDevs: stds };
  }
  const f = ssb / df1 / (ssw / df2);
  return {
    windows: k,
    windowMeans: means,
    windowStdDevs: stds,
    f,
    df1,
    df2,
    pValue: fSurvival(f, df1, df2),
    applicable: true,
  };
}
