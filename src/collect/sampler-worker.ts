/**
 * piscina worker: loads the addon in this thread and runs one batch of one sampler. The result buffer is
 * transferred back (Piscina.move), never copied.
 */
import { threadId } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { loadNative } from './native.js';
import type { SamplerParams } from './types.js';

/**
 * Test and benchmark diagnostics (never used in production paths):
 * - `lastBufferBytes`: byteLength of the buffer this worker last returned (0 once it was transferred);
 * - `exit`: ends this worker thread (the pool must replace it);
 * - `ping`: holds the worker for 20 ms and returns its thread id (used to start every thread up front).
 * Not a diagnostic: `ready` returns at once; SamplerPool runs it once to know that a thread has started.
 */
export type WorkerDiagnostic = 'lastBufferBytes' | 'exit' | 'ping' | 'ready';

export interface SamplerTask {
  sampler?: string;
  n?: number;
  params?: SamplerParams;
  /** Shared cells: [0] cancel, set by the pool at the deadline; [1] set to 1 here when the batch starts. */
  cancel?: Int32Array;
  timeoutMs?: number;
  diagnostic?: WorkerDiagnostic;
}

export interface SamplerTaskResult {
  buffer: ArrayBuffer;
  filled: number;
  unit: string;
  startNs: bigint;
  endNs: bigint;
  /** Worker-side duration of the native call, ms. */
  ranMs: number;
  /** The cancel cell was already set when the batch reached this worker (queued past its deadline). */
  cancelledBeforeStart: boolean;
}

let lastBuffer: ArrayBuffer | undefined;

export default function run(task: SamplerTask): SamplerTaskResult | number {
  if (task.diagnostic === 'lastBufferBytes') return lastBuffer?.byteLength ?? -1;
  if (task.diagnostic === 'exit') process.exit(0);
  if (task.diagnostic === 'ready') return threadId;
  if (task.diagnostic === 'ping') {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    return threadId;
  }
  const cancel = task.cancel ?? null;
  let cancelledBeforeStart = false;
  if (cancel) {
    cancelledBeforeStart = Atomics.load(cancel, 0) !== 0;
    if (cancel.length > 1) Atomics.store(cancel, 1, 1);
  }
  if (!task.sampler || !task.n) throw new Error('sampler task needs a sampler name and a count');
  const addon = loadNative();
  const out = new BigInt64Array(task.n);
  const startNs = process.hrtime.bigint();
  const wallStart = BigInt(Date.now()) * 1_000_000n;
  const r = addon.sample(task.sampler, out, task.params ?? {}, cancel, task.timeoutMs ?? 0);
  const elapsed = process.hrtime.bigint() - startNs;
  lastBuffer = out.buffer;
  const result: SamplerTaskResult = {
    buffer: out.buffer,
    filled: r.filled,
    unit: r.unit,
    startNs: wallStart,
    endNs: wallStart + elapsed,
    ranMs: Number(elapsed) / 1e6,
    cancelledBeforeStart,
  };
  // Piscina moves only a top-level transferable: wrap the result so its buffer is transferred.
  return Piscina.move({
    get [Piscina.transferableSymbol]() {
      return result.buffer;
    },
    get [Piscina.valueSymbol]() {
      return result;
    },
  } as unknown as ArrayBuffer) as unknown as SamplerTaskResult;
}
