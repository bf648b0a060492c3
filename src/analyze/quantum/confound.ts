/**
 * quantum_proxy_v3 (EXPERIMENTAL) telemetry confound: a penalty for machine conditions (load,
 * heating, frequency and rail drift, memory pressure) during the measurement that could explain
 * entropy classically. Reads a telemetry_v1 window (start and end snapshots).
 */
import type { TelemetryMetric, TelemetrySnapshot } from '../../contracts/telemetry.js';
import { mean } from '../stats/mean-sd.js';
import { clamp01 } from './config.js';

/** The part of a telemetry_v1 metric the confound reads (a row rebuilt from a recorded series may lack unit and source). */
export type ConfoundMetric = Pick<TelemetryMetric, 'domain' | 'name' | 'value'> &
  Partial<Pick<TelemetryMetric, 'unit' | 'source'>>;

/** The part of a telemetry_v1 snapshot the confound reads. */
export interface ConfoundSnapshot extends Partial<Pick<TelemetrySnapshot, 'cpu_count' | 'loadavg_1m'>> {
  metrics: ConfoundMetric[];
}

/** Start and end of the measurement: a telemetry_v1 window, or one built from a recorded series. */
export interface ConfoundWindow {
  start: ConfoundSnapshot;
  end: ConfoundSnapshot;
  elapsed_ms?: number;
}

export interface TelemetryConfound {
  confound_index: number;
  load_abs_per_core: number;
  load_delta_per_core: number;
  thermal_rise_c: number;
  frequency_drift_ratio: number;
  memory_pressure: number;
  rail_drift_ratio: number;
  /** base penalty = clamp01(confound_index × this) before the per-category scale. */
  confound_to_stress_scale: number;
  /** Window length, when known. */
  elapsed_ms?: number;
}

export const CONFOUND_TO_STRESS_SCALE = 0.7;

const key = (m: ConfoundMetric) => `${m.domain}\u0000${m.name}\u0000${m.unit ?? ''}\u0000${m.source ?? ''}`;

function loadavg(s: ConfoundSnapshot): number | undefined {
  if (typeof s.loadavg_1m === 'number' && Number.isFinite(s.loadavg_1m)) return s.loadavg_1m;
  const m = s.metrics.find((x) => x.name === 'loadavg_1m');
  return m && Number.isFinite(m.value) ? m.value : undefined;
}

function metric(s: ConfoundSnapshot, domain: string, name: string): number | undefined {
  const m = s.metrics.find((x) => x.domain === domain && x.name === name);
  return m && Number.isFinite(m.value) ? m.value : undefined;
}

/**
 * The confound model (openentropy's):
 * load_abs = loadavg_1m(end)/cores; load_delta = |end − start|/cores (missing start → 0, missing end → start);
 * thermal_rise = mean of the positive deltas in domain `thermal`;
 * frequency_drift = mean over `frequency` metrics of |Δ|/max(|start|, |end|, 1e-9);
 * memory_pressure = clamp01(0.6·(1 − avail_end/total) + 0.4·max(avail_start − avail_end, 0)/total)
 *   (memory.total_bytes, memory.available_bytes falling back to free_bytes; 0 without a total);
 * rail_drift = the relative mean over domains `power`, `voltage`, `current`;
 * index = clamp01(0.26·clamp01(load_abs) + 0.18·clamp01(load_delta) + 0.18·clamp01(thermal/8 °C)
 *   + 0.14·clamp01(freq/0.15) + 0.16·memory + 0.08·clamp01(rail/0.25)).
 * Deltas pair metrics present in both snapshots with the same (domain, name, unit, source).
 */
