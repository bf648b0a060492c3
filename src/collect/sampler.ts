/**
 * The one sampler interface: what the recorder, the entropy pool, the bench and the stress sweep need
 * from whatever produces raw batches. `SamplerPool` (src/collect/sampler-pool.ts) implements it; tests
 * and benches inject recorded, synthetic or timed wrappers.
 */
import type { SampleBatch, SourceSpec } from './types.js';

export interface SampleOptions {
  /**
   * Batch deadline in ms (default 5000), counted from the call. At the deadline the shared cancel cell is set
   * and the sampler returns at its next `ctx.stop()` check; if the worker has not answered `graceMs` later it
   * is terminated and replaced.
   */
  timeoutMs?: number;
  /** Sample even while the source is backing off (a manual retry). */
  ignoreBackoff?: boolean;
}

/** The part of a sampler's per-source state its callers act on (SamplerPool's `sourceState()` returns more). */
export interface SamplerBackoff {
  /** Failures counted against the source so far: unchanged after a failure means congestion, not the source. */
  totalFailures: number;
  /** While the source backs off: ms since the Unix epoch when it may be sampled again. */
  retryAt?: number;
}

export interface Sampler {
  /** `n` raw measurements of one source; rejects with an OeError (TIMEOUT, UNAVAILABLE, FAILED). */
  sample(source: SourceSpec, n: number, options?: SampleOptions): Promise<SampleBatch>;
  /** The sampler's failure bookkeeping for a source, to tell its fault from congestion and honour its backoff. */
  sourceState?(name: string): SamplerBackoff;
  /** Starts worker threads up front, so thread start-up does not count against the first deadlines. */
  warmUp?(): Promise<unknown>;
  /** Releases threads; callers close only samplers they created. */
  close?(): Promise<void>;
}
