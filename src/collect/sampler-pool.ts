import { availableParallelism } from 'node:os';
import type { Piscina } from 'piscina';
import { type ErrorCode, errorMessage, isOeError, OeError } from '../errors.js';
import { createWorkerPool } from '../util/workers.js';
import { probeSource } from './availability.js';
import { getSource } from './catalog.js';
import { loadNative } from './native.js';
import type { SampleOptions, Sampler } from './sampler.js';
import type { SamplerTask, SamplerTaskResult, WorkerDiagnostic } from './sampler-worker.js';
import type { MeasurementUnit, SampleBatch, SourceSpec } from './types.js';

/** Largest batch the pool accepts (2^24 measurements = 128 MiB). */
export const MAX_BATCH = 1 << 24;
/** How long a batch waits for the pool's first worker thread to start before its own deadline starts anyway. */
const WORKER_START_GUARD_MS = 120_000;

export interface SamplerPoolOptions {
  /** Worker threads (default max(2, CPUs)). */
  threads?: number;
  /** First backoff after the second consecutive failure, in ms (default 1000); doubles per failure. */
  backoffBaseMs?: number;
  /** Longest backoff in ms (default 60000). */
  backoffMaxMs?: number;
  /**
   * Batches queued at each worker thread (default 2): the next batch is already waiting in the worker when the
   * current one ends, so a busy worker never sleeps between batches waiting for the main thread to dispatch.
   */
  tasksPerWorker?: number;
  /** How long a timed-out batch may take to honour its cancel cell before its worker is replaced (default 250). */
  graceMs?: number;
}

/**
 * What the pool knows about one source, for the recorder, the entropy pool and the monitor.
 * `status`: `idle` never sampled; `ok` last batch succeeded; `failing` the last batch failed once (retried
 * immediately); `backoff` two or more consecutive failures, sampling refused until `retryAt`.
 */
export interface SourceState {
  name: string;
  status: 'idle' | 'ok' | 'failing' | 'backoff';
  batches: number;
  samples: number;
  /** Consecutive failures (0 after a success). */
  failures: number;
  totalFailures: number;
  /** Timeouts among the failures. */
  timeouts: number;
  /** Native faults (SIGSEGV, SIGBUS, …) among the failures; each costs one abandoned thread. */
  crashes: number;
  lastError?: string;
  lastErrorCode?: ErrorCode;
  /** ms since the Unix epoch. */
  lastErrorAt?: number;
  /** While backing off: ms since the Unix epoch when sampling is allowed again. */
  retryAt?: number;
  /** Worker-side duration of the last successful batch, ms. */
  lastBatchMs?: number;
  /** ms since the Unix epoch of the last successful batch. */
  lastSuccessAt?: number;
  inFlight: number;
}

/**
 * One finished batch, for observers (the metrics module): `ok` with the worker-side duration and the samples it
 * returned, or a failure with its error code (a congestion refusal that is not the source's fault is not reported).
 */
export type BatchEvent =
  | { source: string; ok: true; seconds: number; samples: number }
  | { source: string; ok: false; code: ErrorCode; crashed: boolean };

function newState(name: string): SourceState {
  return {
    name,
    status: 'idle',
    batches: 0,
    samples: 0,
    failures: 0,
    totalFailures: 0,
    timeouts: 0,
    crashes: 0,
    inFlight: 0,
  };
}

/**
 * Runs native samplers in piscina worker threads. One pool per process is enough; every caller (scan,
 * recorder, entropy pool, server) shares it. Isolation: every batch has a deadline; a source that hangs,
 * throws or keeps failing is backed off exponentially and never blocks other sources or the caller; a worker
 * that dies or is terminated is replaced by piscina. A C++ exception in a sampler is a rejected promise, and so
 * is a native fault (SIGSEGV, SIGBUS, SIGILL, SIGFPE): the addon runs every batch on a guarded thread that a
 * fault ends on its own (native/src/oe_guard.cc); a crashed source backs off at once.
 */
export class SamplerPool implements Sampler {
  private readonly piscina: Piscina;
  private readonly states = new Map<string, SourceState>();
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly graceMs: number;
  private readonly maxThreads: number;
  /** Worker-level errors piscina reported outside any task (a worker died while idle). */
  workerErrors = 0;
  private readonly batchListeners = new Set<(e: BatchEvent) => void>();
  /** Settles once the first worker thread runs tasks (firstWorker). */
  private firstStart: Promise<void> | null = null;

