/**
 * piscina worker: loads the addon in this thread and runs one batch of one sampler. The result
 * buffer is transferred back (Piscina.move), never copied.
 */
import { Piscina } from 'piscina';
import { loadNative } from './native.js';
import type { SamplerParams } from './types.js';

export interface SamplerTask {
  sampler: string;
  n: number;
  params?: SamplerParams;
  /** Shared cancellation cell set by the pool when the batch times out. */
  cancel?: Int32Array;
  timeoutMs?: number;
}

export interface SamplerTaskResult {
  buffer: ArrayBuffer;
  filled: number;
  unit: string;
  startNs: bigint;
  endNs: bigint;
}

export default function run(task: SamplerTask): SamplerTaskResult {
  const addon = loadNative();
  const out = new BigInt64Array(task.n);
  const startNs = process.hrtime.bigint();
  const wallStart = BigInt(Date.now()) * 1_000_000n;
  const r = addon.sample(task.sampler, out, task.params ?? {}, task.cancel ?? null, task.timeoutMs ?? 0);
  const elapsed = process.hrtime.bigint() - startNs;
  const result: SamplerTaskResult = {
    buffer: out.buffer,
    filled: r.filled,
    unit: r.unit,
    startNs: wallStart,
    endNs: wallStart + elapsed,
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
