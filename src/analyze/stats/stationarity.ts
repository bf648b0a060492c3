import { fSurvival } from './distributions.js';
import { type MomentSums, MomentsAccumulator, mergeMomentSums, momentSums, NO_MOMENTS } from './moments.js';

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
  else starts = windowStarts(n, windows);
  return stationarityOfWindows(starts.map((a, w) => momentSums(x, a, w + 1 < starts.length ? starts[w + 1] : n)));
}

/** Window starts ⌊i·n/k⌋ for k = max(2, min(windows, ⌊n/2⌋)) windows. */
export function windowStarts(n: number, windows: number): number[] {
  const k = Math.max(2, Math.min(windows, Math.floor(n / 2)));
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

/**
 * The stationarity test of a streamed series whose length n is known in advance (the windows are
 * ⌊i·n/k⌋…): each window's MomentSums, accumulated as the values pass. Should the stream be longer than
 * announced, the last window takes the rest. `moments()` gives the whole series' sums (the windows
 * partition it).
 */
export class StationarityAccumulator {
  private readonly starts: number[];
  private readonly done: MomentSums[] = [];
  private current = new MomentsAccumulator();
  private seen = 0;

  constructor(expectedN: number, windows = 10) {
    this.starts = windowStarts(expectedN, windows);
  }

  push(x: ArrayLike<number>): void {
    let i = 0;
    while (i < x.length) {
      const w = this.done.length;
      const end = w + 1 < this.starts.length ? this.starts[w + 1] : Number.POSITIVE_INFINITY;
      const take = Math.min(x.length - i, end - this.seen);
      this.current.push(x, i, i + take);
      i += take;
      this.seen += take;
      if (this.seen === end) {
        this.done.push(this.current.result());
        this.current = new MomentsAccumulator();
      }
    }
  }

  private windows(): MomentSums[] {
    const last = this.current.result();
    return last.n > 0 ? [...this.done, last] : this.done;
  }

  result(): StationarityResult {
    return stationarityOfWindows(this.windows().filter((w) => w.n > 0));
  }

  /** The whole series' MomentSums (the merged windows). */
  moments(): MomentSums {
    return this.windows().reduce(mergeMomentSums, NO_MOMENTS);
  }
}

/** The one-way ANOVA F test over consecutive windows, from each window's MomentSums. */
export function stationarityOfWindows(windows: readonly MomentSums[]): StationarityResult {
  const k = windows.length;
  let n = 0;
  let grand = 0;
  for (const w of windows) {
    n += w.n;
    grand += w.n * w.mean;
  }
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
  grand /= n;
  const means = windows.map((w) => w.mean);
  const stds = windows.map((w) => (w.n > 1 ? Math.sqrt(w.m2 / (w.n - 1)) : 0));
  let ssb = 0;
  let ssw = 0;
  // Equal window means leave SSB at 0 (the grand mean may differ from them in the last bit).
  const moved = means.some((m) => m !== means[0]);
  for (const w of windows) {
    if (moved) ssb += w.n * (w.mean - grand) ** 2;
    ssw += w.m2;
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
