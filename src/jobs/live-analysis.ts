/**
 * The live-analysis job (`oe analyze`): samples the sources now through the live-sampling helper, with
 * periodic telemetry snapshots of this host while it samples when asked, then analyses the samples like a
 * session (src/jobs/session-analysis.ts). Sample times are interpolated over each source's sampling interval.
 */

import { type TelemetryMetricSeries, telemetrySeries } from '../analyze/entropy-over-time.js';
import type {
  Analysis,
  AnalysisInput,
  AnalysisOptions,
  SourceAnalysis,
  SourceData,
} from '../analyze/source-analysis.js';
import type { TelemetryWindow } from '../collect/telemetry/index.js';
import type { SourceSpec } from '../collect/types.js';
import { optionError } from '../errors.js';
import {
  type LiveSample,
  type LiveSamplingOptions,
  type LiveTelemetry,
  sampleLive,
  startLiveTelemetry,
} from './live-sampling.js';
import { analyzeFeeds, memoryFeed } from './session-analysis.js';

export interface LiveOptions extends AnalysisOptions {
  /** Measurements per source (default 50,000, as openentropy). */
  samples?: number;
  /** Telemetry snapshots every this many ms while sampling (0: none). */
  telemetryIntervalMs?: number;
  /** Receives the sampled data before it is analysed (e.g. for the experimental quantum proxy). */
  onData?: (data: readonly SourceData[]) => void;
  /** Sampler and probe (tests); default the shared sampler pool and probeSource. */
  sampling?: Pick<LiveSamplingOptions, 'sampler' | 'probe' | 'concurrency'>;
}

/** Interpolated sample times over [startNs, endNs], relative to the whole second at or before the start. */
function sampleTimes(n: number, startNs: bigint, endNs: bigint): { times: Float64Array; origin: number } {
  const originNs = (startNs / 1_000_000_000n) * 1_000_000_000n;
  const t0 = Number(startNs - originNs) / 1e9;
  const t1 = Number(endNs - originNs) / 1e9;
  const times = Float64Array.from({ length: n }, (_, i) => t0 + ((i + 0.5) / n) * (t1 - t0));
  return { times, origin: Number(originNs / 1_000_000_000n) };
}

/** Samples every source now and analyses the samples; see the module comment. */
export async function analyzeLive(
  specs: readonly SourceSpec[],
  options: LiveOptions = {},
): Promise<Analysis & { experimental: { telemetry_v1?: TelemetryWindow } }> {
  const samples = options.samples ?? 50_000;
  if (!Number.isInteger(samples) || samples < 2) throw optionError('samples', `must be an integer ≥ 2, got ${samples}`);
  const interval = options.telemetryIntervalMs ?? 0;
  const telemetryRun = interval > 0 ? startLiveTelemetry(interval) : null;
  const started = Date.now();
  let sampled: LiveSample[];
  let recorded: ReturnType<LiveTelemetry['stop']> | undefined;
  try {
    sampled = await sampleLive(specs, samples, {
      ...options.sampling,
      onSampled: (r) => options.onProgress?.(`${r.spec.name}: ${r.ok ? `sampled ${samples}` : r.reason}`),
    });
  } finally {
    recorded = telemetryRun?.stop();
  }
  const data: SourceData[] = [];
  const skipped: SourceAnalysis[] = [];
  for (const r of sampled) {
    if (!r.ok) {
      skipped.push({ name: r.spec.name, unit: null, samples: 0, unavailable: r.reason });
      continue;
    }
    const { times, origin } = sampleTimes(r.bytes.length, r.startNs, r.endNs);
    data.push({ name: r.spec.name, unit: r.unit, values: r.values, bytes: r.bytes, times, timeOrigin: origin });
  }
  let telemetry: TelemetryMetricSeries[] | null = null;
  if (recorded) telemetry = telemetrySeries({ rowCount: recorded.rows.t.length, columns: recorded.rows });
  const input: AnalysisInput = {
    kind: 'live',
    id: null,
    dir: null,
    status: null,
    started_at: new Date(started).toISOString(),
    duration_ms: null,
  };
  options.onData?.(data);
  const a = await analyzeFeeds(
    data.map((d) => memoryFeed(d, options)),
    input,
    options,
    telemetry,
    skipped,
  );
  return recorded ? { ...a, experimental: { ...a.experimental, telemetry_v1: recorded.window } } : a;
}
