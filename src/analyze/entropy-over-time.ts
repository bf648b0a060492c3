import type { TelemetryColumns } from '../contracts/telemetry.js';
import { benjaminiHochberg } from './dependence/benjamini-hochberg.js';
import { mostCommonValueOfCounts } from './sp800-90b/most-common-value.js';
import { spearman } from './stats/spearman.js';

/** Windows by sample count, or by recorded time (seconds). */
export type WindowSpec = { by: 'count'; samples: number } | { by: 'time'; seconds: number };

export interface EntropyWindow {
  index: number;
  /** Recorded time of the first and last sample in the window, seconds since the Unix epoch (null without times). */
  start: number | null;
  end: number | null;
  n: number;
  /** SP 800-90B §6.3.1 Most Common Value min-entropy of the window's bytes, bits per byte (null below 2 samples). */
  minEntropy: number | null;
}

/**
 * Cuts a byte stream into windows as it streams past (chunk by chunk), keeping only the current window's
 * 256 byte counts (all the MCV needs): memory is constant, whatever the window or the stream. Each closed
 * window gets its MCV min-entropy.
 */
export class EntropyWindowAccumulator {
  readonly windows: EntropyWindow[] = [];
  private readonly counts = new Uint32Array(256);
  private len = 0;
  private start: number | null = null;
  private last: number | null = null;
  private windowStart: number | null = null;

  /**
   * `origin`: seconds since the epoch that sample times are relative to (relative times keep sub-µs
   * resolution, which absolute epoch seconds in a double do not); windows report absolute times.
   */
  constructor(
    private readonly spec: WindowSpec,
    private readonly origin = 0,
  ) {
    if (spec.by === 'count' && !(spec.samples >= 2)) throw new RangeError('a count window needs at least 2 samples');
    if (spec.by === 'time' && !(spec.seconds > 0)) throw new RangeError('a time window must be longer than 0 s');
  }

  /** Adds samples; `times` (seconds since `origin`, one per byte) is required for time windows. */
  push(bytes: Uint8Array, times?: Float64Array | null): void {
    if (this.spec.by === 'time' && !times) throw new RangeError('time windows need sample times');
    for (let i = 0; i < bytes.length; i++) {
      const t = times ? times[i] : null;
      if (this.spec.by === 'count') {
        if (this.len === this.spec.samples) this.close();
      } else if (t !== null) {
        if (this.windowStart === null) this.windowStart = t;
        if (t >= this.windowStart + this.spec.seconds) {
          if (this.len > 0) this.close();
          // Next window starts on the grid (empty grid cells are skipped, not reported).
          this.windowStart += Math.floor((t - this.windowStart) / this.spec.seconds) * this.spec.seconds;
        }
      }
      if (this.len === 0) this.start = t;
      this.counts[bytes[i]]++;
      this.len++;
      this.last = t;
    }
  }

  /** Closes the last (possibly partial) window and returns every window. */
  finish(): EntropyWindow[] {
    if (this.len > 0) this.close();
    return this.windows;
  }

  private close(): void {
    this.windows.push({
      index: this.windows.length,
      start: this.start === null ? null : this.origin + this.start,
      end: this.last === null ? null : this.origin + this.last,
      n: this.len,
      minEntropy: this.len >= 2 ? mostCommonValueOfCounts(this.counts, this.len).hMin : null,
    });
    this.counts.fill(0);
    this.len = 0;
  }
}

/** Windows of a stream held in memory (see EntropyWindowAccumulator). */
export function entropyWindows(
  bytes: Uint8Array,
  times: Float64Array | null,
  spec: WindowSpec,
  origin = 0,
): EntropyWindow[] {
  const acc = new EntropyWindowAccumulator(spec, origin);
  acc.push(bytes, times);
  return acc.finish();
}

/** One telemetry metric over time: gauges by value, counters by their rate (per second). */
export interface TelemetryMetricSeries {
  domain: string;
  name: string;
  unit: string;
  source: string;
  kind: string;
  /** What `v` holds: the gauge's value or the counter's rate. */
  measure: 'value' | 'rate';
  /** Seconds since the epoch, ascending. */
  t: Float64Array;
  v: Float64Array;
}