  constructor(options: SamplerPoolOptions = {}) {
    const threads = options.threads ?? Math.max(2, availableParallelism());
    this.maxThreads = threads;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 60_000;
    this.graceMs = options.graceMs ?? 250;
    this.piscina = createWorkerPool(import.meta.url, 'sampler-worker', {
      minThreads: 1,
      maxThreads: threads,
      idleTimeout: 30_000,
      concurrentTasksPerWorker: options.tasksPerWorker ?? 2,
    });
    // Without a listener an idle worker's death would be an unhandled 'error' event; piscina replaces it.
    this.piscina.on('error', () => {
      this.workerErrors++;
    });
  }

  /**
   * Starts every worker thread and loads the addon in each (a thread's first start takes ~0.1-1 s, which
   * would otherwise count against the first batches' deadlines). Returns the number of distinct threads.
   */
  async warmUp(): Promise<number> {
    const ids = await Promise.all(Array.from({ length: this.maxThreads }, () => this.diagnose('ping')));
    return new Set(ids).size;
  }

  /**
   * Resolves once the pool's first worker thread runs tasks, or after WORKER_START_GUARD_MS (a hang guard).
   * Starting a thread (module loading, and the tsx loader when run from source) takes ~0.1-1 s on an idle
   * machine but over 5 s on a busy one; batch deadlines count from after it, so a slow start is not reported
   * as "no free worker". A worker that cannot start still fails the batch itself, with its own error.
   */
  private firstWorker(): Promise<void> {
    this.firstStart ??= new Promise<void>((resolve) => {
      const guard = setTimeout(resolve, WORKER_START_GUARD_MS);
      const done = () => {
        clearTimeout(guard);
        resolve();
      };
      this.piscina.run({ diagnostic: 'ready' } satisfies SamplerTask).then(done, done);
    });
    return this.firstStart;
  }

  /** Worker threads currently alive. */
  get threadCount(): number {
    return this.piscina.threads.length;
  }

  /** The pool's view of one source (a fresh `idle` state if it was never sampled). */
  sourceState(name: string): SourceState {
    return { ...(this.states.get(name) ?? newState(name)) };
  }

  /** Every source this pool has sampled or tried to. */
  sourceStates(): SourceState[] {
    return [...this.states.values()].map((s) => ({ ...s }));
  }

  /** Calls `listener` after every batch that succeeded or counted as the source's failure; returns the unsubscribe. */
  onBatch(listener: (e: BatchEvent) => void): () => void {
    this.batchListeners.add(listener);
    return () => this.batchListeners.delete(listener);
  }

  private emitBatch(e: BatchEvent): void {
    for (const l of this.batchListeners) {
      try {
        l(e);
      } catch {
        // An observer's fault must never turn a batch into a failure of its source.
      }
    }
  }

  /** Forgets a source's failures and backoff (e.g. after the user fixed its cause). */
  resetSource(name: string): void {
    this.states.delete(name);
  }

  private state(name: string): SourceState {
    let s = this.states.get(name);
    if (!s) {
      s = newState(name);
      this.states.set(name, s);
    }
    return s;
  }

