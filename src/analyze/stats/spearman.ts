import { studentTTwoSided } from './distributions.js';

/** Ranks 1..n with ties given their average rank. */
export function averageRanks(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  const r = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && x[order[j + 1]] === x[order[i]]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k]] = avg;
    i = j + 1;
  }
  return r;
}

export interface SpearmanResult {
  n: number;
  /** Spearman's ρ: Pearson's r of the average ranks (handles ties). */
  rho: number;
  /** Two-sided p-value from t = ρ√((n−2)/(1−ρ²)) with n − 2 df (e.g. Zar, Biostatistical Analysis, §19.9). */
  pValue: number;
}

/** Spearman rank correlation with its t-approximation p-value; null when n < 4 or either side is constant. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): SpearmanResult | null {
  const n = Math.min(x.length, y.length);
  if (n < 4) return null;
  const rx = averageRanks(Array.from({ length: n }, (_, i) => x[i]));
  const ry = averageRanks(Array.from({ length: n }, (_, i) => y[i]));
  const m = (n + 1) / 2;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const a = rx[i] - m;
    const b = ry[i] - m;
    sxy += a * b;
    sxx += a * a;
    syy += b * b;
  }
  if (!(sxx > 0 && syy > 0)) return null;
  const rho = Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
  const t = Math.abs(rho) >= 1 ? Number.POSITIVE_INFINITY : rho * Math.sqrt((n - 2) / (1 - rho * rho));
  return { n, rho, pValue: studentTTwoSided(t, n - 2) };
}
