/**
 * The 19 statistics of the IID permutation tests, SP 800-90B §5.1.1–§5.1.11, computed the way the
 * reference tool does (binary data goes through Conversion I / II of §5.1 where the standard says
 * so; excursion and covariance use the sample values, the other tests the translated symbols).
 */

export const PERMUTATION_TESTS = [
  'excursion',
  'numDirectionalRuns',
  'lenDirectionalRuns',
  'numIncreasesDecreases',
  'numRunsMedian',
  'lenRunsMedian',
  'avgCollision',
  'maxCollision',
  'periodicity(1)',
  'periodicity(2)',
  'periodicity(8)',
  'periodicity(16)',
  'periodicity(32)',
  'covariance(1)',
  'covariance(2)',
  'covariance(8)',
  'covariance(16)',
  'covariance(32)',
  'compression',
] as const;
export const NUM_TESTS = PERMUTATION_TESTS.length;
const LAGS = [1, 2, 8, 16, 32];

export interface PermutationContext {
  /** Number of distinct symbols (2: binary rules). */
  alphabetSize: number;
  /** Mean of the sample values. */
  rawMean: number;
  /** Median of the translated symbols (0.5 for binary data). */
  median: number;
  /** bzip2 (level 5) compressed size of the text "s0 s1 … sn−1" (§5.1.11). */
  compressedSize: (raw: Uint8Array) => number;
}

/** §5.1 Conversion I: number of ones in each 8-bit block (last block may be shorter). */
export function conversion1(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) out[i >> 3] += bits[i];
  return out;
}

/** §5.1 Conversion II: each 8-bit block as an integer, first bit most significant. */
export function conversion2(bits: Uint8Array): Uint8Array {
  const out = new Uint8Array(Math.ceil(bits.length / 8));
  for (let i = 0; i < bits.length; i++) out[i >> 3] += bits[i] << (7 - (i & 7));
  return out;
}

/** §5.1.1 excursion: max_i |Σ_{j≤i} s_j − i·mean|. */
export function excursion(raw: Uint8Array, mean: number): number {
  let sum = 0;
  let max = 0;
  for (let i = 0; i < raw.length; i++) {
    sum += raw[i];
    const d = Math.abs(sum - (i + 1) * mean);
    if (d > max) max = d;
  }
  return max;
}

/**
 * §5.1.2–§5.1.4 on s: the ±1 sequence is +1 where s[i] ≤ s[i+1]. Returns [number of runs, longest
 * run, max(#increases, #decreases)] (the tool's conventions: an empty sequence has one run of 1).
 */
function directionalRuns(s: Uint8Array): [number, number, number] {
  const m = s.length - 1;
  if (m <= 0) return [0, 1, 0];
  let prev = s[0] <= s[1];
  let runs = 1;
  let longest = 0;
  let run = 1;
  let ups = prev ? 1 : 0;
  for (let i = 1; i < m; i++) {
    const cur = s[i] <= s[i + 1];
    if (cur) ups++;
    if (cur === prev) run++;
    else {
      runs++;
      if (run > longest) longest = run;
      run = 1;
      prev = cur;
    }
  }
  if (run > longest) longest = run;
  return [runs, longest, Math.max(ups, m - ups)];
}

/** §5.1.5–§5.1.6 on s: the ±1 sequence is +1 where s[i] ≥ median. Returns [number of runs, longest run]. */
function medianRuns(s: Uint8Array, median: number): [number, number] {
  const m = s.length;
  if (m <= 0) return [0, 1];
  let prev = !(s[0] < median);
  let runs = 1;
  let longest = 0;
  let run = 1;
  for (let i = 1; i < m; i++) {
    const cur = !(s[i] < median);
    if (cur === prev) run++;
    else {
      runs++;
      if (run > longest) longest = run;
      run = 1;
      prev = cur;
    }
  }
  if (run > longest) longest = run;
  return [runs, longest];
}

/** §5.1.7/§5.1.8 collision times: lengths of the successive windows ending at a first repeat. */
export function collisionTimes(s: Uint8Array, k: number): { sum: number; count: number; max: number } {
  const n = s.length;
  const seen = new Int32Array(Math.max(k, 256)).fill(-1);
  let stamp = 0;
  let i = 0;
  let j = 0;
  let sum = 0;
  let count = 0;
  let max = 0;
  while (i + j < n) {
    stamp++;
    while (i + j < n) {
      const x = s[i + j];
      if (seen[x] === stamp) {
        const t = j + 1;
        sum += t;
        count++;
        if (t > max) max = t;
        i += j;
        j = 0;
        break;
      }
      seen[x] = stamp;
      j++;
    }
    i++;
  }
  return { sum, count, max };
}

/**
 * The 19 statistics for (translated symbols, values). Entries whose `active` flag is false are NaN
 * (not computed), so permutation rounds skip tests that are already decided.
 */
export function permutationStatistics(
  data: Uint8Array,
  raw: Uint8Array,
  ctx: PermutationContext,
  active: ArrayLike<boolean | number> = new Array(NUM_TESTS).fill(true),
): Float64Array {
  const out = new Float64Array(NUM_TESTS).fill(Number.NaN);
  const binary = ctx.alphabetSize === 2;
  const any = (a: number, b: number) => {
    for (let i = a; i <= b; i++) if (active[i]) return true;
    return false;
  };
  if (active[0]) out[0] = excursion(raw, ctx.rawMean);
  let cs1: Uint8Array | null = null;
  const c1 = () => {
    if (!cs1) cs1 = conversion1(data);
    return cs1;
  };
  if (any(1, 3)) {
    const s = binary ? c1() : data;
    const [runs, longest, incdec] = directionalRuns(s);
    if (active[1]) out[1] = runs;
    if (active[2]) out[2] = longest;
    if (active[3]) out[3] = incdec;
  }
  if (any(4, 5)) {
    const med = binary ? 0.5 : ctx.median;
    const [runs, longest] = medianRuns(data, med);
    if (active[4]) out[4] = runs;
    if (active[5]) out[5] = longest;
  }
  if (any(6, 7)) {
    const c = binary ? collisionTimes(conversion2(data), 256) : collisionTimes(data, ctx.alphabetSize);
    if (active[6]) out[6] = c.sum / c.count;
    if (active[7]) out[7] = c.max;
  }
  if (any(8, 12)) {
    const s = binary ? c1() : data;
    for (let l = 0; l < LAGS.length; l++) {
      if (!active[8 + l]) continue;
      const p = LAGS[l];
      let T = 0;
      for (let i = 0; i < s.length - p; i++) if (s[i] === s[i + p]) T++;
      out[8 + l] = T;
    }
  }
  if (any(13, 17)) {
    const s = binary ? c1() : raw;
    for (let l = 0; l < LAGS.length; l++) {
      if (!active[13 + l]) continue;
      const p = LAGS[l];
      let T = 0;
      for (let i = 0; i < s.length - p; i++) T += s[i] * s[i + p];
      out[13 + l] = T;
    }
  }
  if (active[18]) out[18] = ctx.compressedSize(raw);
  return out;
}
