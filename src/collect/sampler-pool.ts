import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { errorMessage, OeError } from '../errors.js';
import { createWorkerPool } from '../util/workers.js';
import { getSource } from './catalog.js';
import { loadNative } from './native.js';
import type { SamplerTask, SamplerTaskResult } from './sampler-worker.js';
import type { MeasurementUnit, SampleBatch, SourceSpec } from './types.js';

export interface SampleOptions {
  /** Batch deadline in ms (default 5000). The sampler is cancelled cooperatively at the deadline. */
  timeoutMs?: number;
}

/**
 * Runs native samplers in piscina worker threads. One pool per process is enough; every caller
 * (scan, recorder, entropy pool, server) shares it.
 */
export class SamplerPool {
  private readonly piscina: Piscina;

  constructor(options: { threads?: number } = {}) {
    const threads = options.threads ?? Math.max(2, availableParallelism());
    this.piscina = createWorkerPool(import.meta.url, 'sampler-worker', {
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 30_000,
    });
  }

  /** Samples `n` raw measurements from a source in a worker thread. */
  async sample(source: string | SourceSpec, n: number, options: SampleOptions = {}): Promise<SampleBatch> {
    const spec = typeof source === 'string' ? getSource(source) : source;
    if (!Number.isInteger(n) || n <= 0) throw new OeError('USAGE', `sample count must be a positive integer, got ${n}`);
    const timeoutMs = options.timeoutMs ?? 5000;
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const task: SamplerTask = { sampler: spec.sampler, n, params: spec.params, cancel, timeoutMs };
    let result: SamplerTaskResult;
    try {
      result = (await this.piscina.run(task)) as SamplerTaskResult;
    } catch (e) {
      throw new OeError('FAILED', `source ${spec.name}: ${errorMessage(e)}`, { cause: e });
    }
    const values = new BigInt64Array(result.buffer, 0, result.filled);
    return {
      source: spec.name,
      values,
      unit: result.unit as MeasurementUnit,
      startNs: result.startNs,
      endNs: result.endNs,
    };
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

/** Samples in the calling thread, without the pool: the baseline the pool's overhead is measured against. */
export function sampleDirect(source: string | SourceSpec, n: number): SampleBatch {
  const spec = typeof source === 'string' ? getSource(source) : source;
  const out = new BigInt64Array(n);
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const t0 = process.hrtime.bigint();
  const r = loadNative().sample(spec.sampler, out, spec.params ?? {}, null, 0);
  const endNs = startNs + (process.hrtime.bigint() - t0);
  return { source: spec.name, values: out.subarray(0, r.filled), unit: r.unit as MeasurementUnit, startNs, endNs };
}
