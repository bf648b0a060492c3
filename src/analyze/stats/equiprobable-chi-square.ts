/**
 * X² beyond which the tail is not resolved: a statistic at or above it gets P(X² ≥ cap), an upper bound
 * (with 10 cells at most 1.5·10⁻¹⁰, at K = 55, and smaller for larger K; far below any level an SP 800-22
 * decision uses, the smallest being 0.0025/(3·148·15) = 3.8·10⁻⁷).
 */
export const CHI_SQUARE_CAP = 80;

/** Probability mass below this is not followed; it is counted as lying in the upper tail (conservative). */
const NEGLIGIBLE = 1e-25;

interface TailTable {
  /** tail[s] = P(S ≥ s) for s = 0…cap, S = Σ (F_i − m)², m = ⌊K/k⌋; tail[cap] is P(S ≥ cap). */
  tail: Float64Array;
  cap: number;
}

const tables = new Map<string, TailTable>();
const MAX_TABLES = 16;

/**
 * Exact upper tail of Pearson's statistic X² = Σ (F_i − K/k)² / (K/k) for K observations falling
 * independently into k equally likely cells: P(X² ≥ x²) with x² the value of `counts`. SP 800-22 §4.2.2's
 * uniformity P-value_T refers the same X² (k = 10 bins of p-values) to χ²_{k−1}, which is far too small in
 * the tail where oe's decisions are taken: for K = 55, P(χ²₉ ≥ x²) = 10⁻⁶ where the exact tail is
 * 4.4·10⁻⁶, 10⁻⁷ where it is 7.7·10⁻⁷ (K = 100: 2.5× and 4.3×; K = 300: 1.5× and 1.9×) — the sparse-
 * multinomial problem of the χ² approximation (Koehler and Larntz 1980, JASA 75:336–344).
 *
 * Computed by splitting the multinomial into a chain of binomials (F_1 ~ Bin(K, 1/k), F_2 | F_1 ~
 * Bin(K − F_1, 1/(k − 1)), …) and stepping the joint distribution of (observations left, S) cell by cell,
 * where S = Σ (F_i − m)², m = ⌊K/k⌋, is an integer with X² = (k·S − (K − k·m)²)/K, and no partial sum of
 * non-negative terms exceeds the final one, so S is followed only up to the observed value (everything
 * beyond it is the tail). Mass below 10⁻²⁵ per state is not followed and counted in the tail, and
 * statistics beyond CHI_SQUARE_CAP get the tail at the cap: both only make the result larger (a valid
 * p-value). Tables are cached per (k, K).
 */
export function equiprobableChiSquareTail(counts: ArrayLike<number>): number {
  const k = counts.length;
  let K = 0;
  for (let i = 0; i < k; i++) {
    const c = counts[i];
    if (!Number.isInteger(c) || c < 0) throw new RangeError(`counts must be non-negative integers, got ${c}`);
    K += c;
  }
  if (k < 2 || K === 0) return 1;
  const m = Math.floor(K / k);
  let s = 0;
  for (let i = 0; i < k; i++) s += (counts[i] - m) ** 2;
  const j = K - k * m;
  const maxCap = Math.ceil((K * CHI_SQUARE_CAP + j * j) / k);
  const key = `${k},${K}`;
  let table = tables.get(key);
  if (!table || (s > table.cap && table.cap < maxCap)) {
    // Grow geometrically so that a run of larger statistics recomputes a few times, not once each.
    const cap = Math.min(maxCap, Math.max(s, table ? 2 * table.cap : s));
    table = { tail: tailTable(k, K, m, cap), cap };
    tables.delete(key);
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value as string);
  }
  tables.set(key, table);
  return Math.min(1, table.tail[Math.min(s, table.cap)]);
}

/**
 * tail[s] = P(S ≥ s), s ≤ cap (S followed exactly below cap, lumped at cap). See equiprobableChiSquareTail.
 * One numeric algorithm (the cell-by-cell dynamic programme), kept in one body so its loops stay inline.
 */
