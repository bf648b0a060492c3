/**
 * The fair-share scheduler: hands the sampler's worker threads to the recorded sources in equal slices
 * of worker time, sizes each source's batches, applies the rate cap, --interval and backoff, and buffers
 * every batch (with its SP 800-90B health annotation) until the part writer takes it.
 *
 * At most `slots` batches are in flight (one per worker thread), so no batch waits in a queue and its
 * deadline measures the sampler alone. When a slot frees, the ready source that has used the least
 * worker time so far gets it; a batch is sized to take about BATCH_TARGET_MS. A slow or hung source is
 * charged the time it took (up to its deadline), so it cannot crowd out the others, and a source that
 * hits its deadline gets smaller batches and backs off exponentially.
 */
import { errorMessage, isOeError, OeError } from '../../errors.js';
import { SourceHealth } from '../health/source-health.js';
import type { Sampler } from '../sampler.js';
import type { SourceCounts } from '../session/manifest.js';
import type { SampleBatch, SourceSpec } from '../types.js';
import type { BatchOutcome, RecorderEvents } from './events.js';
import { BATCH_TARGET_MS, INITIAL_BATCH, type RecordPlan } from './options.js';

/** Where a recorded source stands: sampling, backing off after a failure, done (max-samples) or stopped. */
export type RecordingSourceState = 'sampling' | 'backoff' | 'done' | 'stopped';

/** One sampler batch held in memory until the next flush writes it. */
export interface PendingBatch {
  batch: number;
  seqStart: number;
  values: BigInt64Array;
  bytes: Uint8Array;
  requested: number;
  startNs: bigint;
  endNs: bigint;
  status: 'ok' | 'short';
  /** SP 800-90B health of this batch: startup, ok, quarantined, or the test it failed (rct, apt, startup). */
  health: string;
}

/** Everything the recorder keeps about one source. */
export interface SourceRun {
  spec: SourceSpec;
  /** The pool's health tests, run on every recorded batch; they annotate, they never drop raw data. */
  health: SourceHealth;
  /** What is on disk (the part writer counts samples and batches once they are written). */
  counts: SourceCounts;
  pending: PendingBatch[];
  nextSeq: number;
  nextBatch: number;
  nextPart: number;
  batchSize: number;
  backoffMs: number;
  state: RecordingSourceState;
  unit: string | null;
  /** Samples and batches taken from the sampler (counts.* are those written to disk). */
  sampled: number;
  sampledBatches: number;
  /** Worker time this source has used (ms): the scheduler's fair-share key. */
  usedMs: number;
  /** performance.now() before which the source must not be sampled (rate cap, interval, backoff). */
  readyAt: number;
  busy: boolean;
  /** Rate cap: performance.now() at which the samples taken so far are paid for. */
  due: number;
}

/**
 * What the writer has not written yet. The scheduler adds the sampled bytes (values and extracted bytes)
 * it buffers, the part writer takes off what it has written or dropped, and the flush timer says when a
 * flush is due while the previous one still runs (`lagging`). While either bound is passed no batch is
 * started: a writer that falls behind slows the sampling, no recorded data is ever dropped, memory stays
 * bounded, and a kill -9 loses no more than before (the flush being written and one interval buffered).
 */
export class Backlog {
  bytes = 0;
  /** A flush is waiting for the previous one to finish. */
  lagging = false;
  /** Times sampling had to wait for the writer (a batch slot was free but the backlog full). */
  waits = 0;
  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.lagging || this.bytes > this.limit;
  }
}

export function newSourceRun(spec: SourceSpec, maxRate: number): SourceRun {
  return {
    spec,
    health: new SourceHealth(spec.name, spec.kind, spec.credit),
    counts: { samples: 0, batches: 0, parts: 0, timeouts: 0, errors: 0, last_error: null },
    pending: [],
    nextSeq: 0,
    nextBatch: 0,
    nextPart: 0,
    // Start small: the first batches measure the source's speed, then the size adapts (see afterBatch).
    batchSize: Math.max(
      1,
      Math.min(spec.batchSize, INITIAL_BATCH, Number.isFinite(maxRate) ? Math.ceil(maxRate / 20) : Infinity),
    ),
    backoffMs: 0,
    state: 'sampling',
    unit: null,
    sampled: 0,
    sampledBatches: 0,
    usedMs: 0,
    readyAt: 0,
    busy: false,
    due: 0,
  };
}

