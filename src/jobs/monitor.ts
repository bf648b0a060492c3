/**
 * The monitor job, the model behind `oe monitor`: samples every selected source through a SamplerPool
 * once per tick, runs the same SP 800-90B health tests as the entropy pool on each byte stream, and keeps
 * the rolling windows and histories the dashboard draws. It never prints; the UI renders its frames.
 */

import { mostCommonValue } from '../analyze/sp800-90b/most-common-value.js';
import { autocorrelation } from '../analyze/stats/autocorrelation.js';
import { shannonEntropy } from '../analyze/stats/shannon-entropy.js';
import { probeSource } from '../collect/availability.js';
import { selectSources } from '../collect/catalog.js';
import type { Conditioning } from '../collect/conditioning/index.js';
import { EntropyPool } from '../collect/entropy-pool.js';
import { type HealthStatus, SourceHealth } from '../collect/health/source-health.js';
import { type RecordResult, recordSession } from '../collect/recorder/index.js';
import { isCongestion, SamplerPool } from '../collect/sampler-pool.js';
import type { SourceCategory, SourceKind, SourceSpec } from '../collect/types.js';
import { errorMessage } from '../errors.js';

export interface MonitorOptions {
  /** `--sources` filter or explicit specs (absent: the fast set). */
  sources?: string | readonly SourceSpec[];
  /** Bytes kept per source for its min-entropy and charts (default 16384). */
  windowBytes?: number;
  /** Points of min-entropy history kept per source (default 120). */
  historyLength?: number;
  /** Wall time each source should spend sampling per tick, in ms (default 100). */
  sliceMs?: number;
  sampler?: SamplerPool;
}

export interface SourceView {
  name: string;
  category: SourceCategory;
  kind: SourceKind;
  /** 'failing': the last batch errored (timeout, sampler error); the reason says why. */
  health: HealthStatus | 'failing';
  reason: string | null;
  /** Samples per second of the last batch. */
  rate: number;
  /** MCV min-entropy (SP 800-90B §6.3.1) of the rolling byte window, bits per byte. */
  minEntropy: number;
  /** Plug-in Shannon entropy of the rolling window, bits per byte. */
  shannon: number;
  /** Samples taken since the monitor started. */
  total: number;
  /** Min-entropy per tick, oldest first. */
  history: number[];
}

export interface ActiveView {
  name: string;
  /** Counts of each byte value over the rolling window. */
  histogram: Uint32Array;
  /** r_k for k = 1..n over the rolling window (FFT, src/analyze/stats/autocorrelation.ts). */
  autocorrelation: Float64Array;
  /** |r_k| above which a lag is significant (Bonferroni over the lags). */
  autocorrelationThreshold: number;
  /** Cumulative Σ(byte − 127.5) over the rolling window. */
  walk: Float64Array;
  /** The first bytes of this source's output under the current conditioning, as hex ('' while none). */
  preview: string;
  previewError: string | null;
}

export interface MonitorFrame {
  at: Date;
  tick: number;
  sources: SourceView[];
  active: ActiveView | null;
  conditioning: Conditioning;
}

interface Tracked {
  spec: SourceSpec;
  health: SourceHealth;
  window: Uint8Array;
  filled: number;
  head: number;
  total: number;
  rate: number;
  batch: number;
  history: number[];
  /** MCV min-entropy of the window as of the last tick (computed once per tick). */
  minEntropy: number;
  error: string | null;
}

/** Copies the ring buffer's contents oldest-first. */
function ordered(t: Tracked): Uint8Array {
  if (t.filled < t.window.length) return t.window.slice(0, t.filled);
  const out = new Uint8Array(t.window.length);
  out.set(t.window.subarray(t.head));
  out.set(t.window.subarray(0, t.head), t.window.length - t.head);
  return out;
}

/** Where a recording started from the monitor stands. */
export type RecordingStatus =
  | { state: 'recording'; source: string; output: string }
  | { state: 'saved'; source: string; dir: string; samples: number }
  | { state: 'idle'; reason: string };

export class LiveMonitor {
  private readonly tracked: Tracked[];
  private readonly sampler: SamplerPool;
  private readonly ownsSampler: boolean;
  private readonly historyLength: number;
  private readonly sliceMs: number;
  private pool: EntropyPool | null = null;
  private activeName: string | null;
  private conditioningValue: Conditioning = 'sha256';
  private ticks = 0;
  private recording: { source: string; abort: AbortController; done: Promise<RecordResult> } | null = null;

  constructor(options: MonitorOptions = {}) {
    const specs = typeof options.sources === 'object' ? [...options.sources] : selectSources(options.sources);
    const windowBytes = options.windowBytes ?? 16384;
    this.historyLength = options.historyLength ?? 120;
    this.sliceMs = options.sliceMs ?? 100;
    this.ownsSampler = options.sampler === undefined;
    this.sampler = options.sampler ?? new SamplerPool();
    this.tracked = specs.map((spec) => {
      const health = new SourceHealth(spec.name, spec.kind, spec.credit);
      const reason = probeSource(spec);
      if (reason !== null) health.markUnavailable(reason);
      return {
        spec,
        health,
        window: new Uint8Array(windowBytes),
        filled: 0,
        head: 0,
        total: 0,
        rate: 0,
        batch: 1024,
        history: [],
        minEntropy: 0,
        error: null,
      };
    });
    this.activeName = this.tracked.find((t) => t.health.status !== 'unavailable')?.spec.name ?? null;
  }

  get names(): string[] {
    return this.tracked.map((t) => t.spec.name);
  }

  get active(): string | null {
    return this.activeName;
  }

  get conditioning(): Conditioning {
    return this.conditioningValue;
  }