  /** Samples `n` raw measurements from a source in a worker thread; the values' buffer is transferred. */
  async sample(source: string | SourceSpec, n: number, options: SampleOptions = {}): Promise<SampleBatch> {
    const spec = typeof source === 'string' ? getSource(source) : source;
    if (!Number.isInteger(n) || n <= 0 || n > MAX_BATCH) {
      throw new OeError('USAGE', `sample count must be an integer in 1..${MAX_BATCH}, got ${n}`);
    }
    const timeoutMs = options.timeoutMs ?? 5000;
    if (!(timeoutMs > 0)) throw new OeError('USAGE', `timeoutMs must be positive, got ${timeoutMs}`);
    const st = this.state(spec.name);
    const now = Date.now();
    if (!options.ignoreBackoff && st.status === 'backoff' && st.retryAt !== undefined && now < st.retryAt) {
      throw new OeError(
        'UNAVAILABLE',
        `source ${spec.name} is backing off after ${st.failures} consecutive failures ` +
          `(last: ${st.lastError}); retry in ${((st.retryAt - now) / 1000).toFixed(1)} s`,
      );
    }
    st.inFlight++;
    let result: SamplerTaskResult;
    try {
      result = await this.runBatch(spec, n, timeoutMs);
    } catch (e) {
      if (!(e instanceof BatchNotStarted)) throw e;
      // The worker this batch was queued at died or was replaced (e.g. because another source's batch wedged it)
      // before the batch started: not this source's fault. Retry once on a fresh worker.
      try {
        result = await this.runBatch(spec, n, timeoutMs);
      } catch (e2) {
        const err = e2 instanceof BatchNotStarted ? new OeError('FAILED', `source ${spec.name}: ${e2.message}`) : e2;
        throw err;
      }
    } finally {
      st.inFlight--;
    }
    if (result.filled < n) {
      const err = new OeError(
        'TIMEOUT',
        `source ${spec.name}: ${result.filled} of ${n} samples before the ${timeoutMs} ms deadline`,
      );
      // A batch that reached a worker only after its deadline (a congested pool) is not the source's fault.
      if (!result.cancelledBeforeStart) this.recordFailure(st, err);
      throw err;
    }
    st.status = 'ok';
    st.failures = 0;
    st.retryAt = undefined;
    st.batches++;
    st.samples += result.filled;
    st.lastBatchMs = result.ranMs;
    st.lastSuccessAt = Date.now();
    this.emitBatch({ source: spec.name, ok: true, seconds: result.ranMs / 1000, samples: result.filled });
    return {
      source: spec.name,
      values: new BigInt64Array(result.buffer, 0, result.filled),
      unit: result.unit as MeasurementUnit,
      startNs: result.startNs,
      endNs: result.endNs,
    };
  }

  /**
   * One batch in a worker with its deadline. Throws BatchNotStarted when the batch was lost before it began
   * through no fault of the source; otherwise failures are recorded in the source's state.
   */
  private async runBatch(spec: SourceSpec, n: number, timeoutMs: number): Promise<SamplerTaskResult> {
    const st = this.state(spec.name);
    await this.firstWorker();
    // cell 0: cancel (read by the native sampler); cell 1: set to 1 by the worker when the batch starts.
    const cancel = new Int32Array(new SharedArrayBuffer(8));
    const task: SamplerTask = { sampler: spec.sampler, n, params: spec.params, cancel, timeoutMs };
    const abort = new AbortController();
    let timedOut = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      Atomics.store(cancel, 0, 1);
      graceTimer = setTimeout(() => abort.abort(new Error('batch deadline passed')), this.graceMs);
    }, timeoutMs);
    try {
      return (await this.piscina.run(task, { signal: abort.signal })) as SamplerTaskResult;
    } catch (e) {
      const started = Atomics.load(cancel, 1) === 1;
      if (timedOut && !started) {
        // Never reached a worker: the pool was congested, the source did nothing wrong.
        throw new OeError('TIMEOUT', `source ${spec.name}: no free worker within ${timeoutMs} ms`);
      }
      if (!started) throw new BatchNotStarted(`worker lost before the batch started (${errorMessage(e)})`);
      const err = abort.signal.aborted
        ? new OeError('TIMEOUT', `source ${spec.name}: batch ignored its ${timeoutMs} ms deadline; worker replaced`, {
            cause: e,
          })
        : new OeError('FAILED', samplerFailure(spec, e), { cause: e });
      this.recordFailure(st, err);
      throw err;
    } finally {
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
    }
  }

  private recordFailure(st: SourceState, err: OeError): void {
    st.failures++;
    st.totalFailures++;
    if (err.code === 'TIMEOUT') st.timeouts++;
    // A fault is a bug, not bad luck, and each one abandons a thread: no immediate retry.
    const crashed = isCrash(err.message);
    if (crashed) st.crashes++;
    st.lastError = err.message;
    st.lastErrorCode = err.code;
    st.lastErrorAt = Date.now();
    this.emitBatch({ source: st.name, ok: false, code: err.code, crashed });
    if (st.failures >= 2 || crashed) {
      const delay = Math.min(this.backoffMaxMs, this.backoffBaseMs * 2 ** Math.max(0, st.failures - 2));
      st.status = 'backoff';
      st.retryAt = st.lastErrorAt + delay;
    } else {
      st.status = 'failing';
    }
  }

  /** Test and benchmark hook: runs a diagnostic in a worker (see sampler-worker.ts). Not for production use. */
  async diagnose(diagnostic: WorkerDiagnostic): Promise<number> {
    try {
      return (await this.piscina.run({ diagnostic } satisfies SamplerTask)) as number;
    } catch (e) {
      throw isOeError(e) ? e : new OeError('FAILED', `worker diagnostic ${diagnostic}: ${errorMessage(e)}`);
    }
  }

  async close(): Promise<void> {
    await this.piscina.destroy();
  }
}

