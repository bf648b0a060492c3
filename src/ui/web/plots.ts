/**
 * The page's plots, drawn with @observablehq/plot from the bounded data the analysis stores (256-bin
 * histograms, r_k for k ≤ max lag, spectral ordinates, ≤ 200 entropy windows, a few hundred telemetry
 * buckets), never from raw samples. Plot puts a <style> element in each SVG; the strict
 * Content-Security-Policy refuses inline styles, so the page removes it and app.css carries the same
 * rules. Every plot has SVG, CSV and JSON downloads.
 */
import * as Plot from '@observablehq/plot';
import { h } from './dom.js';
import { dataButtons, type Row, saveFile, svgText } from './download.js';

export const PLOT_CLASS = 'oe-plot';
const base = { className: PLOT_CLASS, width: 680, height: 250, marginLeft: 56 };
/** Width of a plot that spans both columns of the page's plot grid. */
export const WIDE = 1300;

/** Removes the inline <style> elements Plot adds (their rules are in app.css). */
function strip<E extends Element>(el: E): E {
  for (const s of el.querySelectorAll('style')) s.remove();
  return el;
}

export interface FigureOptions {
  id: string;
  title: string;
  /** Base name of downloaded files. */
  name: string;
  plot: () => Element;
  data: () => Row[];
  caption?: string;
  /** Spans the whole row of a plot grid. */
  wide?: boolean;
}

/** A titled plot with its downloads (SVG of the plot; CSV and JSON of the plotted data). */
export function figure(o: FigureOptions): HTMLElement {
  const el = strip(o.plot());
  // The figure's SVGs (a plot, and under a matrix its colour key), not the SVGs nested inside them.
  const svgs =
    el instanceof SVGSVGElement
      ? [el]
      : [...el.querySelectorAll('svg')].filter((s) => s.parentElement?.closest('svg') === null);
  const svg = svgs.length > 0 ? svgs : null;
  return h(
    'figure',
    { id: o.id, class: o.wide ? 'plot wide' : 'plot' },
    h(
      'div',
      { class: 'toolbar' },
      h('span', { class: 'plot-title' }, o.title),
      h('span', { class: 'spacer' }),
      svg
        ? h(
            'button',
            {
              type: 'button',
              class: 'dl',
              'data-download': 'svg',
              onclick: () => saveFile(`${o.name}.svg`, 'image/svg+xml', svgText(svg, o.title)),
            },
            'SVG',
          )
        : null,
      dataButtons(o.name, o.data),
    ),
    el,
    o.caption ? h('figcaption', {}, o.caption) : null,
  );
}

export function histogramRows(hist: readonly number[]): Row[] {
  return hist.map((count, value) => ({ value, count }));
}

/** Counts per byte value with the uniform expectation n/256 and its ±3σ band (binomial). */
export function byteHistogramPlot(hist: readonly number[], width = base.width): Element {
  const n = hist.reduce((a, b) => a + b, 0);
  const e = n / 256;
  const sd = Math.sqrt(n * (1 / 256) * (1 - 1 / 256));
  return Plot.plot({
    ...base,
    width,
    x: { label: 'byte value', domain: [0, 256], ticks: [0, 32, 64, 96, 128, 160, 192, 224, 256] },
    y: { label: 'count', grid: true },
    marks: [
      Plot.rect([{ lo: Math.max(0, e - 3 * sd), hi: e + 3 * sd }], {
        x1: 0,
        x2: 256,
        y1: 'lo',
        y2: 'hi',
        fill: 'orange',
        fillOpacity: 0.2,
      }),
      Plot.rectY(histogramRows(hist), {
        x1: 'value',
        x2: (d: Row) => (d.value as number) + 1,
        y: 'count',
        fill: '#3b6ea8',
        // Bins are ~2 px wide: with Plot's default half-pixel inset every bar has a gap beside it and an
        // empty bin looks like one more gap; without it adjacent bars touch and empty bins show as gaps.
        inset: 0,
      }),
      Plot.ruleY([e], { stroke: '#d9480f', strokeDasharray: '4,3' }),
      Plot.ruleY([0]),
    ],
  });
}

