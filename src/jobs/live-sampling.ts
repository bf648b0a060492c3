/**
 * The one way a job samples live sources (`oe analyze`, `oe report`, `oe bench`): every job goes through
 * `sampleLive` (raw measurements) or `sampleConditioned` (bytes out of the entropy pool), and
 * `startLiveTelemetry` records this host's telemetry around the sampling.
 *
 * Policy: each source is probed first (an unavailable source is reported, not sampled); then at most
 * `concurrency` sources are sampled at a time (default max(2, CPUs) = the sampler pool's worker threads),
 * so no batch waits in the pool's queue while its deadline runs (the deadline counts from the call, and a
 * queued batch would time out without the source being at fault). A source is sampled in batches of at
 * most its catalog `batchSize` (each with its own deadline) unless the job asks for one batch per call
 * (`batch: 'whole'`, the bench's rounds). A failing source is reported with the reason; the others go on.
 */
import { availableParallelism } from 'node:os';
import { probeSource } from '../collect/availability.js';
import type { Conditioning } from '../collect/conditioning/index.js';
import { EntropyPool } from '../collect/entropy-pool.js';
import type { Sampler } from '../collect/sampler.js';
import { sharedSamplerPool } from '../collect/sampler-pool.js';
import {
  type TelemetryColumns,
  TelemetrySeries,
  type TelemetryWindow,
  telemetrySnapshot,
  telemetryWindow,
} from '../collect/telemetry/index.js';
import type { MeasurementUnit, SourceSpec } from '../collect/types.js';
import { errorMessage } from '../errors.js';
import { settleLimited } from '../util/limit.js';

export interface LiveSamplingOptions {
  /** Sampler (default: the process-wide SamplerPool; never closed here). */
  sampler?: Sampler;
  /** Sources sampled at once (default max(2, CPUs): one batch per worker thread). */
  concurrency?: number;
  /** Deadline of each batch in ms (default 5000). */
  timeoutMs?: number;
  /** Sample even while the sampler backs the source off (a bench round is a deliberate retry). */
  ignoreBackoff?: boolean;
  /**
   * `source` (default): batches of at most the source's catalog batchSize; `whole`: the n samples in one
   * batch (one deadline for all of them, one start/end time).
   */
  batch?: 'source' | 'whole';
  /** Availability probe (default probeSource): null, or why the source cannot run here. */
  probe?: (spec: SourceSpec) => string | null;
  /** Called as each source finishes (progress lines). */
  onSampled?: (result: LiveSample) => void;
}

/** One source's live sample, or why there is none. */
export type LiveSample =
  | {
      spec: SourceSpec;
      ok: true;
      unit: MeasurementUnit;
      values: BigInt64Array;
      /** The source's documented extraction of `values`. */
      bytes: Uint8Array;
      /** Wall clock of the first batch's start and the last batch's end, ns since the epoch. */
      startNs: bigint;
      endNs: bigint;
      /** Σ of the batches' own durations (ns): sampling time without the dispatch between batches. */
      busyNs: bigint;
    }
  | { spec: SourceSpec; ok: false; unavailable: boolean; reason: string };

/** Default number of sources sampled at once: the sampler pool's worker threads. */
export function defaultConcurrency(): number {
  return Math.max(2, availableParallelism());
}

async function sampleOne(
  sampler: Sampler,
  spec: SourceSpec,
  n: number,
  options: LiveSamplingOptions,
): Promise<LiveSample> {
  const values = new BigInt64Array(n);
  const per = options.batch === 'whole' ? n : Math.max(1, spec.batchSize);
  let filled = 0;
  let unit: MeasurementUnit = 'value';
  let startNs: bigint | undefined;
  let endNs = 0n;
  let busyNs = 0n;
  while (filled < n) {
    const b = await sampler.sample(spec, Math.min(per, n - filled), {
      timeoutMs: options.timeoutMs ?? 5000,
      ...(options.ignoreBackoff ? { ignoreBackoff: true } : {}),
    });
    if (b.values.length === 0) throw new Error(`source ${spec.name}: empty batch`);
    values.set(b.values.subarray(0, n - filled), filled);
    filled += Math.min(b.values.length, n - filled);
    unit = b.unit;
    startNs ??= b.startNs;
    endNs = b.endNs;
    busyNs += b.endNs - b.startNs;
  }
  return { spec, ok: true, unit, values, bytes: spec.extract(values), startNs: startNs ?? 0n, endNs, busyNs };
}

/** Samples `n` raw measurements of every source under the policy above; results in the order of `specs`. */
export async function sampleLive(
  specs: readonly SourceSpec[],
  n: number,
  options: LiveSamplingOptions = {},
): Promise<LiveSample[]> {
  const probe = options.probe ?? probeSource;
  const sampler: Sampler = options.sampler ?? sharedSamplerPool();
  const limit = Math.max(1, options.concurrency ?? defaultConcurrency());
  const settled = await settleLimited(specs, limit, async (spec) => {
    const reason = probe(spec);
    const r: LiveSample =
      reason !== null
        ? { spec, ok: false, unavailable: true, reason }
        : await sampleOne(sampler, spec, n, options).catch(
            (e): LiveSample => ({ spec, ok: false, unavailable: false, reason: errorMessage(e) }),
          );
    options.onSampled?.(r);
    return r;
  });
  return settled.map((s, i) =>
    s.status === 'fulfilled'
      ? s.value
      : { spec: specs[i], ok: false, unavailable: false, reason: errorMessage(s.reason) },
  );
}

/** One source's conditioned bytes, or why there are none. */
export type ConditionedSample =
  | { spec: SourceSpec; ok: true; bytes: Uint8Array }
  | { spec: SourceSpec; ok: false; reason: string };

/**
 * `n` bytes of every source's own output of the entropy pool under `mode` (health-tested, conditioned as
 * the pool would serve it). One source after another: the pool itself keeps its sampler busy.
 */
export async function sampleConditioned(
  specs: readonly SourceSpec[],
  n: number,
  mode: Conditioning,
  options: { pool?: EntropyPool; onSampled?: (r: ConditionedSample) => void } = {},
): Promise<ConditionedSample[]> {
  const pool = options.pool ?? new EntropyPool({ sources: specs });
  const out: ConditionedSample[] = [];
  try {
    for (const spec of specs) {
      let r: ConditionedSample;
      try {
        r = { spec, ok: true, bytes: await pool.getSourceBytes(spec.name, n, mode) };
      } catch (e) {
        r = { spec, ok: false, reason: errorMessage(e) };
      }
      options.onSampled?.(r);
      out.push(r);
    }
  } finally {
    if (!options.pool) await pool.close();
  }
  return out;
}

/** This host's telemetry over a live job: a snapshot at start and end, and every `intervalMs` when > 0. */
export interface LiveTelemetry {
  /** Ends the recording: the window between the first and last snapshot, and the periodic rows. */
  stop(): { window: TelemetryWindow; rows: TelemetryColumns };
}

export function startLiveTelemetry(intervalMs = 0): LiveTelemetry {
  const series = new TelemetrySeries();
  const first = telemetrySnapshot();
  series.add(first);
  const timer = intervalMs > 0 ? setInterval(() => series.add(telemetrySnapshot()), intervalMs) : null;
  let done: { window: TelemetryWindow; rows: TelemetryColumns } | null = null;
  return {
    stop() {
      if (done) return done;
      if (timer) clearInterval(timer);
      const last = telemetrySnapshot();
      series.add(last);
      done = { window: telemetryWindow(first, last), rows: series.drain() };
      return done;
    },
  };
}
