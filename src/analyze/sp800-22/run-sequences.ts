import { availableParallelism } from 'node:os';
import { createWorkerPool } from '../../util/workers.js';
import { type BatteryOptions, runSp80022 } from './battery.js';
import type { BatteryTask } from './battery-worker.js';
import { type BitSequence, bitsFromBytesAt } from './bits.js';
import type { Sp80022Result } from './types.js';

/** Packs 0/1 bytes into bytes, most significant bit first. */
export function packBits(seq: BitSequence): Uint8Array {
  const out = new Uint8Array(Math.ceil(seq.n / 8));
  const { bits, n } = seq;
  for (let i = 0; i < n; i++) if (bits[i]) out[i >>> 3] |= 0x80 >>> (i & 7);
  return out;
}

export interface RunSequencesOptions extends BatteryOptions {
  /** Worker threads (default: CPUs, at most the number of sequences). 0 runs in this thread. */
  threads?: number;
  /** Called after each sequence finishes (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** A sequence given as a bit range of a byte stream (MSB first), unpacked only where it is tested. */
export interface PackedSequence {
  bytes: Uint8Array;
  /** First bit (0 = MSB of bytes[0]). */
  bitOffset: number;
  nBits: number;
}

/** The K consecutive n-bit sequences of a byte stream, as packed ranges (no copy, no unpacking). */
export function packedSequences(bytes: Uint8Array, K: number, n: number): PackedSequence[] {
  const out: PackedSequence[] = [];
  for (let i = 0; i < K; i++) {
    const start = i * n;
    const first = start >>> 3;
    const last = Math.ceil((start + n) / 8);
    out.push({ bytes: bytes.subarray(first, last), bitOffset: start & 7, nBits: n });
  }
  return out;
}

/**
 * Runs the battery on every sequence, in parallel on a piscina pool (src/util/workers.ts) when there
 * is more than one sequence and more than one thread. Results come back in sequence order.
 */
export async function runSp80022OnSequences(
  sequences: BitSequence[],
  options: RunSequencesOptions = {},
): Promise<Sp80022Result[][]> {
  return runSp80022OnPacked(
    sequences.map((s) => ({ bytes: packBits(s), bitOffset: 0, nBits: s.n })),
    options,
  );
}

/**
 * As runSp80022OnSequences for sequences that are bit ranges of a byte stream: each sequence is
 * unpacked (one byte per bit) only in the thread that tests it, so memory stays at one or two
 * unpacked sequences per thread whatever the input size.
 */
export async function runSp80022OnPacked(
  sequences: PackedSequence[],
  options: RunSequencesOptions = {},
): Promise<Sp80022Result[][]> {
  const { threads: wanted, onProgress, ...battery } = options;
  const threads = Math.min(wanted ?? availableParallelism(), sequences.length);
  let done = 0;
  if (threads <= 1 || sequences.length === 1) {
    const out: Sp80022Result[][] = [];
    for (const s of sequences) {
      out.push(runSp80022(bitsFromBytesAt(s.bytes, s.bitOffset, s.nBits), battery));
      onProgress?.(++done, sequences.length);
      // Let progress render between sequences.
      await new Promise((r) => setImmediate(r));
    }
    return out;
  }
  const pool = createWorkerPool(import.meta.url, 'battery-worker', { minThreads: threads, maxThreads: threads });
  try {
    return await Promise.all(
      sequences.map(async (s) => {
        // slice(): a view would make structured cloning copy its whole underlying buffer.
        const task: BatteryTask = { packed: s.bytes.slice(), bitOffset: s.bitOffset, nBits: s.nBits, options: battery };
        const r = (await pool.run(task)) as Sp80022Result[];
        onProgress?.(++done, sequences.length);
        return r;
      }),
    );
  } finally {
    await pool.destroy();
  }
}
