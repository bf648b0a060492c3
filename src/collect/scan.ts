import { availableParallelism } from 'node:os';
import { mostCommonValue } from '../analyze/sp800-90b/most-common-value.js';
import { errorMessage } from '../errors.js';
import { concatInto } from '../util/typed-arrays.js';
import { detectAvailable, type SourceAvailability } from './availability.js';
import { loadNative } from './native.js';
import { isCongestion, SamplerPool } from './sampler-pool.js';
import type { MeasurementUnit, SourceSpec } from './types.js';

/** One row of `oe scan` (schemas/scan.schema.json): availability plus what was measured. */
export interface ScanEntry extends SourceAvailability {
  /** Samples per second of worker-side sampler time; null when not measured. */
  rate: number | null;
  /** MCV min-entropy (SP 800-90B 6.3.1) of the extracted bytes, bits per byte; null when not measured. */
  minEntropy: number | null;
  samples: number;
  credit: number;
  description: string;
  error?: string;
  note?: string;
}

export interface ScanReport {
  sources: ScanEntry[];
  machine: { arch: string; tickUnit: 'tsc' | 'ns'; cpus: number };
  elapsedMs: number;
}

export interface ScanOptions {
  /** Pool to sample through (default: a private pool, closed at the end). */
  pool?: SamplerPool;
  /** Sampler time per source, ms (default 150): batches stop once it is spent or `targetSamples` are in. */
  budgetMs?: number;
  /** Samples per source to aim for (default 4096). */
  targetSamples?: number;
  /** Deadline of each batch, ms (default 2000). */
  timeoutMs?: number;
  /** Measure opt-in sources too (default false: they are listed, not run). */
  measureOptIn?: boolean;
  /** Called after each source is finished. */
  onProgress?: (done: number, total: number, entry: ScanEntry) => void;
}

/** Batches a congested pool could not start before their deadline are retried this many times. */
const CONGESTION_RETRIES = 5;

/**
 * One batch; a batch that never reached a worker (the pool busy with other sources' batches, as on a loaded
 * machine) is retried: that is not the source's result, and reporting it as the source's error would mislead.
 */
async function sampleOnce(pool: SamplerPool, spec: SourceSpec, n: number, timeoutMs: number) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await pool.sample(spec, n, { timeoutMs });
    } catch (e) {
      if (!isCongestion(e) || attempt >= CONGESTION_RETRIES) throw e;
    }
  }
}

/** A small first batch that builds a sampler's lazy state (DRAM buffer, data file) outside the measurement. */
async function warmUp(pool: SamplerPool, spec: SourceSpec, timeoutMs: number): Promise<void> {
  await sampleOnce(pool, spec, Math.min(spec.batchSize, 16), Math.max(timeoutMs, 3000));
}

/** Measures one warmed-up source: batches until the sampler-time budget or the sample target is reached. */
async function measure(pool: SamplerPool, spec: SourceSpec, o: Required<Omit<ScanOptions, 'pool' | 'onProgress'>>) {
  const parts: BigInt64Array[] = [];
  let samples = 0;
  let ranMs = 0;
  let unit: MeasurementUnit | undefined;
  while (samples < o.targetSamples && (ranMs < o.budgetMs || parts.length === 0)) {
    const n = Math.min(spec.batchSize, Math.max(16, o.targetSamples - samples));
    const b = await sampleOnce(pool, spec, n, o.timeoutMs);
    parts.push(b.values);
    samples += b.values.length;
    ranMs += Number(b.endNs - b.startNs) / 1e6;
    unit = b.unit;
  }
  const bytes = spec.extract(concatInto(new BigInt64Array(samples), parts));
  return {
    unit,
    samples,
    rate: ranMs > 0 ? samples / (ranMs / 1000) : null,
    minEntropy: bytes.length >= 2 ? mostCommonValue(bytes).hMin : null,
  };
}

/**
 * `oe scan` as a library function: probes every given source and, for each available one, measures a quick
 * rate and the MCV min-entropy of its bytes through the sampler pool, several sources at once.
 */
export async function scanSources(specs: readonly SourceSpec[], options: ScanOptions = {}): Promise<ScanReport> {
  const t0 = performance.now();
  const o = {
    budgetMs: options.budgetMs ?? 150,
    targetSamples: options.targetSamples ?? 4096,
    timeoutMs: options.timeoutMs ?? 2000,
    measureOptIn: options.measureOptIn ?? false,
  };
  const native = loadNative();
  const pool = options.pool ?? new SamplerPool();
  const entries: ScanEntry[] = detectAvailable(specs).map((a, i) => ({
    ...a,
    rate: null,
    minEntropy: null,
    samples: 0,
    credit: specs[i].credit,
    description: specs[i].description,
  }));
  let done = 0;
  const total = entries.length;
  const queue: number[] = [];
  entries.forEach((e, i) => {
    if (!e.available) {
      done++;
      options.onProgress?.(done, total, e);
    } else if (e.optIn && !o.measureOptIn) {
      e.note = 'opt-in: not measured unless named in --sources';
      done++;
      options.onProgress?.(done, total, e);
    } else queue.push(i);
  });
  try {
    if (queue.length > 0) await pool.warmUp();
    const lanes = Math.max(1, Math.min(queue.length, availableParallelism()));
    // Phase 1 warms every source up, so that one source's lazy set-up (e.g. mapping and populating the 1 GiB
    // DRAM buffer, which holds the process's mmap lock) does not land inside another source's measurement.
    const warm = [...queue];
    const failed = new Map<number, string>();
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = warm.shift(); i !== undefined; i = warm.shift()) {
          try {
            await warmUp(pool, specs[i], o.timeoutMs);
          } catch (err) {
            failed.set(i, errorMessage(err));
          }
        }
      }),
    );
    await Promise.all(
      Array.from({ length: lanes }, async () => {
        for (let i = queue.shift(); i !== undefined; i = queue.shift()) {
          const e = entries[i];
          try {
            const why = failed.get(i);
            if (why !== undefined) throw new Error(why);
            const m = await measure(pool, specs[i], o);
            e.unit = m.unit ?? e.unit;
            e.samples = m.samples;
            e.rate = m.rate;
            e.minEntropy = m.minEntropy;
          } catch (err) {
            e.error = errorMessage(err);
          }
          done++;
          options.onProgress?.(done, total, e);
        }
      }),
    );
  } finally {
    if (!options.pool) await pool.close();
  }
  return {
    sources: entries,
    machine: { arch: native.arch(), tickUnit: native.tickUnit, cpus: availableParallelism() },
    elapsedMs: performance.now() - t0,
  };
}