function tailTable(k: number, K: number, m: number, cap: number): Float64Array {
  const logFactorial = new Float64Array(K + 1);
  for (let n = 2; n <= K; n++) logFactorial[n] = logFactorial[n - 1] + Math.log(n);
  // rows[r]: distribution of S over 0…cap with r observations left for the remaining cells (null: no mass).
  let rows: (Float64Array | null)[] = new Array(K + 1).fill(null);
  rows[K] = new Float64Array(cap + 1);
  (rows[K] as Float64Array)[0] = 1;
  let lost = 0;
  const final = new Float64Array(cap + 1);
  const suffix = new Float64Array(cap + 2);
  const pmf = new Float64Array(K + 1);
  for (let cell = 0; cell < k; cell++) {
    const last = cell === k - 1;
    const next: (Float64Array | null)[] = last ? [] : new Array(K + 1).fill(null);
    const q = 1 / (k - cell);
    const odds = q / (1 - q);
    for (let r = 0; r <= K; r++) {
      const row = rows[r];
      if (!row) continue;
      suffix[cap + 1] = 0;
      for (let t = cap; t >= 0; t--) suffix[t] = suffix[t + 1] + row[t];
      const mass = suffix[0];
      let lo = 0;
      while (lo < cap && row[lo] === 0) lo++;
      let hi = cap;
      while (hi > lo && row[hi] === 0) hi--;
      // Bin(r, q) from its mode outwards by the ratio pmf(f + 1)/pmf(f) = (r − f)/(f + 1) · q/(1 − q)
      let fLo = r;
      let fHi = r;
      if (last) pmf[r] = 1;
      else {
        const mode = Math.min(r, Math.floor((r + 1) * q));
        pmf[mode] = Math.exp(
          logFactorial[r] -
            logFactorial[mode] -
            logFactorial[r - mode] +
            mode * Math.log(q) +
            (r - mode) * Math.log1p(-q),
        );
        fLo = mode;
        fHi = mode;
        for (let f = mode; f > 0; f--) {
          pmf[f - 1] = (pmf[f] * f) / ((r - f + 1) * odds);
          if (pmf[f - 1] * mass < NEGLIGIBLE) {
            let p = pmf[f - 1];
            let rest = p;
            for (let g = f - 1; g > 0 && p > 0; g--) {
              p = (p * g) / ((r - g + 1) * odds);
              rest += p;
            }
            lost += rest * mass;
            break;
          }
          fLo = f - 1;
        }
        for (let f = mode; f < r; f++) {
          pmf[f + 1] = (pmf[f] * (r - f) * odds) / (f + 1);
          if (pmf[f + 1] * mass < NEGLIGIBLE) {
            let p = pmf[f + 1];
            let rest = p;
            for (let g = f + 1; g < r && p > 0; g++) {
              p = (p * (r - g) * odds) / (g + 1);
              rest += p;
            }
            lost += rest * mass;
            break;
          }
          fHi = f + 1;
        }
      }
      for (let f = fLo; f <= fHi; f++) {
        const pf = pmf[f];
        let target = final;
        if (!last) {
          const t = next[r - f] ?? new Float64Array(cap + 1);
          next[r - f] = t;
          target = t;
        }
        const sq = (f - m) * (f - m);
        if (sq >= cap) {
          target[cap] += pf * mass;
          continue;
        }
        const top = Math.min(hi, cap - sq - 1);
        for (let t = lo; t <= top; t++) target[t + sq] += pf * row[t];
        target[cap] += pf * suffix[Math.max(lo, cap - sq)];
      }
    }
    rows = next;
  }
  const tail = new Float64Array(cap + 1);
  let acc = lost;
  for (let s = cap; s >= 0; s--) {
    acc += final[s];
    tail[s] = acc;
  }
  return tail;
}
