import { availableParallelism } from 'node:os';
import { OeError } from '../../errors.js';
import { createWorkerPool } from '../../util/workers.js';
import { clopperPearson } from '../stats/clopper-pearson.js';
import { compressedTextSize } from './bzip2-size.js';
import { type ChiSquareResult, chiSquareGoodnessOfFit, chiSquareIndependence } from './chi-square.js';
import { type LrsTestResult, lrsTest } from './lrs-test.js';
import { mostCommonValue } from './most-common-value.js';
import { assertUsable } from './non-iid.js';
import { NUM_TESTS, PERMUTATION_TESTS, permutationStatistics } from './permutation-statistics.js';
import { type PermutationTask, permutationRounds } from './permutation-worker.js';
import { derivedSeed } from './shuffle.js';
import { type PreparedSymbols, prepareSymbols, toBitstring } from './symbols.js';

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

/** How often each statistic failed over repeated permutation tests (`repeat` > 1). */
export interface PermutationRepeats {
  /** Number of complete permutation tests (each up to 10,000 rounds). */
  runs: number;
  /** Their seeds: `seed` itself, then seeds derived from it (derivedSeed(seed, k)). */
  seeds: number[];
  /** Rounds each run took before every statistic was decided (10,000 when one never was). */
  roundsRun: number[];
  /** Two-sided confidence level of the Clopper–Pearson intervals. */
  level: number;
  statistics: Array<{ name: string; failures: number; rate: number; ci: [number, number] }>;
  /** Runs in which at least one statistic failed (the permutation verdict was "not IID"). */
  anyFailed: { failures: number; rate: number; ci: [number, number] };
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
  /** Present when the permutation tests were repeated: failure rates per statistic. */
  repeats?: PermutationRepeats;
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
  /**
   * Run the permutation tests this many times (default 1), with `seed` and then derived seeds, and
   * report per statistic how often it failed. The verdict and counts of the result are the first run's.
   */
  repeat?: number;
  /** Called after each batch with rounds done and statistics decided (and which run, from 0). */
  onProgress?: (roundsDone: number, decided: number, run: number) => void;
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

/** §5.1's mean of the sample values and median of the symbols (0.5 for binary data, as the tool). */
export function symbolSummary(p: PreparedSymbols): { mean: number; median: number } {
  const n = p.raw.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += p.raw[i];
  if (p.alphabetSize === 2) return { mean: sum / n, median: 0.5 };
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
  return { mean: sum / n, median: n % 2 === 1 ? nth(half) : (nth(half) + nth(half - 1)) / 2 };
}

/** Counts C0/C1/C2 of one permutation test and the rounds it took. */
interface PermutationCounts {
  C: number[][];
  rounds: number;
}

/**
 * Runs permutation tests of §5.1 on worker threads (or this thread): the samples are shared once,
 * then each `run(seed)` goes round by round with the tool's rule (a statistic stops counting once
 * C0+C1 > 5 and C1+C2 > 5; the test stops when all 19 are decided or after `total` rounds).
 */
function permutationRunner(p: PreparedSymbols, mean: number, median: number, t: Float64Array, options: IidOptions) {
  const share = (a: Uint8Array) => {
    const sab = new SharedArrayBuffer(a.length);
    new Uint8Array(sab).set(a);
    return sab;
  };
  const n = p.raw.length;
  const symbolsSab = share(p.symbols);
  const rawIsSymbols = p.symbols === p.raw;
  const rawSab = rawIsSymbols ? symbolsSab : share(p.raw);
  const threads = Math.max(1, options.threads ?? availableParallelism());
  const chunk = Math.max(1, options.chunk ?? Math.min(64, Math.max(4, Math.ceil(200_000 / n))));
  const total = options.rounds ?? PERMUTATIONS;
  // Workers stay for the whole test: piscina's default (idleTimeout 0 above minThreads) ends a worker
  // whenever it is idle for a moment, and each new one reloads its modules (measured: twice the CPU).
  const pool =
    threads > 1
      ? createWorkerPool(import.meta.url, 'permutation-worker', {
          maxThreads: threads,
          minThreads: threads,
          idleTimeout: 60_000,
        })
      : null;
  // decided[j] = 1 once statistic j is decided: tasks already dispatched skip it from their next round
  // on (their results for it would be ignored), and decided[NUM_TESTS] = 1 ends them when all are
  const decidedSab = new SharedArrayBuffer(4 * (NUM_TESTS + 1));
  const decided = new Int32Array(decidedSab);
  const base = {
    symbols: symbolsSab,
    raw: rawSab,
    rawIsSymbols,
    alphabetSize: p.alphabetSize,
    rawMean: mean,
    median,
    decided: decidedSab,
  };

  async function run(seed: number, onProgress?: (done: number, decided: number) => void): Promise<PermutationCounts> {
    const C = Array.from({ length: NUM_TESTS }, () => [0, 0, 0]);
    const active = new Array<boolean>(NUM_TESTS).fill(true);
    // Tasks are dispatched ahead (a window of 2 per thread) so the workers never wait on a barrier;
    // results are aggregated strictly in round order, so the counts equal a sequential run's: a task's
    // active mask can only be a superset of what is still undecided when its rounds are aggregated.
    const window = pool ? threads * 2 : 1;
    const inflight: Array<Promise<Float64Array>> = [];
    let dispatched = 0;
    let round = 0;
    let undecided = NUM_TESTS;
    decided.fill(0);
    try {
      while (undecided > 0 && (inflight.length > 0 || dispatched < total)) {
        while (inflight.length < window && dispatched < total) {
          const to = Math.min(total, dispatched + chunk);
          const task: PermutationTask = { ...base, seed, from: dispatched, to, active: [...active] };
          dispatched = to;
          inflight.push(pool ? (pool.run(task) as Promise<Float64Array>) : permutationRounds(task));
        }
        const out = await (inflight.shift() as Promise<Float64Array>);
        for (let r = 0; r < out.length / NUM_TESTS && undecided > 0; r++) {
          for (let j = 0; j < NUM_TESTS; j++) {
            if (!active[j]) continue;
            const v = out[r * NUM_TESTS + j];
            if (v > t[j]) C[j][0]++;
            else if (v === t[j]) C[j][1]++;
            else C[j][2]++;
            if (C[j][0] + C[j][1] > 5 && C[j][1] + C[j][2] > 5) {
              active[j] = false;
              Atomics.store(decided, j, 1);
              undecided--;
            }
          }
          round++;
        }
        onProgress?.(round, NUM_TESTS - undecided);
      }
    } finally {
      // tasks dispatched ahead stop at their next round and finish before the next run (or the pool's end)
      Atomics.store(decided, NUM_TESTS, 1);
      await Promise.allSettled(inflight);
    }
    return { C, rounds: round };
  }
  return { total, run, close: async () => pool?.destroy() };
}

const failed = (c: number[]) => c[0] + c[1] <= 5 || c[1] + c[2] <= 5;

/** Failure counts of repeated permutation tests with Clopper–Pearson 95 % intervals. */
function summarizeRepeats(runs: PermutationCounts[], seeds: number[]): PermutationRepeats {
  const K = runs.length;
  const entry = (failures: number) => ({ failures, rate: failures / K, ci: clopperPearson(failures, K) });
  return {
    runs: K,
    seeds,
    roundsRun: runs.map((r) => r.rounds),
    level: 0.95,
    statistics: PERMUTATION_TESTS.map((name, j) => ({
      name,
      ...entry(runs.filter((r) => failed(r.C[j])).length),
    })),
    anyFailed: entry(runs.filter((r) => r.C.some(failed)).length),
  };
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
  const total = options.rounds ?? PERMUTATIONS;
  if (!Number.isInteger(total) || total < 1 || total > PERMUTATIONS)
    throw new OeError('USAGE', `rounds must be an integer from 1 to ${PERMUTATIONS}, got ${total}`);
  const repeat = options.repeat ?? 1;
  if (!Number.isInteger(repeat) || repeat < 1)
    throw new OeError('USAGE', `repeat must be a positive integer, got ${repeat}`);
  const { mean, median } = symbolSummary(p);
  const ctx = { alphabetSize: p.alphabetSize, rawMean: mean, median, compressedSize: compressedTextSize };
  const t = permutationStatistics(p.symbols, p.raw, ctx);
  const runner = permutationRunner(p, mean, median, t, options);
  const runs: PermutationCounts[] = [];
  const seeds: number[] = [];
  try {
    for (let k = 0; k < repeat; k++) {
      seeds.push(derivedSeed(seed, k));
      runs.push(await runner.run(seeds[k], (done, decided) => options.onProgress?.(done, decided, k)));
    }
  } finally {
    await runner.close();
  }
  const permutationTests = PERMUTATION_TESTS.map((name, j) => ({
    name,
    unpermuted: t[j],
    C0: runs[0].C[j][0],
    C1: runs[0].C[j][1],
    C2: runs[0].C[j][2],
    passed: !failed(runs[0].C[j]),
  }));
  return iidResult(
    p,
    { mean, median, seed, total, roundsRun: runs[0].rounds, permutationTests },
    repeat > 1 ? summarizeRepeats(runs, seeds) : undefined,
  );
}

/** The chi-square, LRS and MCV parts of the track, assembled with the permutation results. */
function iidResult(
  p: PreparedSymbols,
  perm: {
    mean: number;
    median: number;
    seed: number;
    total: number;
    roundsRun: number;
    permutationTests: PermutationTestOutcome[];
  },
  repeats: PermutationRepeats | undefined,
): IidResult {
  const k = p.alphabetSize;
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
  const passedPerm = perm.permutationTests.every((x) => x.passed);
  return {
    samples: p.raw.length,
    bitsPerSymbol: p.wordSize,
    alphabetSize: k,
    translated: p.translated,
    warnings: p.warnings,
    mean: perm.mean,
    median: perm.median,
    seed: perm.seed,
    rounds: perm.total,
    roundsRun: perm.roundsRun,
    permutationTests: perm.permutationTests,
    passedPermutationTests: passedPerm,
    ...(repeats ? { repeats } : {}),
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
