import { igamc } from '../math/special.js';

/** A chi-square statistic with its degrees of freedom and p-value (SP 800-90B §5.2). */
export interface ChiSquareResult {
  T: number;
  df: number;
  pValue: number;
}

/** p-value of a chi-square statistic: Q(df/2, T/2). */
function pValue(T: number, df: number): number {
  return igamc(df / 2, T / 2);
}

/** Symbol proportions accumulated as the reference tool does (adding 1/n per occurrence). */
function proportions(data: Uint8Array, k: number): Float64Array {
  const p = new Float64Array(k);
  const inc = 1 / data.length;
  for (let i = 0; i < data.length; i++) p[data[i]] += inc;
  return p;
}

interface Cell {
  tuple: number;
  expectation: number;
  bin: number;
}

/**
 * Bins cells (sorted by expectation, then tuple) so that every bin expects at least 5; a last bin
 * expecting less than 5 is merged into the one before. Returns the bins' expectations.
 */
function allocateBins(cells: Cell[]): number[] {
  const bins: number[] = [];
  let cur = 0;
  let bin = 0;
  for (const c of cells) {
    if (cur >= 5) {
      bins.push(cur);
      bin++;
      cur = 0;
    }
    c.bin = bin;
    cur += c.expectation;
  }
  if (bin !== 0 && cur < 5) {
    for (let i = cells.length - 1; i >= 0 && cells[i].bin === bin; i--) cells[i].bin = bin - 1;
    bins[bin - 1] += cur;
  } else bins.push(cur);
  return bins;
}

function byExpectation(a: Cell, b: Cell): number {
  return a.expectation !== b.expectation ? a.expectation - b.expectation : a.tuple - b.tuple;
}

function statistic(expected: number[], observed: Int32Array): number {
  let T = 0;
  for (let i = 0; i < expected.length; i++) T += (observed[i] - expected[i]) ** 2 / expected[i];
  return T;
}

/**
 * Chi-square test of independence, SP 800-90B §5.2.1 (non-binary: pairs of consecutive symbols,
 * expected p_i p_j ⌊L/2⌋, bins of expectation ≥ 5, df = bins − k) and §5.2.3 (binary: m-bit tuples,
 * m ≤ 11 the largest with p_min^m ⌊L/m⌋ ≥ 5, df = 2^m − 2).
 */
export function chiSquareIndependence(data: Uint8Array, k: number): ChiSquareResult {
  const n = data.length;
  if (k === 2) {
    let p1 = 0;
    for (let i = 0; i < n; i++) p1 += data[i];
    p1 /= n;
    const p0 = 1 - p1;
    const minP = Math.min(p0, p1);
    let m = 11;
    while (m > 1) {
      if (minP ** m * Math.floor(n / m) >= 5) break;
      m--;
    }
    if (m < 2) return { T: 0, df: 0, pValue: pValue(0, 0) };
    const occ = new Int32Array(1 << m);
    const blocks = Math.floor(n / m);
    for (let i = 0; i < blocks; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s = (s << 1) | data[i * m + j];
      occ[s]++;
    }
    let T = 0;
    for (let i = 0; i < occ.length; i++) {
      let w = 0;
      for (let b = i; b; b >>= 1) w += b & 1;
      const e = p1 ** w * p0 ** (m - w) * blocks;
      T += (occ[i] - e) ** 2 / e;
    }
    const df = 2 ** m - 2;
    return { T, df, pValue: pValue(T, df) };
  }
  const p = proportions(data, k);
  const half = Math.floor(n * 0.5);
  const cells: Cell[] = [];
  for (let i = 0; i < k; i++)
    for (let j = 0; j < k; j++) cells.push({ tuple: i * k + j, expectation: p[i] * p[j] * half, bin: -1 });
  const sorted = [...cells].sort(byExpectation);
  const bins = allocateBins(sorted);
  const observed = new Int32Array(bins.length);
  for (let j = 0; j + 1 < n; j += 2) observed[cells[data[j] * k + data[j + 1]].bin]++;
  const T = statistic(bins, observed);
  const df = bins.length - k;
  return { T, df, pValue: pValue(T, df) };
}

/**
 * Chi-square goodness-of-fit test, SP 800-90B §5.2.2 (non-binary: ten equal parts against the
 * whole-sequence proportions, df = 9·(bins − 1)) and §5.2.4 (binary: ten parts, df = 9).
 */
export function chiSquareGoodnessOfFit(data: Uint8Array, k: number): ChiSquareResult {
  const n = data.length;
  const sub = Math.floor(n / 10);
  if (k === 2) {
    let ones = 0;
    for (let i = 0; i < n; i++) ones += data[i];
    const p = ones / n;
    const e0 = (1 - p) * sub;
    const e1 = p * sub;
    let T = 0;
    for (let i = 0; i < 10; i++) {
      let o1 = 0;
      for (let j = 0; j < sub; j++) o1 += data[i * sub + j];
      const o0 = sub - o1;
      T += (o0 - e0) ** 2 / e0 + (o1 - e1) ** 2 / e1;
    }
    return { T, df: 9, pValue: pValue(T, 9) };
  }
  const p = proportions(data, k);
  const tenth = Math.floor(n / 10);
  const cells: Cell[] = Array.from({ length: k }, (_, j) => ({ tuple: j, expectation: p[j] * tenth, bin: -1 }));
  const bins = allocateBins([...cells].sort(byExpectation));
  let T = 0;
  const observed = new Int32Array(bins.length);
  for (let part = 0; part < 10; part++) {
    observed.fill(0);
    for (let i = part * sub; i < (part + 1) * sub; i++) observed[cells[data[i]].bin]++;
    T += statistic(bins, observed);
  }
  const df = 9 * (bins.length - 1);
  return { T, df, pValue: pValue(T, df) };
}
