/**
 * Live stress sweep for quantum_proxy_v3 (EXPERIMENTAL, `oe bench --quantum-live-stress`): samples every
 * source at baseline and under three loads (CPU spin, memory streaming, scheduler churn), each started
 * `warmupMs` before sampling, and reports each source's MCV min-entropy per pass. Part of the bench job
 * (it drives samplers and load threads); each pass samples through the live-sampling helper.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StressSweepSource } from '../analyze/quantum/stress.js';
import { mostCommonValue } from '../analyze/sp800-90b/most-common-value.js';
import type { Sampler } from '../collect/sampler.js';
import type { SourceSpec } from '../collect/types.js';
import { sampleLive } from './live-sampling.js';

export interface StressSweepConfig {
  enabled: true;
  warmup_ms: number;
  cpu_threads: number;
  memory_threads: number;
  memory_megabytes_per_thread: number;
  scheduler_threads: number;
  samples_per_pass: number;
}

export interface StressSweepReport {
  config: StressSweepConfig;
  elapsed_ms: number;
  by_source: Record<
    string,
    {
      baseline_min_entropy: number | null;
      cpu_load_min_entropy: number | null;
      memory_load_min_entropy: number | null;
      scheduler_load_min_entropy: number | null;
    }
  >;
}

// Load generators: each polls a shared stop cell.
const CPU_LOAD = `
const { workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
let x = 0x12345678 | 0;
while (Atomics.load(stop, 0) === 0) {
  for (let i = 0; i < 100000; i++) { x = (Math.imul(x, 1103515245) + 12345) | 0; x = (x << 7) | (x >>> 25); }
}
`;
const MEMORY_LOAD = `
const { workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
const buf = new Uint8Array(workerData.bytes);
let i = 0;
while (Atomics.load(stop, 0) === 0) {
  for (let k = 0; k < 100000; k++) { buf[i]++; i += 4099; if (i >= buf.length) i -= buf.length; }
}
`;
const SCHEDULER_LOAD = `
const { workerData } = require('node:worker_threads');
const stop = new Int32Array(workerData.stop);
const nap = new Int32Array(new SharedArrayBuffer(4));
while (Atomics.load(stop, 0) === 0) Atomics.wait(nap, 0, 0, 0.08);
`;

async function withLoad<T>(
  code: string,
  threads: number,
  data: object,
  warmupMs: number,
  fn: () => Promise<T>,
): Promise<T> {
  const stop = new SharedArrayBuffer(4);
  const workers = Array.from(
    { length: threads },
    () => new Worker(code, { eval: true, workerData: { ...data, stop } }),
  );
  try {
    await new Promise((r) => setTimeout(r, warmupMs));
    return await fn();
  } finally {
    Atomics.store(new Int32Array(stop), 0, 1);
    await Promise.all(workers.map((w) => w.terminate()));
  }
}

/**
 * Runs the sweep over `sources` with `samples` measurements per source and pass. A source whose pass
 * fails (timeout, error) has null for that pass.
 */
export async function runStressSweep(
  sources: readonly SourceSpec[],
  sampler: Sampler,
  options: { samples: number; timeoutMs: number; warmupMs?: number },
): Promise<StressSweepReport> {
  const t0 = Date.now();
  const cores = availableParallelism();
  const config: StressSweepConfig = {
    enabled: true,
    warmup_ms: options.warmupMs ?? 180,
    cpu_threads: Math.min(8, Math.max(1, cores - 1)),
    memory_threads: 1,
    memory_megabytes_per_thread: 64,
    scheduler_threads: 2,
    samples_per_pass: options.samples,
  };
  const pass = async (): Promise<(number | null)[]> => {
    const rs = await sampleLive(sources, options.samples, {
      sampler,
      timeoutMs: options.timeoutMs,
      ignoreBackoff: true,
      batch: 'whole',
      probe: () => null,
    });
    return rs.map((r) => (r.ok && r.bytes.length >= 2 ? mostCommonValue(r.bytes).hMin : null));
  };
  const baseline = await pass();
  const cpu = await withLoad(CPU_LOAD, config.cpu_threads, {}, config.warmup_ms, pass);
  const memory = await withLoad(
    MEMORY_LOAD,
    config.memory_threads,
    { bytes: config.memory_megabytes_per_thread << 20 },
    config.warmup_ms,
    pass,
  );
  const scheduler = await withLoad(SCHEDULER_LOAD, config.scheduler_threads, {}, config.warmup_ms, pass);
  const by_source: StressSweepReport['by_source'] = {};
  sources.forEach((s, i) => {
    by_source[s.name] = {
      baseline_min_entropy: baseline[i],
      cpu_load_min_entropy: cpu[i],
      memory_load_min_entropy: memory[i],
      scheduler_load_min_entropy: scheduler[i],
    };
  });
  return { config, elapsed_ms: Date.now() - t0, by_source };
}

/** The quantum model's view of one source's sweep (undefined without a baseline). */
export function sweepForSource(r: StressSweepReport, name: string): StressSweepSource | undefined {
  const s = r.by_source[name];
  if (!s || s.baseline_min_entropy === null) return undefined;
  return {
    baselineMinEntropy: s.baseline_min_entropy,
    cpuLoadMinEntropy: s.cpu_load_min_entropy ?? undefined,
    memoryLoadMinEntropy: s.memory_load_min_entropy ?? undefined,
    schedulerLoadMinEntropy: s.scheduler_load_min_entropy ?? undefined,
  };
}