export function telemetryConfound(w: ConfoundWindow): TelemetryConfound {
  const cores = Math.max(1, w.end.cpu_count ?? w.start.cpu_count ?? 1);
  const lEnd = loadavg(w.end);
  const lStart = loadavg(w.start);
  const endLoad = lEnd ?? lStart ?? 0;
  const loadAbs = endLoad / cores;
  const loadDelta = lStart === undefined ? 0 : Math.abs(endLoad - lStart) / cores;
  const startMap = new Map(w.start.metrics.map((m) => [key(m), m]));
  const deltas: { domain: string; s: number; e: number }[] = [];
  for (const m of w.end.metrics) {
    const s = startMap.get(key(m));
    if (s && Number.isFinite(s.value) && Number.isFinite(m.value))
      deltas.push({ domain: m.domain, s: s.value, e: m.value });
  }
  const rel = (d: { s: number; e: number }) => Math.abs(d.e - d.s) / Math.max(Math.abs(d.s), Math.abs(d.e), 1e-9);
  const thermal = mean(deltas.filter((d) => d.domain === 'thermal' && d.e - d.s > 0).map((d) => d.e - d.s));
  const freq = mean(deltas.filter((d) => d.domain === 'frequency').map(rel));
  const rail = mean(deltas.filter((d) => ['power', 'voltage', 'current'].includes(d.domain)).map(rel));
  const total = metric(w.end, 'memory', 'total_bytes') ?? metric(w.start, 'memory', 'total_bytes');
  let memory = 0;
  if (total && total > 0) {
    const availEnd = metric(w.end, 'memory', 'available_bytes') ?? metric(w.end, 'memory', 'free_bytes');
    const availStart = metric(w.start, 'memory', 'available_bytes') ?? metric(w.start, 'memory', 'free_bytes');
    if (availEnd !== undefined)
      memory = clamp01(0.6 * (1 - availEnd / total) + 0.4 * (Math.max((availStart ?? availEnd) - availEnd, 0) / total));
  }
  const index = clamp01(
    0.26 * clamp01(loadAbs / 1.0) +
      0.18 * clamp01(loadDelta / 1.0) +
      0.18 * clamp01(thermal / 8) +
      0.14 * clamp01(freq / 0.15) +
      0.16 * memory +
      0.08 * clamp01(rail / 0.25),
  );
  return {
    confound_index: index,
    load_abs_per_core: loadAbs,
    load_delta_per_core: loadDelta,
    thermal_rise_c: thermal,
    frequency_drift_ratio: freq,
    memory_pressure: memory,
    rail_drift_ratio: rail,
    confound_to_stress_scale: CONFOUND_TO_STRESS_SCALE,
    ...(w.elapsed_ms !== undefined ? { elapsed_ms: w.elapsed_ms } : {}),
  };
}

/**
 * Per-category scale of the confound penalty: 1.1 for gpu/composite/novel (many shared pathways),
 * 0.8 for sensor/thermal, 1.0 otherwise (openentropy's `novel`/`cross_domain` as oe's catalog names them).
 */
export function confoundCategoryScale(category: string): number {
  if (category === 'gpu' || category === 'composite' || category === 'novel') return 1.1;
  if (category === 'sensor' || category === 'thermal') return 0.8;
  return 1.0;
}

/** penalty = clamp01( clamp01(index × 0.70) × category scale ). */
export function confoundPenalty(c: TelemetryConfound, category: string): number {
  return clamp01(clamp01(c.confound_index * c.confound_to_stress_scale) * confoundCategoryScale(category));
}

/**
 * A window from a telemetry_v1 series (recorded rows t, domain, name, unit, source, value): for every
 * key, its first and last value. `cpuCount` comes from the session's fingerprint.
 */
export function telemetryWindowFromSeries(
  rows: readonly (ConfoundMetric & { t: number })[],
  cpuCount?: number,
): ConfoundWindow | undefined {
  if (rows.length === 0) return undefined;
  const first = new Map<string, ConfoundMetric & { t: number }>();
  const last = new Map<string, ConfoundMetric & { t: number }>();
  let t0 = Number.POSITIVE_INFINITY;
  let t1 = Number.NEGATIVE_INFINITY;
  for (const r of rows) {
    const k = key(r);
    const f = first.get(k);
    if (!f || r.t < f.t) first.set(k, r);
    const l = last.get(k);
    if (!l || r.t >= l.t) last.set(k, r);
    t0 = Math.min(t0, r.t);
    t1 = Math.max(t1, r.t);
  }
  const snap = (m: Map<string, ConfoundMetric & { t: number }>): ConfoundSnapshot => ({
    cpu_count: cpuCount,
    metrics: [...m.values()].map(({ domain, name, value, unit, source }) => ({ domain, name, value, unit, source })),
  });
  return { start: snap(first), end: snap(last), elapsed_ms: t1 - t0 };
}