export function autocorrelationRows(r: readonly number[]): Row[] {
  return r.map((v, i) => ({ lag: i + 1, r: v }));
}

/** r_k against k, lags beyond the Bonferroni threshold in red, the threshold as dashed lines. */
export function autocorrelationPlot(r: readonly number[], threshold: number, width = base.width): Element {
  const rows = autocorrelationRows(r);
  return Plot.plot({
    ...base,
    width,
    x: { label: 'lag k (samples)' },
    y: { label: 'r_k', grid: true },
    marks: [
      Plot.ruleY([threshold, -threshold], { stroke: '#d9480f', strokeDasharray: '4,3' }),
      Plot.ruleX(rows, {
        x: 'lag',
        y1: 0,
        y2: 'r',
        stroke: (d: Row) => (Math.abs(d.r as number) > threshold ? '#c92a2a' : '#3b6ea8'),
        strokeWidth: rows.length > 300 ? 1 : 2,
      }),
      Plot.ruleY([0]),
    ],
  });
}

/**
 * The stored PSD (bins 1..N/2−1 in groups of g ordinates) in dB relative to its mean, so white noise is
 * flat at 0 dB; each point at the centre frequency of its group.
 */
export function spectrumRows(psd: { binsPerPoint: number; power: readonly number[] }, segmentLength: number): Row[] {
  const g = psd.binsPerPoint;
  const mean = psd.power.reduce((a, b) => a + b, 0) / Math.max(1, psd.power.length);
  return psd.power.map((p, j) => ({
    frequency: (1 + j * g + (g - 1) / 2) / segmentLength,
    db: 10 * Math.log10(Math.max(p, 1e-300) / mean),
  }));
}

/** The spectrum as a line, with the significant spectral lines of the analysis marked in red. */
export function spectrumPlot(
  rows: Row[],
  peaks: readonly { frequency: number; relativePower: number; pValue: number }[],
  alpha: number,
  width = base.width,
): Element {
  const sig = peaks.filter((p) => p.pValue < alpha);
  return Plot.plot({
    ...base,
    width,
    x: { label: 'frequency (cycles per sample)', domain: [0, 0.5] },
    y: { label: 'power (dB re mean)', grid: true },
    marks: [
      Plot.ruleY([0], { stroke: '#868e96' }),
      Plot.lineY(rows, { x: 'frequency', y: 'db', stroke: '#3b6ea8' }),
      Plot.tickX(sig, {
        x: 'frequency',
        stroke: '#c92a2a',
        strokeWidth: 1.5,
        strokeOpacity: 0.8,
        title: (d: { frequency: number; relativePower: number; pValue: number }) =>
          `spectral line at f = ${d.frequency.toFixed(4)}\n${d.relativePower.toFixed(2)}× the white level, p = ${d.pValue.toExponential(2)}`,
      }),
    ],
  });
}

/** x of a time plot: seconds since the epoch → Date. */
export function toDate(sec: number): Date {
  return new Date(sec * 1000);
}

/**
 * The shared x axis of the time plots: time since the first point, in seconds, minutes or hours
 * (whichever keeps the numbers readable), so a 3-second and a 3-hour session both get plain ticks.
 */
export interface TimeAxis {
  /** Seconds since the epoch at x = 0. */
  t0: number;
  /** Seconds per unit. */
  div: number;
  unit: 's' | 'min' | 'h';
  domain: [number, number];
}

export function timeAxis(lo: number, hi: number): TimeAxis {
  const span = Math.max(hi - lo, 1e-3);
  const [div, unit] = span > 7200 ? ([3600, 'h'] as const) : span > 600 ? ([60, 'min'] as const) : ([1, 's'] as const);
  return { t0: lo, div, unit, domain: [0, span / div] };
}