/** Samples in the calling thread, without the pool: the baseline the pool's overhead is measured against. */
export function sampleDirect(source: string | SourceSpec, n: number): SampleBatch {
  const spec = typeof source === 'string' ? getSource(source) : source;
  if (!Number.isInteger(n) || n <= 0 || n > MAX_BATCH) {
    throw new OeError('USAGE', `sample count must be an integer in 1..${MAX_BATCH}, got ${n}`);
  }
  const out = new BigInt64Array(n);
  const startNs = BigInt(Date.now()) * 1_000_000n;
  const t0 = process.hrtime.bigint();
  let r: { filled: number; unit: string };
  try {
    r = loadNative().sample(spec.sampler, out, spec.params ?? {}, null, 0);
  } catch (e) {
    throw new OeError('FAILED', samplerFailure(spec, e), { cause: e });
  }
  const endNs = startNs + (process.hrtime.bigint() - t0);
  return { source: spec.name, values: out.subarray(0, r.filled), unit: r.unit as MeasurementUnit, startNs, endNs };
}

/** "source X: why", without the addon's own "X: " prefix when the sampler has the source's name. */
function samplerFailure(spec: SourceSpec, e: unknown): string {
  const message = errorMessage(e);
  const prefix = `${spec.sampler}: `;
  const why = spec.sampler === spec.name && message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return `source ${spec.name}: ${why}`;
}

/**
 * Whether a batch failed only because it never reached a worker before its deadline (every thread was busy with
 * other batches): the pool's congestion, not the source's fault, and not counted against it.
 */
export function isCongestion(e: unknown): boolean {
  return isOeError(e) && e.code === 'TIMEOUT' && / no free worker within /.test(e.message);
}

/** The addon's message for a sampler that faulted (see native/src/oe_guard.cc). */
function isCrash(message: string): boolean {
  return /sampler crashed with SIG[A-Z]+/.test(message);
}

/** A batch lost before it started (its worker died or was replaced underneath it). */
class BatchNotStarted extends Error {}

let shared: SamplerPool | undefined;

/** The process-wide pool the library functions use (created on first use; idle workers do not keep the process alive). */
export function sharedSamplerPool(): SamplerPool {
  shared ??= new SamplerPool();
  return shared;
}

/** Closes the process-wide pool, if one was created. */
export async function closeSharedSamplerPool(): Promise<void> {
  const p = shared;
  shared = undefined;
  if (p) await p.close();
}

/** `n` raw measurements of a source and their extracted bytes, from the library API. */
export interface SourceSample {
  source: string;
  unit: MeasurementUnit;
  values: BigInt64Array;
  /** The source's documented extraction of `values` (one byte per measurement unless its doc says otherwise). */
  bytes: Uint8Array;
  startNs: bigint;
  endNs: bigint;
}

/**
 * Samples `n` raw measurements from the named catalog source through the shared pool (in batches of at most
 * the source's batch size, so each has its own deadline) and extracts its bytes. Unknown names throw
 * NOT_FOUND; an unavailable source throws UNAVAILABLE with the reason.
 */
export async function sampleSource(
  name: string,
  n: number,
  options: SampleOptions & { pool?: SamplerPool } = {},
): Promise<SourceSample> {
  const spec = getSource(name);
  if (!Number.isInteger(n) || n <= 0 || n > MAX_BATCH) {
    throw new OeError('USAGE', `sample count must be an integer in 1..${MAX_BATCH}, got ${n}`);
  }
  const reason = probeSource(spec);
  if (reason !== null) throw new OeError('UNAVAILABLE', `source ${name} is unavailable: ${reason}`);
  const pool = options.pool ?? sharedSamplerPool();
  const values = new BigInt64Array(n);
  let filled = 0;
  let unit: MeasurementUnit = 'value';
  let startNs: bigint | undefined;
  let endNs = 0n;
  while (filled < n) {
    const batch = await pool.sample(spec, Math.min(spec.batchSize, n - filled), options);
    values.set(batch.values, filled);
    filled += batch.values.length;
    unit = batch.unit;
    startNs ??= batch.startNs;
    endNs = batch.endNs;
  }
  return { source: name, unit, values, bytes: spec.extract(values), startNs: startNs ?? 0n, endNs };
}
