import { lcpArray, maxValue, suffixArray } from './suffix-array.js';

/** Repetition counts of every tuple length, from one suffix array (SP 800-90B §6.3.5–§6.3.6). */
export interface TupleCounts {
  /** Number of symbols, L. */
  n: number;
  /** Length of the longest repeated substring, v (0 when nothing repeats). */
  v: number;
  /** Q[t], 1 ≤ t ≤ v: occurrences of the most common t-tuple (index 0 unused). */
  Q: Float64Array;
  /** S[t], 1 ≤ t ≤ v: Σ over distinct t-tuples of C(count, 2), the number of colliding pairs (index 0 unused). */
  S: Float64Array;
}

/**
 * Walks the LCP intervals of the suffix array: an interval of `size` suffixes with LCP ℓ whose
 * enclosing interval has LCP p is a tuple of every length t in (p, ℓ] occurring `size` times.
 * Q[t] is the largest such size with ℓ ≥ t; S[t] accumulates C(size, 2) over the intervals covering t.
 */
export function tupleCounts(symbols: Uint8Array): TupleCounts {
  const n = symbols.length;
  const sa = suffixArray(symbols, maxValue(symbols));
  const lcp = lcpArray(symbols, sa);
  let v = 0;
  for (let i = 1; i < n; i++) if (lcp[i] > v) v = lcp[i];
  const maxAt = new Float64Array(v + 2);
  const diff = new Float64Array(v + 2);
  // stack of (lcp, left boundary)
  const stL = new Int32Array(n + 1);
  const stB = new Int32Array(n + 1);
  let top = 0;
  stL[0] = 0;
  stB[0] = 0;
  for (let i = 1; i <= n; i++) {
    const cur = i < n ? lcp[i] : 0;
    let lb = i - 1;
    while (cur < stL[top]) {
      const l = stL[top];
      const b = stB[top];
      top--;
      const size = i - b;
      const parent = Math.max(cur, stL[top]);
      if (size > maxAt[l]) maxAt[l] = size;
      const pairs = (size * (size - 1)) / 2;
      diff[parent + 1] += pairs;
      diff[l + 1] -= pairs;
      lb = b;
    }
    if (cur > stL[top]) {
      top++;
      stL[top] = cur;
      stB[top] = lb;
    }
  }
  const Q = new Float64Array(v + 1);
  const S = new Float64Array(v + 1);
  let best = 1;
  for (let t = v; t >= 1; t--) {
    if (maxAt[t] > best) best = maxAt[t];
    Q[t] = best;
  }
  let acc = 0;
  for (let t = 1; t <= v; t++) {
    acc += diff[t];
    S[t] = acc;
  }
  return { n, v, Q, S };
}