  setActive(name: string): void {
    if (this.tracked.some((t) => t.spec.name === name)) this.activeName = name;
  }

  /** sha256 → raw → vonneumann → sha256 (openentropy's order). */
  cycleConditioning(): Conditioning {
    const order: Conditioning[] = ['sha256', 'raw', 'vonneumann'];
    this.conditioningValue = order[(order.indexOf(this.conditioningValue) + 1) % order.length];
    return this.conditioningValue;
  }

  /** Samples every source once (concurrently, each within its health state) and returns the new frame. */
  async tick(): Promise<MonitorFrame> {
    this.ticks++;
    await Promise.all(this.tracked.map((t) => this.sampleOne(t)));
    for (const t of this.tracked) {
      const me = t.filled >= 2 ? mostCommonValue(ordered(t)).hMin : 0;
      t.minEntropy = me;
      t.history.push(me);
      if (t.history.length > this.historyLength) t.history.shift();
    }
    return this.frame(await this.preview());
  }

  /** The current state without sampling. */
  frame(preview: { hex: string; error: string | null } = { hex: '', error: null }): MonitorFrame {
    const sources = this.tracked.map((t): SourceView => {
      const window = ordered(t);
      const report = t.health.report();
      return {
        name: t.spec.name,
        category: t.spec.category,
        kind: t.spec.kind,
        health: t.error !== null && t.health.status !== 'unavailable' ? 'failing' : t.health.status,
        reason: t.error ?? report.reason,
        rate: t.rate,
        minEntropy: t.minEntropy,
        shannon: shannonEntropy(window).bitsPerByte,
        total: t.total,
        history: [...t.history],
      };
    });
    const a = this.tracked.find((t) => t.spec.name === this.activeName);
    let active: ActiveView | null = null;
    if (a) {
      const bytes = ordered(a);
      const histogram = new Uint32Array(256);
      for (const b of bytes) histogram[b]++;
      const walk = new Float64Array(bytes.length);
      let s = 0;
      for (let i = 0; i < bytes.length; i++) {
        s += bytes[i] - 127.5;
        walk[i] = s;
      }
      const ac = autocorrelation(bytes, 64);
      active = {
        name: a.spec.name,
        histogram,
        autocorrelation: ac.r,
        autocorrelationThreshold: ac.threshold,
        walk,
        preview: preview.hex,
        previewError: preview.error,
      };
    }
    return { at: new Date(), tick: this.ticks, sources, active, conditioning: this.conditioningValue };
  }

  /**
   * Starts recording the active source into a session under `output` (only the active source, as
   * openentropy's TUI does), or stops the running recording and returns where it was saved.
   */
  async toggleRecording(output: string): Promise<RecordingStatus> {
    if (this.recording) {
      const { source, abort, done } = this.recording;
      this.recording = null;
      abort.abort();
      const r = await done;
      return { state: 'saved', source, dir: r.dir, samples: r.manifest.total_samples };
    }
    const spec = this.tracked.find((t) => t.spec.name === this.activeName)?.spec;
    if (!spec) return { state: 'idle', reason: 'no active source to record' };
    const abort = new AbortController();
    const done = recordSession({
      sources: [spec],
      output,
      signal: abort.signal,
      sampler: this.sampler,
      durationSec: null,
    });
    // A failure surfaces when the recording is stopped; keep it from being an unhandled rejection meanwhile.
    done.catch(() => undefined);
    this.recording = { source: spec.name, abort, done };
    return { state: 'recording', source: spec.name, output };
  }

  async close(): Promise<void> {
    if (this.recording) {
      this.recording.abort.abort();
      await this.recording.done.catch(() => undefined);
      this.recording = null;
    }
    await this.pool?.close();
    if (this.ownsSampler) await this.sampler.close();
  }

  private async sampleOne(t: Tracked): Promise<void> {
    if (!t.health.canSample()) return;
    try {
      const b = await this.sampler.sample(t.spec, t.batch, { timeoutMs: Math.max(2000, this.sliceMs * 20) });
      t.error = null;
      const seconds = Number(b.endNs - b.startNs) / 1e9;
      if (b.values.length > 0 && seconds > 0) {
        t.rate = b.values.length / seconds;
        // Aim each source's batch at the slice: fast sources take more samples, slow ones fewer.
        t.batch = Math.max(64, Math.min(65536, Math.round((t.rate * this.sliceMs) / 1000)));
      }
      t.total += b.values.length;
      const bytes = t.spec.extract(b.values);
      t.health.feed(bytes);
      this.push(t, bytes);
    } catch (e) {
      // A batch that never reached a worker (all busy, e.g. threads still starting on a loaded machine) is not the
      // source's failure: it is simply not sampled this tick.
      if (isCongestion(e)) return;
      t.error = errorMessage(e);
      t.health.samplerFailed(t.error);
    }
  }

  private push(t: Tracked, bytes: Uint8Array): void {
    const w = t.window;
    const src = bytes.length > w.length ? bytes.subarray(bytes.length - w.length) : bytes;
    for (let i = 0; i < src.length; i++) {
      w[t.head] = src[i];
      t.head = (t.head + 1) % w.length;
    }
    t.filled = Math.min(w.length, t.filled + src.length);
  }

  /** 32 bytes of the active source through the entropy pool under the current conditioning. */
  private async preview(): Promise<{ hex: string; error: string | null }> {
    const name = this.activeName;
    if (!name) return { hex: '', error: null };
    try {
      this.pool ??= new EntropyPool({ sources: this.tracked.map((t) => t.spec), sampler: this.sampler });
      const out = await this.pool.getSourceBytes(name, 32, this.conditioningValue);
      return { hex: Buffer.from(out).toString('hex'), error: null };
    } catch (e) {
      return { hex: '', error: errorMessage(e) };
    }
  }
}
