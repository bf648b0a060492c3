import { nativeKernels } from './native-kernels.js';
import type { PermutationKernel } from './permutation-kernel.js';

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
  /** Lag statistics in WebAssembly, for sequences that live in its memory (permutation rounds). */
  kernel?: PermutationKernel;
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
 * Branch-free: up = 1 − sign bit of s[i+1] − s[i]; a run grows by `same` and restarts otherwise.
 */
export function directionalRuns(s: Uint8Array): [number, number, number] {
  const m = s.length - 1;
  if (m <= 0) return [0, 1, 0];
  let prev = ((s[1] - s[0]) >>> 31) ^ 1;
  let runs = 1;
  let longest = 1;
  let run = 1;
  let ups = prev;
  for (let i = 1; i < m; i++) {
    const cur = ((s[i + 1] - s[i]) >>> 31) ^ 1;
    const same = 1 ^ cur ^ prev;
    runs += same ^ 1;
    run = run * same + 1;
    longest = Math.max(longest, run);
    ups += cur;
    prev = cur;
  }
  return [runs, longest, Math.max(ups, m - ups)];
}

/**
 * §5.1.5–§5.1.6 on s: the ±1 sequence is +1 where s[i] ≥ median. Returns [number of runs, longest run].
 * For integer symbols s[i] ≥ median ⇔ s[i] ≥ ⌈median⌉, tested branch-free like directionalRuns.
 */