/**
 * Runs a batch through the source's SP 800-90B health tests (the entropy pool's, §4.3–4.4) and names
 * the outcome. A quarantined source re-enters start-up testing once its backoff has passed.
 */
function batchHealth(health: SourceHealth, bytes: Uint8Array): { annotation: string; failed: boolean } {
  health.canSample();
  const before = health.status;
  const r = health.feed(bytes);
  if (!r.ok) return { annotation: r.failure.test, failed: true };
  if (before === 'quarantined' || before === 'unavailable') return { annotation: 'quarantined', failed: false };
  return { annotation: health.status === 'startup' ? 'startup' : 'ok', failed: false };
}

export class FairShareScheduler {
  private inFlight = 0;
  private wake: (() => void) | null = null;

  constructor(
    readonly runs: readonly SourceRun[],
    private readonly sampler: Sampler,
    private readonly plan: Pick<RecordPlan, 'slots' | 'maxSamples' | 'maxRate' | 'intervalMs' | 'batchTimeoutMs'>,
    private readonly events: RecorderEvents = {},
    /** Called after every delivered batch was buffered (the size guard). */
    private readonly afterBuffered?: () => void,
    private readonly backlog: Backlog = new Backlog(Number.POSITIVE_INFINITY),
  ) {}

  private readonly poke = (): void => {
    const w = this.wake;
    this.wake = null;
    w?.();
  };