function timeLabel(ax: TimeAxis): string {
  return `${ax.unit} since ${new Date(ax.t0 * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A tick format without trailing zeros: SI prefixes for large values (21.7G), plain digits otherwise. */
function tickFormat(values: readonly (number | null)[]): string {
  const m = Math.max(0, ...values.map((v) => Math.abs(v ?? 0)));
  return m >= 1e5 ? '.4~s' : '~g';
}

/** A y domain that shows a constant series as a flat line in the middle, not as a ±1e-9 zoom. */
function yDomain(values: readonly (number | null)[]): [number, number] | undefined {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length === 0) return undefined;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  if (hi - lo > 1e-9 * Math.max(1, Math.abs(hi))) return undefined;
  const pad = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
  return [lo - pad, hi + pad];
}

export function entropyRows(
  windows: readonly { index: number; start: number | null; end: number | null; n: number; minEntropy: number | null }[],
): Row[] {
  return windows.map((w) => ({
    index: w.index,
    start: w.start,
    end: w.end,
    n: w.n,
    min_entropy: w.minEntropy,
    time: w.start !== null && w.end !== null ? toDate((w.start + w.end) / 2).toISOString() : null,
  }));
}

/** Min-entropy (MCV) per window against time (or window index when the session has no times). */
export function entropyOverTimePlot(rows: Row[], ax: TimeAxis | null, width = base.width): Element {
  const data = rows
    .filter((r) => r.min_entropy !== null)
    .map((r) => ({
      ...r,
      x:
        ax && r.start !== null && r.end !== null
          ? (((r.start as number) + (r.end as number)) / 2 - ax.t0) / ax.div
          : r.index,
    }));
  return Plot.plot({
    ...base,
    width,
    height: 220,
    x: ax ? { label: timeLabel(ax), domain: ax.domain } : { label: 'window' },
    y: { label: 'H∞ MCV (bits/byte)', grid: true, zero: true },
    marks: [
      Plot.lineY(data, { x: 'x', y: 'min_entropy', stroke: '#3b6ea8' }),
      Plot.dot(data, {
        x: 'x',
        y: 'min_entropy',
        r: 2,
        fill: '#3b6ea8',
        title: (d: Row) => `window ${d.index}: n = ${d.n}, H∞ = ${(d.min_entropy as number).toFixed(3)}`,
      }),
    ],
  });
}

/** One telemetry series on the same time axis as the entropy plot beside it. */
export function telemetryPlot(
  label: string,
  t: readonly number[],
  v: readonly (number | null)[],
  ax: TimeAxis,
  width = base.width,
): Element {
  const data = t.map((s, i) => ({ x: (s - ax.t0) / ax.div, v: v[i] })).filter((d) => d.v !== null);
  return Plot.plot({
    ...base,
    width,
    // The entropy plot's height: they sit side by side in the grid and share the time axis.
    height: 220,
    marginLeft: 64,
    x: { label: timeLabel(ax), domain: ax.domain },
    y: { label, grid: true, tickFormat: tickFormat(v), domain: yDomain(v) },
    marks: [
      Plot.lineY(data, { x: 'x', y: 'v', stroke: '#5f3dc4' }),
      Plot.dot(data, { x: 'x', y: 'v', r: 1.5, fill: '#5f3dc4' }),
    ],
  });
}

export interface MatrixCell {
  a: string;
  b: string;
  r: number | null;
  mi_bits: number | null;
  max_abs_r: number | null;
  max_lag: number | null;
  p_correlation: number | null;
  q_correlation: number | null;
  p_mi: number | null;
  q_mi: number | null;
  flagged: boolean;
  /** Why the pair was not tested (too few common samples), or null. */
  skipped: string | null;
}

function cellTitle(d: MatrixCell, maxLag: number): string {
  if (d.skipped !== null) return `${d.a} × ${d.b}\nnot tested: ${d.skipped}`;
  const f = (x: number | null, k = 4) =>
    x === null ? '—' : Math.abs(x) < 1e-3 && x !== 0 ? x.toExponential(2) : x.toFixed(k);
  return [
    `${d.a} × ${d.b}${d.flagged ? '  FLAGGED' : ''}`,
    `r at lag 0 = ${f(d.r)}`,
    `max |r| over lags ±${maxLag} = ${f(d.max_abs_r)} at lag ${d.max_lag ?? '—'}`,
    `MI = ${f(d.mi_bits, 5)} bits`,
    `correlation p = ${f(d.p_correlation)}, q = ${f(d.q_correlation)}`,
    `MI p = ${f(d.p_mi)}, q = ${f(d.q_mi)}`,
  ].join('\n');
}

/**
 * Every pair's strongest lagged correlation max_k |r(k)| (the statistic its correlation test uses, so a
 * dependence at a lag shows even when r at lag 0 is near 0); flagged pairs (q ≤ α) outlined; pairs not
 * tested (too few common samples) grey with a ×; r, MI, p and q of both tests (or why a pair was not
 * tested) in each cell's hover text. Cells are 14..44 px, so 34 sources still fit about 900 px.
 */
export function dependencePlot(cells: MatrixCell[], names: string[], maxLag: number): Element {
  const m = matrixScale(cells.filter((c) => c.a !== c.b && c.max_abs_r !== null).map((c) => c.max_abs_r as number));
  const longest = Math.max(...names.map((n) => n.length));
  const side = Math.max(14, Math.min(44, Math.floor(900 / Math.max(1, names.length))));
  const margin = Math.min(220, 12 + longest * 6.5);
  const off = cells.filter((c) => c.a !== c.b);
  const skipped = off.filter((c) => c.skipped !== null);
  const title = (d: MatrixCell) => cellTitle(d, maxLag);
  return Plot.plot({
    className: PLOT_CLASS,
    width: margin + side * names.length + 20,
    height: margin + side * names.length + 20,
    marginLeft: margin,
    marginBottom: margin,
    marginTop: 10,
    marginRight: 20,
    x: { domain: names, label: null, tickRotate: -60 },
    y: { domain: names, label: null },
    color: { type: 'linear', scheme: 'YlOrRd', domain: [0, m], legend: false },
    marks: [
      Plot.cell(
        off.filter((c) => c.skipped === null),
        { x: 'a', y: 'b', fill: 'max_abs_r', title, inset: 0.5 },
      ),
      Plot.cell(skipped, { x: 'a', y: 'b', fill: '#f1f3f5', stroke: '#dee2e6', inset: 0.5, title }),
      Plot.text(skipped, { x: 'a', y: 'b', text: () => '×', fill: '#adb5bd', title }),
      Plot.cell(
        cells.filter((c) => c.a === c.b),
        { x: 'a', y: 'b', fill: '#ced4da', inset: 0.5 },
      ),
      Plot.cell(
        cells.filter((c) => c.flagged),
        { x: 'a', y: 'b', stroke: '#000', strokeWidth: 2.5, fill: 'none', inset: 1.5, title },
      ),
    ],
  });
}

/**
 * Upper end of the matrix's colour scale: the largest max |r| of any pair, but at least 0.05, so that
 * correlations of a few thousandths stay pale instead of filling the scale.
 */
export function matrixScale(absR: readonly number[]): number {
  return Math.max(0.05, ...absR);
}

/** A colour key for the matrix. */
export function matrixLegend(m: number, maxLag: number): Element {
  return Plot.legend({
    className: PLOT_CLASS,
    marginLeft: 16,
    marginRight: 16,
    color: { type: 'linear', scheme: 'YlOrRd', domain: [0, m] },
    label: `max |r| over lags −${maxLag}..${maxLag}`,
    width: 280,
  });
}

/** A small min-entropy history line (0..8 bits per byte). */
export function sparkline(history: readonly number[]): Element {
  const el = Plot.plot({
    className: PLOT_CLASS,
    width: 140,
    height: 28,
    margin: 2,
    x: { axis: null, domain: [0, Math.max(1, history.length - 1)] },
    y: { axis: null, domain: [0, 8] },
    marks: [Plot.lineY(history, { x: (_d: number, i: number) => i, y: (d: number) => d, stroke: '#3b6ea8' })],
  });
  return strip(el);
}

/** Per source, each input's mean min-entropy with its 95 % interval. */
export function comparePlot(
  rows: { source: string; input: string; mean: number; lo: number | null; hi: number | null }[],
  labels: string[],
): Element {
  const sources = [...new Set(rows.map((r) => r.source))];
  const longest = Math.max(8, ...sources.map((s) => s.length));
  return Plot.plot({
    className: PLOT_CLASS,
    width: WIDE,
    height: 80 + sources.length * (8 + labels.length * 9),
    marginLeft: Math.min(220, 14 + longest * 6.5),
    marginRight: 20,
    marginTop: 40,
    // The axis on both sides: with dozens of sources the bottom one is far from the top rows.
    x: { label: 'H∞ per replicate (bits/byte), mean and 95% interval', grid: true, domain: [0, 8], axis: 'both' },
    fy: { domain: sources, label: null, padding: 0.15 },
    y: { domain: labels, label: null, axis: null },
    color: { domain: labels, legend: true },
    marks: [
      Plot.ruleY(
        rows.filter((r) => r.lo !== null && r.hi !== null),
        { fy: 'source', y: 'input', x1: 'lo', x2: 'hi', stroke: 'input' },
      ),
      Plot.dot(rows, {
        fy: 'source',
        y: 'input',
        x: 'mean',
        fill: 'input',
        r: 3.5,
        title: (d: { input: string; mean: number }) => `${d.input}: ${d.mean.toFixed(3)}`,
      }),
    ],
  });
}

export interface QuantumRow {
  source: string;
  q: number;
  lo: number | null;
  hi: number | null;
}

/** The EXPERIMENTAL proxy's q per source (from 0 to a little past the largest) with its interval, highest first. */
export function quantumPlot(rows: readonly QuantumRow[]): Element {
  const sorted = [...rows].sort((a, b) => b.q - a.q);
  const longest = Math.max(8, ...sorted.map((r) => r.source.length));
  // Rows 16 px apart for a long list (34 sources: 600 px), more for a few (3 sources were squeezed into
  // 50 px between two axes); the axis on top too only when the list is taller than a screen's half.
  const step = sorted.length >= 12 ? 16 : 26;
  const both = sorted.length >= 20;
  return Plot.plot({
    className: PLOT_CLASS,
    width: WIDE,
    height: (both ? 60 : 40) + sorted.length * step,
    marginLeft: Math.min(220, 14 + longest * 6.5),
    marginRight: 20,
    x: {
      label: 'q (quantum_proxy_v3, experimental), with its interval',
      grid: true,
      zero: true,
      nice: true,
      axis: both ? 'both' : 'bottom',
    },
    y: { domain: sorted.map((r) => r.source), label: null },
    marks: [
      Plot.ruleY(
        sorted.filter((r) => r.lo !== null && r.hi !== null),
        { y: 'source', x1: 'lo', x2: 'hi', stroke: '#e67700' },
      ),
      Plot.dot(sorted, {
        y: 'source',
        x: 'q',
        fill: '#e67700',
        r: 3.5,
        title: (d: QuantumRow) =>
          `${d.source}: q = ${d.q.toFixed(3)} [${d.lo?.toFixed(3) ?? '—'}, ${d.hi?.toFixed(3) ?? '—'}]`,
      }),
    ],
  });
}

export function stripStyles<E extends Element>(el: E): E {
  return strip(el);
}
