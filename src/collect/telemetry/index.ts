import { arch, availableParallelism, loadavg, platform } from 'node:os';
import {
  TELEMETRY_MODEL_ID,
  TELEMETRY_MODEL_VERSION,
  type TelemetryColumns,
  type TelemetryMetric,
  type TelemetryMetricDelta,
  type TelemetrySnapshot,
  type TelemetryWindow,
} from '../../contracts/telemetry.js';
import { optionError } from '../../errors.js';
import { collectLinux } from './linux.js';

export * from '../../contracts/telemetry.js';

function key(m: { domain: string; name: string; unit: string; source: string }): string {
  return `${m.domain}\u0000${m.name}\u0000${m.unit}\u0000${m.source}`;
}

function compareMetric(
  a: { domain: string; name: string; source: string; unit: string },
  b: { domain: string; name: string; source: string; unit: string },
): number {
  return (
    a.domain.localeCompare(b.domain) ||
    a.name.localeCompare(b.name) ||
    a.source.localeCompare(b.source) ||
    a.unit.localeCompare(b.unit)
  );
}

export interface SnapshotOptions {
  /** Filesystem root of /proc and /sys (tests use a fixture tree). */
  root?: string;
  /** Clock in ms since the epoch (default Date.now). */
  now?: () => number;
}

/** One telemetry_v1 snapshot of this host. On non-Linux platforms the metric list is empty (not faked). */
export function telemetrySnapshot(options: SnapshotOptions = {}): TelemetrySnapshot {
  const collected = (options.now ?? Date.now)();
  let metrics: TelemetryMetric[] = [];
  let la: [number, number, number] | null = null;
  if (platform() === 'linux' || options.root) {
    const r = collectLinux(options.root ?? '/');
    metrics = r.metrics;
    la = r.loadavg;
  } else {
    const l = loadavg();
    la = l.every((x) => x === 0) ? null : [l[0], l[1], l[2]];
  }
  // Keep the first of duplicate keys (e.g. two hwmon inputs with the same label).
  const seen = new Set<string>();
  metrics = metrics.filter((m) => {
    const k = key(m);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  metrics.sort(compareMetric);
  return {
    model_id: TELEMETRY_MODEL_ID,
    model_version: TELEMETRY_MODEL_VERSION,
    collected_unix_ms: collected,
    os: platform(),
    arch: arch(),
    cpu_count: availableParallelism(),
    loadavg_1m: la ? la[0] : null,
    loadavg_5m: la ? la[1] : null,
    loadavg_15m: la ? la[2] : null,
    metrics,
  };
}

/**
 * The window between two snapshots: a delta for every metric present at both ends (same domain, name,
 * unit, source), and for counters the rate per second; a counter that went backwards (reset, wrap)
 * gets a null rate rather than a negative one.
 */
export function telemetryWindow(start: TelemetrySnapshot, end: TelemetrySnapshot): TelemetryWindow {
  const elapsedMs = Math.max(0, end.collected_unix_ms - start.collected_unix_ms);
  const byKey = new Map(start.metrics.map((m) => [key(m), m]));
  const deltas: TelemetryMetricDelta[] = [];
  for (const e of end.metrics) {
    const s = byKey.get(key(e));
    if (!s) continue;
    const delta = e.value - s.value;
    const rate = e.kind === 'counter' && delta >= 0 && elapsedMs > 0 ? delta / (elapsedMs / 1000) : null;
    deltas.push({
      domain: e.domain,
      name: e.name,
      unit: e.unit,
      source: e.source,
      kind: e.kind,
      start_value: s.value,
      end_value: e.value,
      delta_value: delta,
      rate_per_s: rate,
    });
  }
  deltas.sort(compareMetric);
  return {
    model_id: TELEMETRY_MODEL_ID,
    model_version: TELEMETRY_MODEL_VERSION,
    elapsed_ms: elapsedMs,
    start,
    end,
    deltas,
  };
}

/** Longest window `oe telemetry` accepts (one day, as openentropy). */
export const MAX_WINDOW_SEC = 86_400;

/** Validates a window length in seconds: negative or non-finite is a usage error (exit 2); longer than a day is clamped. */
export function checkWindowSec(sec: number): number {
  if (typeof sec !== 'number' || !Number.isFinite(sec) || sec < 0) {
    throw optionError('windowSec', `must be a finite number >= 0, got ${sec}`);
  }
  return Math.min(sec, MAX_WINDOW_SEC);
}

/**
 * Captures a window of `seconds` (a snapshot now and one at the end). Resolves early, with a shorter
 * window, when `signal` aborts (Ctrl+C).
 */
export async function captureTelemetryWindow(
  seconds: number,
  options: SnapshotOptions & { signal?: AbortSignal } = {},
): Promise<TelemetryWindow> {
  const sec = checkWindowSec(seconds);
  const start = telemetrySnapshot(options);
  await new Promise<void>((resolve) => {
    const t = setTimeout(done, sec * 1000);
    function done() {
      clearTimeout(t);
      options.signal?.removeEventListener('abort', done);
      resolve();
    }
    options.signal?.addEventListener('abort', done, { once: true });
  });
  return telemetryWindow(start, telemetrySnapshot(options));
}

/**
 * The periodic series the recorder stores: feed it snapshots in time order and take the rows
 * accumulated since the last `drain()`. Counter rates are computed against the previous snapshot.
 */
export class TelemetrySeries {
  private prev = new Map<string, { value: number; t: number }>();
  private rows: {
    t: number;
    m: TelemetryMetric;
    rate: number;
  }[] = [];
  snapshots = 0;

  add(s: TelemetrySnapshot): void {
    this.snapshots++;
    for (const m of s.metrics) {
      const k = key(m);
      const p = this.prev.get(k);
      let rate = Number.NaN;
      if (m.kind === 'counter' && p && s.collected_unix_ms > p.t && m.value >= p.value) {
        rate = (m.value - p.value) / ((s.collected_unix_ms - p.t) / 1000);
      }
      this.prev.set(k, { value: m.value, t: s.collected_unix_ms });
      this.rows.push({ t: s.collected_unix_ms, m, rate });
    }
    if (s.loadavg_1m !== null) {
      // The load averages are part of the snapshot header; the series stores them as gauges too.
      const la: [string, number | null][] = [
        ['loadavg_1m', s.loadavg_1m],
        ['loadavg_5m', s.loadavg_5m],
        ['loadavg_15m', s.loadavg_15m],
      ];
      for (const [name, v] of la) {
        if (v === null) continue;
        const m: TelemetryMetric = {
          domain: 'scheduling',
          name,
          value: v,
          unit: 'count',
          source: 'procfs',
          kind: 'gauge',
        };
        this.rows.push({ t: s.collected_unix_ms, m, rate: Number.NaN });
      }
    }
  }

  get pending(): number {
    return this.rows.length;
  }

  drain(): TelemetryColumns {
    const n = this.rows.length;
    const out: TelemetryColumns = {
      t: new BigInt64Array(n),
      domain: new Array(n),
      name: new Array(n),
      unit: new Array(n),
      source: new Array(n),
      kind: new Array(n),
      value: new Float64Array(n),
      rate: new Float64Array(n),
    };
    this.rows.forEach((r, i) => {
      out.t[i] = BigInt(Math.round(r.t)) * 1000n;
      out.domain[i] = r.m.domain;
      out.name[i] = r.m.name;
      out.unit[i] = r.m.unit;
      out.source[i] = r.m.source;
      out.kind[i] = r.m.kind;
      out.value[i] = r.m.value;
      out.rate[i] = r.rate;
    });
    this.rows = [];
    return out;
  }
}
