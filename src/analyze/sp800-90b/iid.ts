import { availableParallelism } from 'node:os';
import { OeError } from '../../errors.js';
import { createWorkerPool } from '../../util/workers.js';
import { bzip2TextSize } from './bzip2-size.js';
import { type ChiSquareResult, chiSquareGoodnessOfFit, chiSquareIndependence } from './chi-square.js';
import { type LrsTestResult, lrsTest } from './lrs-test.js';
import { mostCommonValue } from './most-common-value.js';
import { assertUsable } from './non-iid.js';
import { NUM_TESTS, PERMUTATION_TESTS, permutationStatistics } from './permutation-statistics.js';
import { type PermutationTask, permutationRounds } from './permutation-worker.js';
import { prepareSymbols, toBitstring } from './symbols.js';

/** Number of permutation rounds of §5.1. */
export const PERMUTATIONS = 10000;

export interface PermutationTestOutcome {
  name: (typeof PERMUTATION_TESTS)[number];
  /** The statistic on the unshuffled data. */
  unpermuted: number;
  /** Rounds where the shuffled statistic was greater than, equal to, and less than the original. */
  C0: number;
  C1: number;
  C2: number;
  /** Fails when C0 + C1 ≤ 5 or C1 + C2 ≤ 5 (the original is in the extreme 0.05% tail). */
  passed: boolean;
}

export interface IidResult {
  samples: number;
  bitsPerSymbol: number;
  alphabetSize: number;
  translated: boolean;
  warnings: string[];
  /** Mean of the sample values and median of the (translated) symbols, as in §5.1. */
  mean: number;
  median: number;
  /** Seed of the permutation shuffles; the same seed gives the same counts. */
  seed: number;
  /** Rounds planned (10,000 per §5.1) and actually run (stops early once every statistic is decided). */
  rounds: number;
  roundsRun: number;
  permutationTests: PermutationTestOutcome[];
  passedPermutationTests: boolean;
  chiSquareIndependence: ChiSquareResult;
  chiSquareGoodnessOfFit: ChiSquareResult;
  passedChiSquareTests: boolean;
  longestRepeatedSubstring: LrsTestResult;
  passedLongestRepeatedSubstringTest: boolean;
  /** True when all three groups of tests passed: the IID assumption is not rejected. */
  iid: boolean;
  /** MCV estimates (§6.3.1) used for an IID source: literal, bitstring (per bit) and assessed. */
  mcvLiteral: { 'Mode count': number; 'p-hat': number; p_u: number; hMin: number };
  mcvBitstring: { 'Mode count': number; 'p-hat': number; p_u: number; hMin: number } | null;
  hOriginal: number;
  hBitstring: number | null;
  hAssessed: number;
}

export interface IidOptions {
  /** Shuffle seed (an integer 0 ≤ seed < 2^53); random when absent (reported in the result). */
  seed?: number;
  /** Worker threads for the permutation rounds (default: CPU count; 1 = this thread). */
  threads?: number;
  /** Rounds per worker task (default: more for short inputs, so tasks stay coarse). */
  chunk?: number;
  /**
   * Number of permutation rounds. §5.1 specifies 10,000 and its verdict rule (at most 5 of them on
   * one side) is calibrated for that; fewer rounds are only for quick functional checks.
   */
  rounds?: number;
  /** Called after each batch with rounds done and statistics decided. */
  onProgress?: (roundsDone: number, decided: number) => void;
}

/** A fresh random seed for the permutation shuffles. */
export function randomSeed(): number {
  const a = new Uint32Array(2);
  crypto.getRandomValues(a);
  return (a[0] & 0x1fffff) * 4294967296 + a[1];
}

function mcv(seq: Uint8Array) {
  const r = mostCommonValue(seq);
  return { 'Mode count': r.modeCount, 'p-hat': r.pHat, p_u: r.pU, hMin: r.hMin };
}

/**
 * The IID track of SP 800-90B §5 (as `ea_iid -i -a`): 10,000 seeded permutation rounds of the 19
 * §5.1 statistics (a statistic stops being counted once it is decided, and the rounds stop when all
 * 19 are, the tool's rule), the chi-square tests of §5.2.1–§5.2.4 and the LRS test of §5.2.5, then
 * the MCV estimates. Rounds run on worker threads; results do not depend on the thread count.
 */
