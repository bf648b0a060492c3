import { bzip2TextSize } from './bzip2-size.js';
import { NUM_TESTS, permutationStatistics } from './permutation-statistics.js';
import { PermutationKernel } from './permutation-kernel.js';
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
  /** Which of the 19 statistics are still undecided. */
  active: boolean[];
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
  const out = new Float64Array((task.to - task.from) * NUM_TESTS);
  const separate = !task.rawIsSymbols;
  if (!kernel || kernel.data.length !== symbols.length || (kernel.values !== kernel.data) !== separate)
    kernel = new PermutationKernel(symbols.length, separate);
  const k = kernel;
  const ctx = {
    alphabetSize: task.alphabetSize,
    rawMean: task.rawMean,
    median: task.median,
    compressedSize: bzip2TextSize,
    kernel: k,
  };
  for (let r = task.from; r < task.to; r++) {
    k.load(symbols, raw);
    k.shuffle(new RoundRng(task.seed, r));
    out.set(permutationStatistics(k.data, k.values, ctx, task.active), (r - task.from) * NUM_TESTS);
  }
  return out;
}
