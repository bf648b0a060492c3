import { bzip2Size, loadBzip2 } from './bzip2.js';
import { NUM_TESTS, permutationStatistics } from './permutation-statistics.js';
import { RoundRng, shuffle, shuffleTogether } from './shuffle.js';

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

/** Runs the rounds of a task (on whichever thread calls it). */
export async function permutationRounds(task: PermutationTask): Promise<Float64Array> {
  const symbols = new Uint8Array(task.symbols);
  const raw = new Uint8Array(task.raw);
  const out = new Float64Array((task.to - task.from) * NUM_TESTS);
  const data = new Uint8Array(symbols.length);
  const values = task.rawIsSymbols ? data : new Uint8Array(raw.length);
  const ctx = {
    alphabetSize: task.alphabetSize,
    rawMean: task.rawMean,
    median: task.median,
    compressedSize: bzip2Size,
  };
  for (let r = task.from; r < task.to; r++) {
    if (task.active[18]) await loadBzip2();
    data.set(symbols);
    const rng = new RoundRng(task.seed, r);
    if (task.rawIsSymbols) shuffle(data, rng);
    else {
      values.set(raw);
      shuffleTogether(data, values, rng);
    }
    out.set(
      permutationStatistics(data, task.rawIsSymbols ? data : values, ctx, task.active),
      (r - task.from) * NUM_TESTS,
    );
  }
  return out;
}
