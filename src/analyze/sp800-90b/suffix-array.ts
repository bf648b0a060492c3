/**
 * Suffix array by SA-IS (Nong, Zhang & Chan 2009: induced sorting of LMS substrings, recursing on
 * the reduced string) over typed arrays, and the LCP array by Kasai et al. (2001). Linear time;
 * used for the t-Tuple and LRS estimates (SP 800-90B §6.3.5, §6.3.6) and the IID LRS test (§5.2.5).
 */

type Text = Uint8Array | Int32Array;

/** Suffix array of `s`, whose values lie in [0, upper]. */
export function suffixArray(s: Text, upper: number): Int32Array {
  const n = s.length;
  if (n === 0) return new Int32Array(0);
  if (n === 1) return Int32Array.of(0);
  if (n === 2) return s[0] < s[1] ? Int32Array.of(0, 1) : Int32Array.of(1, 0);
  const sa = new Int32Array(n);
  const ls = new Uint8Array(n);
  for (let i = n - 2; i >= 0; i--) ls[i] = s[i] === s[i + 1] ? ls[i + 1] : s[i] < s[i + 1] ? 1 : 0;
  const sumL = new Int32Array(upper + 2);
  const sumS = new Int32Array(upper + 2);
  for (let i = 0; i < n; i++) {
    if (!ls[i]) sumS[s[i]]++;
    else sumL[s[i] + 1]++;
  }
  for (let i = 0; i <= upper; i++) {
    sumS[i] += sumL[i];
    if (i < upper) sumL[i + 1] += sumS[i];
  }
  const buf = new Int32Array(upper + 2);
  const induce = (lms: Int32Array, count: number) => {
    sa.fill(-1);
    buf.set(sumS);
    for (let k = 0; k < count; k++) {
      const d = lms[k];
      if (d === n) continue;
      sa[buf[s[d]]++] = d;
    }
    buf.set(sumL);
    sa[buf[s[n - 1]]++] = n - 1;
    for (let i = 0; i < n; i++) {
      const v = sa[i];
      if (v >= 1 && !ls[v - 1]) sa[buf[s[v - 1]]++] = v - 1;
    }
    buf.set(sumL);
    for (let i = n - 1; i >= 0; i--) {
      const v = sa[i];
      if (v >= 1 && ls[v - 1]) sa[--buf[s[v - 1] + 1]] = v - 1;
    }
  };
  const lmsMap = new Int32Array(n + 1).fill(-1);
  let m = 0;
  for (let i = 1; i < n; i++) if (!ls[i - 1] && ls[i]) lmsMap[i] = m++;
  const lms = new Int32Array(m);
  for (let i = 1, k = 0; i < n; i++) if (!ls[i - 1] && ls[i]) lms[k++] = i;
  induce(lms, m);
  if (m > 0) {
    const sorted = new Int32Array(m);
    for (let i = 0, k = 0; i < n; i++) {
      const v = sa[i];
      if (v >= 0 && lmsMap[v] !== -1) sorted[k++] = v;
    }
    const rec = new Int32Array(m);
    let recUpper = 0;
    rec[lmsMap[sorted[0]]] = 0;
    for (let i = 1; i < m; i++) {
      let l = sorted[i - 1];
      let r = sorted[i];
      const endL = lmsMap[l] + 1 < m ? lms[lmsMap[l] + 1] : n;
      const endR = lmsMap[r] + 1 < m ? lms[lmsMap[r] + 1] : n;
      let same = true;
      if (endL - l !== endR - r) same = false;
      else {
        while (l < endL && s[l] === s[r]) {
          l++;
          r++;
        }
        if (l === n || s[l] !== s[r]) same = false;
      }
      if (!same) recUpper++;
      rec[lmsMap[sorted[i]]] = recUpper;
    }
    const recSa = suffixArray(rec, recUpper);
    for (let i = 0; i < m; i++) sorted[i] = lms[recSa[i]];
    induce(sorted, m);
  }
  return sa;
}

/**
 * lcp[i] = length of the longest common prefix of suffixes sa[i−1] and sa[i] (lcp[0] = 0), by the
 * Φ / permuted-LCP method (Kärkkäinen, Manzini & Puglisi 2009): the same amortised O(n) scan as
 * Kasai et al., in text order, which touches memory more sequentially.
 */
export function lcpArray(s: Text, sa: Int32Array): Int32Array {
  const n = s.length;
  const phi = new Int32Array(n);
  if (n === 0) return phi;
  phi[sa[0]] = -1;
  for (let k = 1; k < n; k++) phi[sa[k]] = sa[k - 1];
  // phi becomes PLCP in place: plcp[i] = lcp of suffix i with its predecessor in suffix order
  let h = 0;
  for (let i = 0; i < n; i++) {
    const j = phi[i];
    if (j === -1) {
      phi[i] = 0;
      h = 0;
      continue;
    }
    while (i + h < n && j + h < n && s[i + h] === s[j + h]) h++;
    phi[i] = h;
    if (h > 0) h--;
  }
  const lcp = new Int32Array(n);
  for (let k = 1; k < n; k++) lcp[k] = phi[sa[k]];
  return lcp;
}

/** Largest symbol value in `s` (the alphabet bound SA-IS needs). */
export function maxValue(s: Uint8Array): number {
  let m = 0;
  for (let i = 0; i < s.length; i++) if (s[i] > m) m = s[i];
  return m;
}
