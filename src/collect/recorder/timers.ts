/**
 * The recorder's three periodic jobs: telemetry snapshots (every --telemetry-interval), flushes (every
 * --flush-interval, one after the other, a failure ends the recording) and progress reports (every
 * 250 ms, with per-source rates).
 */
import type { HealthStatus, SourceHealthReport } from '../health/source-health.js';
import { TelemetrySeries, telemetrySnapshot } from '../telemetry/index.js';
import type { FlushInputs, PartWriter } from './part-writer.js';
import type { Backlog, RecordingSourceState, SourceRun } from './scheduler.js';
import type { RecordingStop } from './stop.js';

export interface SourceProgress {
  name: string;
  samples: number;
  batches: number;
  timeouts: number;
  errors: number;
  /** Samples per second over the last progress interval. */
  rate: number;
  state: RecordingSourceState;
  lastError: string | null;
  /** SP 800-90B health of the source (the entropy pool's tests, run on every recorded batch). */
  health: { status: HealthStatus; failures: SourceHealthReport['failures'] };
}

export interface RecordProgress {
  id: string;
  dir: string;
  elapsedMs: number;
  durationMs: number | null;
  sources: SourceProgress[];
  totalSamples: number;
  bytesOnDisk: number;
  parts: number;
  telemetryRows: number;
  phase: 'recording' | 'stopping' | 'done';
}

/** The telemetry series of the session: a snapshot now and every `intervalMs` until stopped. */
export class TelemetryTimer {
  readonly series = new TelemetrySeries();
  /** Most metrics seen in one snapshot. */
  metrics = 0;
  private timer: NodeJS.Timeout | null = null;

  start(intervalMs: number): void {
    this.take();
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  take(): void {
    try {
      const s = telemetrySnapshot();
      this.metrics = Math.max(this.metrics, s.metrics.length);
      this.series.add(s);
    } catch {
      // telemetry is best effort: a failed read never ends a recording
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

/** Flushes every `intervalMs`, one flush after the other; the first failure ends the recording. */
export class FlushTimer {
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  /** Flushes asked for and not finished. */
  private queued = 0;

  constructor(
    private readonly writer: PartWriter,
    private readonly inputs: FlushInputs,
    private readonly stop: RecordingStop,
    intervalMs: number,
    /** Called after every flush that succeeded (the size guard). */
    private readonly afterFlush?: () => void,
    /** Told when a flush is due while the previous one still runs (the scheduler then waits). */
    private readonly backlog?: Backlog,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
  }

  /** Queues a flush after the running one; resolves when it is done (never rejects). */
  flush(): Promise<void> {
    this.lag(1);
    this.chain = this.chain
      .then(async () => {
        if (this.stop.fatal) return;
        try {
          await this.writer.flush(this.inputs);
          this.afterFlush?.();
        } catch (e) {
          this.stop.fail(e);
        }
      })
      .catch(() => undefined)
      .finally(() => this.lag(-1));
    return this.chain;
  }

  private lag(delta: 1 | -1): void {
    this.queued += delta;
    if (this.backlog) this.backlog.lagging = this.queued > 1;
  }

  /** No more periodic flushes (a last `flush()` may still be queued). */
  cancel(): void {
    clearInterval(this.timer);
  }
}

/** Calls `report` every 250 ms after updating every source's rate (an exponential moving average). */
export class ProgressTicker {
  private readonly timer: NodeJS.Timeout;
  private lastTick = performance.now();
  private readonly last = new Map<SourceRun, number>();
  /** Samples per second of each source, smoothed. */
  readonly rates = new Map<SourceRun, number>();

  constructor(
    private readonly runs: readonly SourceRun[],
    report: () => void,
  ) {
    this.timer = setInterval(() => {
      this.tick();
      report();
    }, 250);
  }

  private tick(): void {
    const now = performance.now();
    const dt = (now - this.lastTick) / 1000;
    this.lastTick = now;
    for (const r of this.runs) {
      const inst = (r.sampled - (this.last.get(r) ?? 0)) / dt;
      const rate = this.rates.get(r) ?? 0;
      this.rates.set(r, rate === 0 ? inst : 0.7 * rate + 0.3 * inst);
      this.last.set(r, r.sampled);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** What a progress report is made of. */
export interface ProgressParts {
  id: string;
  dir: string;
  /** performance.now() when sampling started. */
  t0: number;
  durationSec: number | null;
  runs: readonly SourceRun[];
  ticker: ProgressTicker | null;
  writer: PartWriter;
  telemetry: TelemetryTimer | null;
}

/** A progress report now: per-source totals and rates, bytes and parts on disk. */
export function progressReport(p: ProgressParts, phase: RecordProgress['phase']): RecordProgress {
  return {
    id: p.id,
    dir: p.dir,
    elapsedMs: performance.now() - p.t0,
    durationMs: p.durationSec === null ? null : p.durationSec * 1000,
    sources: p.runs.map((r) => ({
      name: r.spec.name,
      samples: r.sampled,
      batches: r.sampledBatches,
      timeouts: r.counts.timeouts,
      errors: r.counts.errors,
      rate: p.ticker?.rates.get(r) ?? 0,
      state: r.state,
      lastError: r.counts.last_error,
      health: { status: r.health.status, failures: r.health.report().failures },
    })),
    totalSamples: p.runs.reduce((a, r) => a + r.sampled, 0),
    bytesOnDisk: p.writer.bytes,
    parts: p.writer.files.length,
    telemetryRows: p.writer.telemetryRows + (p.telemetry?.series.pending ?? 0),
    phase,
  };
}