export async function assessIid(data: Uint8Array, bits?: number, options: IidOptions = {}): Promise<IidResult> {
  const p = prepareSymbols(data, bits);
  assertUsable(p);
  const seed = options.seed ?? randomSeed();
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new OeError('USAGE', `seed must be an integer from 0 to 2^53−1, got ${seed}`);
  const n = p.raw.length;
  const k = p.alphabetSize;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p.raw[i];
  const mean = sum / n;
  let median = 0.5;
  if (k !== 2) {
    const counts = new Float64Array(256);
    for (let i = 0; i < n; i++) counts[p.symbols[i]]++;
    const nth = (idx: number) => {
      let acc = 0;
      for (let s = 0; s < 256; s++) {
        acc += counts[s];
        if (acc > idx) return s;
      }
      return 255;
    };
    const half = Math.floor(n / 2);
    median = n % 2 === 1 ? nth(half) : (nth(half) + nth(half - 1)) / 2;
  }
  const ctx = { alphabetSize: k, rawMean: mean, median, compressedSize: bzip2TextSize };
  const t = permutationStatistics(p.symbols, p.raw, ctx);
  const C = Array.from({ length: NUM_TESTS }, () => [0, 0, 0]);
  const active = new Array<boolean>(NUM_TESTS).fill(true);
  const share = (a: Uint8Array) => {
    const sab = new SharedArrayBuffer(a.length);
    new Uint8Array(sab).set(a);
    return sab;
  };
  const symbolsSab = share(p.symbols);
  const rawIsSymbols = p.symbols === p.raw;
  const rawSab = rawIsSymbols ? symbolsSab : share(p.raw);
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const chunk = Math.max(1, options.chunk ?? Math.min(64, Math.max(4, Math.ceil(200_000 / n))));
  const total = options.rounds ?? PERMUTATIONS;
  if (!Number.isInteger(total) || total < 1 || total > PERMUTATIONS)
    throw new OeError('USAGE', `rounds must be an integer from 1 to ${PERMUTATIONS}, got ${total}`);
  const pool =
    threads > 1
      ? createWorkerPool(import.meta.url, 'permutation-worker', { maxThreads: threads, minThreads: 0 })
      : null;
  let round = 0;
  try {
    // Tasks are dispatched ahead (a window of 2 per thread) so the workers never wait on a barrier;
    // results are aggregated strictly in round order, so the counts equal a sequential run's: a task's
    // active mask can only be a superset of what is still undecided when its rounds are aggregated.
    const window = pool ? threads * 2 : 1;
    const inflight: Array<Promise<Float64Array>> = [];
    let dispatched = 0;
    const dispatch = () => {
      const to = Math.min(total, dispatched + chunk);
      const task: PermutationTask = {
        symbols: symbolsSab,
        raw: rawSab,
        rawIsSymbols,
        alphabetSize: k,
        rawMean: mean,
        median,
        seed,
        from: dispatched,
        to,
        active: [...active],
      };
      dispatched = to;
      inflight.push(pool ? (pool.run(task) as Promise<Float64Array>) : permutationRounds(task));
    };
    let undecided = NUM_TESTS;
    while (undecided > 0 && (inflight.length > 0 || dispatched < total)) {
      while (inflight.length < window && dispatched < total) dispatch();
      const out = await (inflight.shift() as Promise<Float64Array>);
      // aggregate in round order with the tool's rule: a statistic stops counting once decided
      for (let r = 0; r < out.length / NUM_TESTS && undecided > 0; r++) {
        for (let j = 0; j < NUM_TESTS; j++) {
          if (!active[j]) continue;
          const v = out[r * NUM_TESTS + j];
          if (v > t[j]) C[j][0]++;
          else if (v === t[j]) C[j][1]++;
          else C[j][2]++;
          if (C[j][0] + C[j][1] > 5 && C[j][1] + C[j][2] > 5) {
            active[j] = false;
            undecided--;
          }
        }
        round++;
      }
      options.onProgress?.(round, NUM_TESTS - undecided);
    }
    // let tasks dispatched ahead finish before the pool goes away
    await Promise.allSettled(inflight);
  } finally {
    await pool?.destroy();
  }
  const permutationTests = PERMUTATION_TESTS.map((name, j) => ({
    name,
    unpermuted: t[j],
    C0: C[j][0],
    C1: C[j][1],
    C2: C[j][2],
    passed: !(C[j][0] + C[j][1] <= 5 || C[j][1] + C[j][2] <= 5),
  }));
  const indep = chiSquareIndependence(p.symbols, k);
  const gof = chiSquareGoodnessOfFit(p.symbols, k);
  const passedChi = !(indep.pValue < 0.001) && !(gof.pValue < 0.001);
  const lrs = lrsTest(p.symbols, k);
  const mcvLiteral = mcv(p.symbols);
  const mcvBitstring = k > 2 ? mcv(toBitstring(p.raw, p.wordSize)) : null;
  const hOriginal = mcvLiteral.hMin;
  const hBitstring = mcvBitstring ? mcvBitstring.hMin : null;
  let hAssessed = Math.min(p.wordSize, hOriginal);
  if (hBitstring !== null) hAssessed = Math.min(hAssessed, hBitstring * p.wordSize);
  const passedPerm = permutationTests.every((x) => x.passed);
  return {
    samples: n,
    bitsPerSymbol: p.wordSize,
    alphabetSize: k,
    translated: p.translated,
    warnings: p.warnings,
    mean,
    median,
    seed,
    rounds: total,
    roundsRun: round,
    permutationTests,
    passedPermutationTests: passedPerm,
    chiSquareIndependence: indep,
    chiSquareGoodnessOfFit: gof,
    passedChiSquareTests: passedChi,
    longestRepeatedSubstring: lrs,
    passedLongestRepeatedSubstringTest: lrs.passed,
    iid: passedPerm && passedChi && lrs.passed,
    mcvLiteral,
    mcvBitstring,
    hOriginal,
    hBitstring,
    hAssessed,
  };
}
