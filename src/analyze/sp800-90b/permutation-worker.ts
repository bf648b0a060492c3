import { compressedTextSize } from './bzip2-size.js';
import { PermutationKernel } from './permutation-kernel.js';
import { NUM_TESTS, permutationStatistics } from './permutation-statistics.js';
import { RoundRng } from './shuffle.js';

export interface PermutationTask {
  symbols: SharedArrayBuffer;
  raw: SharedArrayBuffer;
  /** The values equal the symbols (no translation): shuffle one array and use it for both. */
  rawIsSymbols: boolean;
  alphabetSize: number;
  rawMean: number;
  median: number;
  seed: number;
  /** Rounds [from, to). */
  from: number;
  to: number;
  /** Which of the 19 statistics were undecided when the task was dispatched. */
  active: boolean[];
  /**
   * Int32 flags the dispatcher sets while the task runs: [j] = 1 once statistic j is decided (its later
   * values are not needed), [19] = 1 once the test is over (the remaining rounds are not needed).
   */
  decided?: SharedArrayBuffer;
}

/** Piscina worker: runs permutation rounds and returns their statistics, 19 per round (NaN = skipped). */
export default function run(task: PermutationTask): Promise<Float64Array> {
  return permutationRounds(task);
}

/** This thread's kernel, kept across tasks of the same shape. */
let kernel: PermutationKernel | undefined;

/** Runs the rounds of a task (on whichever thread calls it). */
export async function permutationRounds(task: PermutationTask): Promise<Float64Array> {
  const symbols = new Uint8Array(task.symbols);
  const raw = new Uint8Array(task.raw);
  const out = new Float64Array((task.to - task.from) * NUM_TESTS).fill(Number.NaN);
  const separate = !task.rawIsSymbols;
  if (!kernel || kernel.data.length !== symbols.length || (kernel.values !== kernel.data) !== separate)
    kernel = new PermutationKernel(symbols.length, separate);
  const k = kernel;
  const ctx = {
    alphabetSize: task.alphabetSize,
    rawMean: task.rawMean,
    median: task.median,
    compressedSize: compressedTextSize,
    kernel: k,
  };
  const decided = task.decided ? new Int32Array(task.decided) : null;
  const active = [...task.active];
  for (let r = task.from; r < task.to; r++) {
    if (decided) {
      if (Atomics.load(decided, NUM_TESTS) === 1) break;
      for (let j = 0; j < NUM_TESTS; j++) if (active[j] && Atomics.load(decided, j) === 1) active[j] = false;
    }
    k.load(symbols, raw);
    k.shuffle(new RoundRng(task.seed, r));
    out.set(permutationStatistics(k.data, k.values, ctx, active), (r - task.from) * NUM_TESTS);
  }
  return out;
}