/** Splits a session's telemetry rows into series, in (domain, name, source, unit) order. */
export function telemetrySeries(rows: { rowCount: number; columns: TelemetryColumns }): TelemetryMetricSeries[] {
  const { t, domain, name, unit, source, kind, value, rate } = rows.columns;
  const groups = new Map<string, { meta: Omit<TelemetryMetricSeries, 't' | 'v'>; t: number[]; v: number[] }>();
  for (let i = 0; i < rows.rowCount; i++) {
    const key = `${domain[i]}\u0000${name[i]}\u0000${source[i]}\u0000${unit[i]}`;
    let g = groups.get(key);
    const measure = kind[i] === 'counter' ? 'rate' : 'value';
    if (!g) {
      g = {
        meta: { domain: domain[i], name: name[i], unit: unit[i], source: source[i], kind: kind[i], measure },
        t: [],
        v: [],
      };
      groups.set(key, g);
    }
    const v = measure === 'rate' ? rate[i] : value[i];
    if (Number.isFinite(v)) {
      g.t.push(Number(t[i]) / 1e6);
      g.v.push(v);
    }
  }
  return [...groups.entries()]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([, g]) => {
      const order = g.t.map((_, i) => i).sort((a, b) => g.t[a] - g.t[b]);
      return { ...g.meta, t: Float64Array.from(order, (i) => g.t[i]), v: Float64Array.from(order, (i) => g.v[i]) };
    });
}

/** A telemetry series without its points (what the relation reports and the headlines choose by). */
export type TelemetrySeriesMeta = Omit<TelemetryMetricSeries, 't' | 'v'>;

/**
 * The series' level during each window (a time join): the mean of its points inside [start, end]; with no
 * point inside, the last point before the window's start (telemetry is sampled more sparsely than entropy);
 * NaN when the series has no point before then. Points are pushed in time order, chunk by chunk, so a
 * series of any length is joined in memory proportional to the windows (each window's sum and count).
 */
export class WindowLevels {
  /** Window indices with both ends known, by start (stable). */
  private readonly order: number[];
  private readonly sum: Float64Array;
  private readonly n: Float64Array;
  private readonly before: Float64Array;
  /** Windows opened (start ≤ the latest point) whose end has not yet been passed. */
  private active: number[] = [];
  private next = 0;
  private last = Number.NaN;
  private lastT = Number.NEGATIVE_INFINITY;

  constructor(private readonly windows: readonly EntropyWindow[]) {
    const k = windows.length;
    this.sum = new Float64Array(k);
    this.n = new Float64Array(k);
    this.before = new Float64Array(k).fill(Number.NaN);
    this.order = windows
      .map((w, i) => (w.start === null || w.end === null ? -1 : i))
      .filter((i) => i >= 0)
      .sort((a, b) => (windows[a].start as number) - (windows[b].start as number) || a - b);
  }

  /** Adds the points t[i], v[i] for i < count; times (seconds since the epoch) ascending across pushes. */
  push(t: ArrayLike<number>, v: ArrayLike<number>, count = t.length): void {
    const { windows, order } = this;
    for (let i = 0; i < count; i++) {
      const ti = t[i];
      if (ti < this.lastT) throw new RangeError('telemetry points must arrive in time order');
      this.lastT = ti;
      // Windows starting at or before this point open now: their level without points is the one before.
      while (this.next < order.length && (windows[order[this.next]].start as number) <= ti) {
        const w = order[this.next++];
        this.before[w] = this.last;
        this.active.push(w);
      }
      if (this.active.length > 0) {
        let keep = 0;
        for (const w of this.active) {
          if ((windows[w].end as number) < ti) continue;
          this.active[keep++] = w;
          this.sum[w] += v[i];
          this.n[w]++;
        }
        this.active.length = keep;
      }
      this.last = v[i];
    }
  }

  /** Each window's level (see the class comment). */
  finish(): Float64Array {
    while (this.next < this.order.length) this.before[this.order[this.next++]] = this.last;
    const out = new Float64Array(this.windows.length).fill(Number.NaN);
    for (const w of this.order) out[w] = this.n[w] > 0 ? this.sum[w] / this.n[w] : this.before[w];
    return out;
  }
}

/** The series' level during each window (see WindowLevels), for a series held in memory. */
export function seriesPerWindow(series: TelemetryMetricSeries, windows: EntropyWindow[]): Float64Array {
  const levels = new WindowLevels(windows);
  levels.push(series.t, series.v);
  return levels.finish();
}

export interface TelemetryCorrelation {
  domain: string;
  name: string;
  source: string;
  unit: string;
  measure: 'value' | 'rate';
  /** Windows where both the min-entropy and the series have a value. */
  n: number;
  /** Spearman's ρ between window min-entropy and the series' level in the window. */
  rho: number;
  pValue: number;
  /** Benjamini–Hochberg over every series tested for this source. */
  qValue: number;
}

export interface HeadlineRelation {
  /** The series standing for this quantity, or null with the reason. */
  series: string | null;
  result: TelemetryCorrelation | null;
  reason?: string;
}

export interface TelemetryRelation {
  windows: number;
  /**
   * Windows left out because they hold fewer than a quarter of the median window's samples (edge windows of
   * a time grid): the MCV bound depends on n, so a short window's min-entropy is biased low.
   */
  excludedShortWindows: number;
  tested: number;
  /** Series that could not be tested (constant over the windows or too few windows), by name. */
  untested: { series: string; reason: string }[];
  correlations: TelemetryCorrelation[];
  /** The four quantities the issue names: load, CPU frequency, temperature, memory pressure. */
  headline: {
    load: HeadlineRelation;
    frequency: HeadlineRelation;
    temperature: HeadlineRelation;
    memory_pressure: HeadlineRelation;
  };
}