export function medianRuns(s: Uint8Array, median: number): [number, number] {
  const m = s.length;
  if (m <= 0) return [0, 1];
  const c = Math.ceil(median);
  let prev = ((s[0] - c) >>> 31) ^ 1;
  let runs = 1;
  let longest = 1;
  let run = 1;
  for (let i = 1; i < m; i++) {
    const cur = ((s[i] - c) >>> 31) ^ 1;
    const same = 1 ^ cur ^ prev;
    runs += same ^ 1;
    run = run * same + 1;
    longest = Math.max(longest, run);
    prev = cur;
  }
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

/** §5.1.9 periodicity: #{i : s[i] = s[i+p]} (branch-free: (a ⊕ b) − 1 is negative only when a = b). */
export function periodicity(s: Uint8Array, p: number): number {
  let T = 0;
  for (let i = 0; i < s.length - p; i++) T += ((s[i] ^ s[i + p]) - 1) >>> 31;
  return T;
}

/** §5.1.10 covariance: Σ s[i]·s[i+p] (an integer below 2^53 for any input that fits in memory). */
export function covariance(s: Uint8Array, p: number): number {
  let T = 0;
  for (let i = 0; i < s.length - p; i++) T += s[i] * s[i + p];
  return T;
}

/**
 * One pass over a non-binary sequence for §5.1.1–§5.1.6, §5.1.9 and §5.1.10 (every statistic but the
 * collision and compression ones), written to out[0..5] and out[8..17]. Comparisons are branch-free
 * (sign bits), since on random data a branch on them is mispredicted half the time. Equal to the
 * separate functions above: integer counts and sums, and the excursion's running sum in the same order.
 * One numeric algorithm kept in one body so that its per-sample loop stays inline; the tail loop over
 * the last 32 positions repeats the main loop's body with bounds checks (a deliberate hot-loop copy,
 * which keeps the checks out of the main loop).
 */
export function fusedStatistics(s: Uint8Array, raw: Uint8Array, mean: number, median: number, out: Float64Array): void {
  const n = s.length;
  // s[i] ≥ median ⇔ s[i] ≥ ⌈median⌉ for integer symbols
  const c = Math.ceil(median);
  let sum = 0;
  let exc = 0;
  let dirPrev = 0;
  let dirRuns = 0;
  let dirRun = 0;
  let dirLong = 1;
  let ups = 0;
  let medPrev = ((s[0] - c) >>> 31) ^ 1;
  let medRuns = 1;
  let medRun = 1;
  let medLong = 1;
  let p1 = 0;
  let p2 = 0;
  let p8 = 0;
  let p16 = 0;
  let p32 = 0;
  let c1 = 0;
  let c2 = 0;
  let c8 = 0;
  let c16 = 0;
  let c32 = 0;
  if (n >= 2) {
    dirPrev = ((s[1] - s[0]) >>> 31) ^ 1;
    dirRuns = 1;
    dirRun = 1;
    ups = dirPrev;
  }
  sum = raw[0];
  exc = Math.abs(sum - mean);
  const fusedEnd = n - 32;
  let i = 1;
  for (; i < fusedEnd; i++) {
    const si = s[i];
    const ri = raw[i];
    sum += ri;
    exc = Math.max(exc, Math.abs(sum - (i + 1) * mean));
    const up = ((s[i + 1] - si) >>> 31) ^ 1;
    const dSame = 1 ^ up ^ dirPrev;
    dirRuns += dSame ^ 1;
    dirRun = dirRun * dSame + 1;
    dirLong = Math.max(dirLong, dirRun);
    ups += up;
    dirPrev = up;
    const hi = ((si - c) >>> 31) ^ 1;
    const mSame = 1 ^ hi ^ medPrev;
    medRuns += mSame ^ 1;
    medRun = medRun * mSame + 1;
    medLong = Math.max(medLong, medRun);
    medPrev = hi;
    p1 += ((si ^ s[i + 1]) - 1) >>> 31;
    p2 += ((si ^ s[i + 2]) - 1) >>> 31;
    p8 += ((si ^ s[i + 8]) - 1) >>> 31;
    p16 += ((si ^ s[i + 16]) - 1) >>> 31;
    p32 += ((si ^ s[i + 32]) - 1) >>> 31;
    c1 += ri * raw[i + 1];
    c2 += ri * raw[i + 2];
    c8 += ri * raw[i + 8];
    c16 += ri * raw[i + 16];
    c32 += ri * raw[i + 32];
  }
  // i = 0 of the lag statistics, then the last 32 positions with bounds
  const lagHead = (p: number) => (p < n ? [((s[0] ^ s[p]) - 1) >>> 31, raw[0] * raw[p]] : [0, 0]);
  const heads = [1, 2, 8, 16, 32].map(lagHead);
  for (; i < n; i++) {
    const si = s[i];
    const ri = raw[i];
    sum += ri;
    exc = Math.max(exc, Math.abs(sum - (i + 1) * mean));
    if (i + 1 < n) {
      const up = ((s[i + 1] - si) >>> 31) ^ 1;
      const dSame = 1 ^ up ^ dirPrev;
      dirRuns += dSame ^ 1;
      dirRun = dirRun * dSame + 1;
      dirLong = Math.max(dirLong, dirRun);
      ups += up;
      dirPrev = up;
    }
    const hi = ((si - c) >>> 31) ^ 1;
    const mSame = 1 ^ hi ^ medPrev;
    medRuns += mSame ^ 1;
    medRun = medRun * mSame + 1;
    medLong = Math.max(medLong, medRun);
    medPrev = hi;
    if (i + 1 < n) {
      p1 += ((si ^ s[i + 1]) - 1) >>> 31;
      c1 += ri * raw[i + 1];
    }
    if (i + 2 < n) {
      p2 += ((si ^ s[i + 2]) - 1) >>> 31;
      c2 += ri * raw[i + 2];
    }
    if (i + 8 < n) {
      p8 += ((si ^ s[i + 8]) - 1) >>> 31;
      c8 += ri * raw[i + 8];
    }
    if (i + 16 < n) {
      p16 += ((si ^ s[i + 16]) - 1) >>> 31;
      c16 += ri * raw[i + 16];
    }
    if (i + 32 < n) {
      p32 += ((si ^ s[i + 32]) - 1) >>> 31;
      c32 += ri * raw[i + 32];
    }
  }
  out[0] = exc;
  out[1] = dirRuns;
  out[2] = n >= 2 ? dirLong : 1;
  out[3] = Math.max(ups, n - 1 - ups);
  out[4] = medRuns;
  out[5] = medLong;
  const P = [p1, p2, p8, p16, p32];
  const C = [c1, c2, c8, c16, c32];
  for (let l = 0; l < 5; l++) {
    out[8 + l] = P[l] + heads[l][0];
    out[13 + l] = C[l] + heads[l][1];
  }
}

/** Below this many undecided cheap statistics, separate passes for each beat the fused one (TypeScript). */
const FUSE_MIN = 4;

/**
 * Whether the C++ fused pass beats separate passes for the active statistics. Measured per 1 M samples
 * (bench/sp800-90b's per-round arm, loaded machine): the C++ pass ~4 ms; separately the excursion ~3.7,
 * directional runs ~2.9, median runs ~2.2, one lag statistic in WebAssembly ~0.5.
 */
function nativeFusedPays(active: ArrayLike<boolean | number>): boolean {
  let ms = 0;
  if (active[0]) ms += 3.7;
  if (active[1] || active[2] || active[3]) ms += 2.9;
  if (active[4] || active[5]) ms += 2.2;
  for (let j = 8; j <= 17; j++) if (active[j]) ms += 0.5;
  return ms > 4;
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
  let cheap = 0;
  for (let j = 0; j < NUM_TESTS; j++) if (active[j] && j !== 6 && j !== 7 && j !== 18) cheap++;
  // the C++ fused pass when the addon is built (same numbers, native-kernels.ts)
  const nk = nativeKernels();
  if (!binary && data.length >= 2 && (nk ? nativeFusedPays(active) : cheap >= FUSE_MIN)) {
    const all = new Float64Array(NUM_TESTS);
    if (nk) nk.fusedStatistics(data, raw, ctx.rawMean, ctx.median, all);
    else fusedStatistics(data, raw, ctx.rawMean, ctx.median, all);
    for (let j = 0; j < NUM_TESTS; j++) if (active[j] && j !== 6 && j !== 7 && j !== 18) out[j] = all[j];
  } else {
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
    const k = ctx.kernel;
    for (let l = 0; l < LAGS.length; l++) {
      if (active[8 + l]) {
        const s = binary ? c1() : data;
        out[8 + l] = k?.owns(s) ? k.periodicity(s, LAGS[l]) : periodicity(s, LAGS[l]);
      }
      if (active[13 + l]) {
        const s = binary ? c1() : raw;
        out[13 + l] = k?.owns(s) ? k.covariance(s, LAGS[l]) : covariance(s, LAGS[l]);
      }
    }
  }
  if (any(6, 7)) {
    const s = binary ? conversion2(data) : data;
    let c: { sum: number; count: number; max: number };
    if (nk) {
      const o = new Float64Array(3);
      nk.collisionTimes(s, o);
      c = { sum: o[0], count: o[1], max: o[2] };
    } else c = collisionTimes(s, binary ? 256 : ctx.alphabetSize);
    if (active[6]) out[6] = c.sum / c.count;
    if (active[7]) out[7] = c.max;
  }
  if (active[18]) out[18] = ctx.compressedSize(raw);
  return out;
}
