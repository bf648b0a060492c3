export interface MutualInformationResult {
  /** Plug-in MI in bits, Σ p_xy log2(p_xy / (p_x p_y)). */
  plugIn: number;
  /**
   * Miller–Madow corrected MI in bits: each entropy gets + (K − 1)/(2n ln 2) with K its non-empty bins
   * (Miller 1955), so MI_MM = MI_plugin + (K_x + K_y − K_xy − 1)/(2n ln 2). Not floored: a negative value
   * says "no more dependence than the bias of the estimator".
   */
  millerMadow: number;
  /** G statistic of the independence test, G = 2n·ln 2·MI_plugin (≈ χ² with `df` under independence). */
  g: number;
  /** (K_x − 1)(K_y − 1), the degrees of freedom of G under independence of i.i.d. pairs. */
  df: number;
  bins: number;
  n: number;
}

/** Bins per axis for n pairs: the largest power of two ≤ 256 with bins² ≤ n/5 (≥ 5 expected per cell), at least 2. */
export function miBins(n: number): number {
  let b = 2;
  while (b < 256 && (2 * b) ** 2 <= n / 5) b *= 2;
  return b;
}

/** Two byte streams reduced to `bins` equal-width bins (top log2(bins) bits), x's bin pre-shifted to its row. */
export interface BinnedPair {
  bins: number;
  n: number;
  /** (x_i >> drop) << log2(bins): the row offset of x_i's bin in the joint table. */
  rows: Uint16Array;
  /** y_i >> drop: the column of y_i's bin. */
  cols: Uint8Array;
}

export function binPair(x: Uint8Array, y: Uint8Array, bins: number): BinnedPair {
  const n = Math.min(x.length, y.length);
  const drop = 8 - Math.log2(bins);
  if (!Number.isInteger(drop) || drop < 0) throw new RangeError(`bins must be a power of two ≤ 256, got ${bins}`);
  const logB = Math.log2(bins);
  const rows = new Uint16Array(n);
  const cols = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = (x[i] >> drop) << logB;
    cols[i] = y[i] >> drop;
  }
  return { bins, n, rows, cols };
}

/**
 * Mutual information between two byte streams at a circular offset: pairs (x_i, y_{(i+shift) mod n}) for
 * i < n, with each byte reduced to `bins` equal-width bins (its top log2(bins) bits). `joint` is scratch
 * space of 2·bins² counts (reused across calls to avoid allocation in the null loop).
 */
export function mutualInformation(
  x: Uint8Array,
  y: Uint8Array,
  bins: number,
  shift = 0,
  joint: Uint32Array = new Uint32Array(2 * bins * bins),
): MutualInformationResult {
  return binnedMutualInformation(binPair(x, y, bins), shift, joint);
}

/** mutualInformation of a pair binned once (binPair), for the many shifts of a null. */
export function binnedMutualInformation(
  p: BinnedPair,
  shift = 0,
  joint: Uint32Array = new Uint32Array(2 * p.bins * p.bins),
): MutualInformationResult {
  const { bins, n, rows, cols } = p;
  const cells = bins * bins;
  if (joint.length < 2 * cells) throw new RangeError(`joint needs ${2 * cells} counts, has ${joint.length}`);
  joint.fill(0, 0, 2 * cells);
  const s = n > 0 ? ((shift % n) + n) % n : 0;
  // Two runs instead of a wrap test per pair: i < n − s pairs with y[i + s], the rest with y[i + s − n].
  // Even and odd pairs count into two tables (summed after): a run of equal cells does not wait on its
  // own previous increment.
  const split = n - s;
  let i = 0;
  for (; i + 1 < split; i += 2) {
    joint[rows[i] | cols[i + s]]++;
    joint[cells + (rows[i + 1] | cols[i + 1 + s])]++;
  }
  for (; i < split; i++) joint[rows[i] | cols[i + s]]++;
  for (; i < n; i++) joint[rows[i] | cols[i + s - n]]++;
  for (let c = 0; c < cells; c++) joint[c] += joint[cells + c];
  const px = new Float64Array(bins);
  const py = new Float64Array(bins);
  let kxy = 0;
  for (let a = 0; a < bins; a++)
    for (let b = 0; b < bins; b++) {
      const c = joint[a * bins + b];
      if (c > 0) {
        kxy++;
        px[a] += c;
        py[b] += c;
      }
    }
  let kx = 0;
  let ky = 0;
  for (let a = 0; a < bins; a++) {
    if (px[a] > 0) kx++;
    if (py[a] > 0) ky++;
  }
  let mi = 0;
  for (let a = 0; a < bins; a++) {
    if (px[a] === 0) continue;
    for (let b = 0; b < bins; b++) {
      const c = joint[a * bins + b];
      if (c > 0) mi += c * Math.log((c * n) / (px[a] * py[b]));
    }
  }
  mi = n > 0 ? Math.max(0, mi / n) : 0; // nats
  const plugIn = mi / Math.LN2;
  return {
    plugIn,
    millerMadow: n > 0 ? plugIn + (kx + ky - kxy - 1) / (2 * n * Math.LN2) : 0,
    g: 2 * n * mi,
    df: Math.max(0, (kx - 1) * (ky - 1)),
    bins,
    n,
  };
}