const HEADLINES: Record<keyof TelemetryRelation['headline'], (s: TelemetrySeriesMeta) => number> = {
  // lower rank = preferred stand-in; Infinity = not a candidate
  load: (s) =>
    s.domain === 'scheduling' && s.name === 'loadavg_1m'
      ? 0
      : s.domain === 'pressure' && s.name === 'cpu_some_avg10'
        ? 1
        : s.name === 'runnable_tasks'
          ? 2
          : Infinity,
  frequency: (s) =>
    s.domain === 'frequency' && s.name === 'cpu_hz_avg'
      ? 0
      : s.domain === 'frequency' && s.name === 'cpu0_hz'
        ? 1
        : Infinity,
  temperature: (s) => (s.domain === 'thermal' && s.unit === 'C' ? 0 : Infinity),
  memory_pressure: (s) =>
    s.domain === 'pressure' && s.name === 'memory_some_avg10'
      ? 0
      : s.domain === 'memory' && s.name === 'available_bytes'
        ? 1
        : Infinity,
};

export function seriesLabel(s: { domain: string; name: string; source: string }): string {
  return `${s.domain}/${s.name}${s.source ? ` (${s.source})` : ''}`;
}

/**
 * How a source's min-entropy per window moves with the session's own recorded telemetry: Spearman's ρ per
 * series over the windows (rank-based: robust to the skew of rates and gauges), two-sided p-values and BH
 * q-values over all series, plus the four headline quantities.
 */
export function telemetryRelation(windows: EntropyWindow[], series: TelemetryMetricSeries[]): TelemetryRelation {
  return telemetryRelationOfLevels(
    windows,
    series.map((s) => ({ series: s, level: seriesPerWindow(s, windows) })),
  );
}

/**
 * telemetryRelation from each series' level per window (WindowLevels), for series too long to hold:
 * the session job streams them.
 */
export function telemetryRelationOfLevels(
  windows: EntropyWindow[],
  levels: { series: TelemetrySeriesMeta; level: Float64Array }[],
): TelemetryRelation {
  const series = levels.map((l) => l.series);
  const ns = windows.map((w) => w.n).sort((a, b) => a - b);
  const median = ns.length ? ns[Math.floor((ns.length - 1) / 2)] : 0;
  const minN = Math.max(2, median / 4);
  let excluded = 0;
  const h = Float64Array.from(windows, (w) => {
    if (w.minEntropy === null) return Number.NaN;
    if (w.n < minN) {
      excluded++;
      return Number.NaN;
    }
    return w.minEntropy;
  });
  const results: (TelemetryCorrelation & { label: string })[] = [];
  const untested: { series: string; reason: string }[] = [];
  for (const { series: s, level: x } of levels) {
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < h.length; i++)
      if (Number.isFinite(h[i]) && Number.isFinite(x[i])) {
        a.push(h[i]);
        b.push(x[i]);
      }
    const label = seriesLabel(s);
    if (a.length < 4) {
      untested.push({ series: label, reason: `${a.length} windows with data (needs 4)` });
      continue;
    }
    const r = spearman(a, b);
    if (!r) {
      untested.push({ series: label, reason: 'constant over the windows (or min-entropy constant)' });
      continue;
    }
    results.push({
      label,
      domain: s.domain,
      name: s.name,
      source: s.source,
      unit: s.unit,
      measure: s.measure,
      n: r.n,
      rho: r.rho,
      pValue: r.pValue,
      qValue: 1,
    });
  }
  const q = benjaminiHochberg(results.map((r) => r.pValue));
  results.forEach((r, i) => {
    r.qValue = q[i];
  });
  const headline = {} as TelemetryRelation['headline'];
  for (const key of Object.keys(HEADLINES) as (keyof TelemetryRelation['headline'])[]) {
    const rank = HEADLINES[key];
    const candidates = series.filter((s) => Number.isFinite(rank(s))).sort((a, b) => rank(a) - rank(b));
    if (candidates.length === 0) {
      headline[key] = { series: null, result: null, reason: 'not recorded in this session' };
      continue;
    }
    const tested = candidates.map((c) => results.find((r) => r.label === seriesLabel(c))).find((r) => r !== undefined);
    if (tested) {
      const { label, ...rest } = tested;
      headline[key] = { series: label, result: rest };
    } else {
      const label = seriesLabel(candidates[0]);
      headline[key] = {
        series: label,
        result: null,
        reason: untested.find((u) => u.series === label)?.reason ?? 'not testable',
      };
    }
  }
  return {
    windows: windows.length,
    excludedShortWindows: excluded,
    tested: results.length,
    untested,
    correlations: results.map(({ label: _l, ...r }) => r),
    headline,
  };
}