  /**
   * Samples until `stop` aborts or every source is done; then waits for the batches in flight and marks
   * the unfinished sources `stopped`. Returns true when every source reached max-samples.
   */
  async run(stop: AbortSignal): Promise<boolean> {
    stop.addEventListener('abort', this.poke, { once: true });
    const running = new Set<Promise<void>>();
    for (;;) {
      const active = this.runs.filter((r) => r.state !== 'done');
      if (stop.aborted || active.length === 0) break;
      for (let run = this.pick(active); run; run = this.pick(active)) {
        const r = run;
        r.busy = true;
        this.inFlight++;
        const p = this.runBatch(r).finally(() => {
          r.busy = false;
          this.inFlight--;
          running.delete(p);
          this.poke();
        });
        running.add(p);
      }
      // Sleep until a batch finishes, the next source becomes ready, or the recording stops.
      const idle = this.runs.filter((r) => r.state !== 'done' && !r.busy).map((r) => r.readyAt);
      const nextReady = idle.length > 0 ? Math.min(...idle) - performance.now() : Number.POSITIVE_INFINITY;
      const held = this.backlog.full && this.inFlight < this.plan.slots;
      if (held) this.backlog.waits++;
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // Waiting for the writer: look again shortly (a flush takes the backlog down part by part).
        if (held) setTimeout(this.poke, 20);
        else if (Number.isFinite(nextReady) && this.inFlight < this.plan.slots)
          setTimeout(this.poke, Math.max(1, nextReady));
      });
    }
    await Promise.all(running);
    for (const r of this.runs) if (r.state !== 'done') r.state = 'stopped';
    return this.runs.every((r) => r.state === 'done');
  }

  /** The ready source that has used the least worker time, while a slot is free. */
  private pick(active: readonly SourceRun[]): SourceRun | null {
    if (this.inFlight >= this.plan.slots || this.backlog.full) return null;
    const now = performance.now();
    let best: SourceRun | null = null;
    for (const r of active) {
      if (r.busy || r.readyAt > now) continue;
      if (!best || r.usedMs < best.usedMs) best = r;
    }
    return best;
  }

  private async runBatch(run: SourceRun): Promise<void> {
    let n = run.batchSize;
    if (this.plan.maxSamples !== null) n = Math.min(n, this.plan.maxSamples - run.sampled);
    const t = performance.now();
    let batch: SampleBatch;
    try {
      batch = await this.sampler.sample(run.spec, n, { timeoutMs: this.plan.batchTimeoutMs });
    } catch (e) {
      const outcome = this.afterFailure(run, n, performance.now() - t, e);
      this.events.batch?.({
        source: run.spec.name,
        outcome,
        requested: n,
        samples: 0,
        ms: performance.now() - t,
        health: null,
        healthFailed: false,
        healthStatus: run.health.status,
      });
      return;
    }
    const took = performance.now() - t;
    // A source's first batches pay one-time set-up in each worker (buffers, threads): charge them as one
    // target slice, so set-up does not cost the source its share for the rest of the session.
    run.usedMs += run.sampledBatches < this.plan.slots ? Math.min(took, BATCH_TARGET_MS) : took;
    const health = this.buffer(run, n, batch);
    this.afterBatch(run, took, batch.values.length);
    this.afterBuffered?.();
    this.events.batch?.({
      source: run.spec.name,
      outcome: batch.values.length < n ? 'short' : 'ok',
      requested: n,
      samples: batch.values.length,
      ms: took,
      health: health?.annotation ?? null,
      healthFailed: health?.failed ?? false,
      healthStatus: run.health.status,
    });
  }

  /** Charges a failed batch, shrinks the batch after a timeout and sets the backoff. */
  private afterFailure(run: SourceRun, n: number, took: number, e: unknown): BatchOutcome {
    const err = isOeError(e) ? e : new OeError('FAILED', errorMessage(e));
    run.counts.last_error = err.message;
    if (err.code === 'TIMEOUT' && /no free worker/.test(err.message)) {
      // The batch never reached a worker (a thread was still starting): not the source's fault.
      run.readyAt = performance.now() + 50;
      return 'congested';
    }
    run.usedMs += took;
    let outcome: BatchOutcome = 'unavailable';
    if (err.code === 'TIMEOUT') {
      // A slow or hung sampler (the pool discards a batch that missed its deadline): smaller batches.
      run.counts.timeouts++;
      run.batchSize = Math.max(1, Math.floor(n / 4));
      outcome = 'timeout';
    } else if (err.code !== 'UNAVAILABLE') {
      run.counts.errors++;
      outcome = 'error';
    }
    // Wait for the sampler's retry time when it backs the source off, else an own exponential backoff.
    const retryAt = this.sampler.sourceState?.(run.spec.name).retryAt;
    run.backoffMs = Math.min(30_000, Math.max(100, run.backoffMs * 2));
    const wait = retryAt !== undefined && retryAt > Date.now() ? retryAt - Date.now() : run.backoffMs;
    run.readyAt = performance.now() + wait;
    run.state = 'backoff';
    return outcome;
  }

  /** Extracts, health-tests and buffers a delivered batch; returns its health outcome (null if empty). */
  private buffer(run: SourceRun, n: number, batch: SampleBatch): { annotation: string; failed: boolean } | null {
    const filled = batch.values.length;
    run.unit ??= batch.unit;
    if (filled === 0) return null;
    const values = batch.values;
    const bytes = run.spec.extract(values);
    const health = batchHealth(run.health, bytes);
    run.pending.push({
      batch: run.nextBatch++,
      seqStart: run.nextSeq,
      values,
      bytes,
      requested: n,
      startNs: batch.startNs,
      endNs: batch.endNs,
      status: filled < n ? 'short' : 'ok',
      health: health.annotation,
    });
    run.nextSeq += filled;
    this.backlog.bytes += values.byteLength + bytes.byteLength;
    run.sampled += filled;
    run.sampledBatches++;
    return health;
  }

  /** Adapts the batch size and paces the source (rate cap, --interval) after a delivered batch. */
  private afterBatch(run: SourceRun, took: number, filled: number): void {
    const { maxRate, intervalMs, maxSamples } = this.plan;
    run.backoffMs = 0;
    run.state = 'sampling';
    // Adapt the batch to ~BATCH_TARGET_MS of work: grow at most 4× per batch, within the catalog size × 4.
    const perSample = took / Math.max(1, filled);
    let next = Math.round(BATCH_TARGET_MS / Math.max(perSample, 1e-6));
    next = Math.min(next, run.spec.batchSize * 4, Math.max(1, run.batchSize * 4));
    if (Number.isFinite(maxRate)) next = Math.min(next, Math.max(1, Math.ceil(maxRate / 20)));
    run.batchSize = Math.max(1, next);
    // Pacing: the rate cap and --interval decide when this source may run again.
    const now = performance.now();
    let readyAt = now;
    if (Number.isFinite(maxRate)) {
      // Token bucket: at most 250 ms of catch-up after the source was held back, then maxRate on average.
      run.due = Math.max(run.due, now - 250) + (filled / maxRate) * 1000;
      readyAt = Math.max(readyAt, run.due);
    }
    if (intervalMs) readyAt = Math.max(readyAt, performance.now() + intervalMs);
    run.readyAt = readyAt;
    if (maxSamples !== null && run.sampled >= maxSamples) run.state = 'done';
  }
}
