/**
 * SVG plots for Markdown reports, drawn with @observablehq/plot on a linkedom document (no browser).
 * Every plot has a title, axis labels with units, a white background and dark text so it stays
 * readable in GitHub's light and dark themes; colours are colour-blind-safe (Observable 10).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';

const BLUE = '#4269d0';
const ORANGE = '#ff725c';
const GREY = '#555';

let doc: unknown;
function document(): unknown {
  if (!doc) doc = parseHTML('<!DOCTYPE html><html><body></body></html>').document;
  return doc;
}

const BASE = {
  width: 760,
  height: 320,
  marginLeft: 88,
  marginBottom: 45,
  marginTop: 50,
  marginRight: 20,
  style: { background: '#ffffff', color: '#111111', fontSize: '12px' },
};

function render(options: Plot.PlotOptions, title: string, subtitle?: string): string {
  // Axis labels centred along their axes (the default top-left y label collides with the title).
  const x = { labelAnchor: 'center', labelArrow: 'none', ...(options.x ?? {}) };
  const y = { labelAnchor: 'center', labelArrow: 'none', labelOffset: 72, ...(options.y ?? {}) };
  const node = Plot.plot({ ...BASE, ...options, x, y, document: document() } as Plot.PlotOptions) as unknown as {
    outerHTML: string;
  };
  let svg = node.outerHTML;
  // A standalone SVG file needs the namespace; add a title and subtitle inside the top margin.
  svg = svg.replace(/^<svg /, '<svg xmlns="http://www.w3.org/2000/svg" ');
  const w = (options.width as number | undefined) ?? BASE.width;
  const head =
    `<rect x="0" y="0" width="${w}" height="100%" fill="#ffffff"/>` +
    `<text x="12" y="18" font-size="14" font-weight="bold" text-anchor="start" fill="#111111">${escapeXml(title)}</text>` +
    (subtitle
      ? `<text x="12" y="33" font-size="11" text-anchor="start" fill="#444444">${escapeXml(subtitle)}</text>`
      : '');
  return svg.replace(/(<svg[^>]*>)/, `$1${head}`);
}

export function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Histogram of the 256 byte values with the uniform expectation n/256 and its ±3σ band. */
export function byteHistogramSvg(counts: ArrayLike<number>, title: string): string {
  let n = 0;
  for (let i = 0; i < 256; i++) n += counts[i];
  const e = n / 256;
  const sd = Math.sqrt(e * (1 - 1 / 256));
  const data = Array.from({ length: 256 }, (_, v) => ({ v, c: counts[v] }));
  return render(
    {
      x: { label: 'byte value', domain: [0, 256], ticks: [0, 32, 64, 96, 128, 160, 192, 224, 256] },
      y: { label: 'count (bytes)', grid: true, zero: true },
      marks: [
        Plot.rectY([{ y1: Math.max(0, e - 3 * sd), y2: e + 3 * sd }], {
          x1: 0,
          x2: 256,
          y1: 'y1',
          y2: 'y2',
          fill: ORANGE,
          fillOpacity: 0.15,
        }),
        Plot.rectY(data, { x1: 'v', x2: (d: { v: number }) => d.v + 1, y: 'c', fill: BLUE, inset: 0 }),
        Plot.ruleY([e], { stroke: ORANGE, strokeWidth: 2 }),
        Plot.ruleY([0]),
      ],
    },
    title,
    `n = ${n.toLocaleString('en-US')} bytes; orange line: uniform expectation n/256 = ${e.toFixed(1)}, band ±3σ`,
  );
}

/** Autocorrelation r_k against lag k with the per-lag significance threshold ±z/√(n−k). */
export function autocorrelationSvg(r: ArrayLike<number>, n: number, z: number, title: string): string {
  const data = Array.from({ length: r.length }, (_, i) => ({ k: i + 1, r: r[i], t: z / Math.sqrt(n - i - 1) }));
  const maxAbs = Math.max(1e-9, ...data.map((d) => Math.max(Math.abs(d.r), d.t)));
  return render(
    {
      x: { label: 'lag k (samples)' },
      y: { label: 'autocorrelation r_k', grid: true, domain: [-maxAbs * 1.1, maxAbs * 1.1] },
      marks: [
        Plot.areaY(data, { x: 'k', y1: (d: { t: number }) => -d.t, y2: 't', fill: ORANGE, fillOpacity: 0.15 }),
        Plot.ruleY([0], { stroke: GREY }),
        Plot.ruleX(data, { x: 'k', y1: 0, y2: 'r', stroke: BLUE, strokeWidth: data.length > 300 ? 0.6 : 1.2 }),
        Plot.dot(
          data.filter((d) => Math.abs(d.r) > d.t),
          { x: 'k', y: 'r', fill: ORANGE, r: 3 },
        ),
      ],
    },
    title,
    `n = ${n.toLocaleString('en-US')}; shaded: significance band ±z/√(n−k), z = ${z.toFixed(2)} (Bonferroni over ${r.length} lags); orange dots exceed it`,
  );
}

/**
 * One-sided power spectral density (Welch) against frequency in cycles per sample, in dB relative to
 * its mean level (0 dB = flat, i.e. white); the Nyquist ordinate is left out (it carries half weight).
 */
export function powerSpectrumSvg(psd: ArrayLike<number>, segmentLength: number, title: string, unit = 'byte'): string {
  let mean = 0;
  const last = psd.length - 1;
  for (let k = 1; k < last; k++) mean += psd[k];
  mean /= Math.max(1, last - 1);
  const data: { f: number; db: number }[] = [];
  for (let k = 1; k < last; k++)
    data.push({ f: k / segmentLength, db: 10 * Math.log10(Math.max(psd[k], 1e-300) / mean) });
  return render(
    {
      x: { label: `frequency (cycles/${unit})`, domain: [0, 0.5] },
      y: { label: 'PSD (dB relative to mean)', grid: true },
      marks: [
        Plot.line(data, { x: 'f', y: 'db', stroke: BLUE, strokeWidth: 1 }),
        Plot.ruleY([0], { stroke: ORANGE, strokeWidth: 2, strokeDasharray: '6,3' }),
      ],
    },
    title,
    `Welch, Hann segments of ${segmentLength} samples, 50% overlap; mean level ${mean.toPrecision(4)} (value²·${unit}); a flat line at 0 dB is white noise`,
  );
}

/** Histogram of p-values in SP 800-22's 10 bins with the uniform expectation. */
export function pValueHistogramSvg(pValues: readonly number[], title: string, subtitle?: string): string {
  const bins = new Array<number>(10).fill(0);
  for (const p of pValues) bins[Math.min(9, Math.max(0, Math.floor(p * 10)))]++;
  const data = bins.map((c, i) => ({ x1: i / 10, x2: (i + 1) / 10, c }));
  const e = pValues.length / 10;
  return render(
    {
      x: { label: 'p-value', domain: [0, 1], ticks: 10 },
      y: { label: 'count (p-values)', grid: true, zero: true },
      marks: [
        Plot.rectY(data, { x1: 'x1', x2: 'x2', y: 'c', fill: BLUE, inset: 1 }),
        Plot.ruleY([e], { stroke: ORANGE, strokeWidth: 2 }),
        Plot.ruleX([0.01], { stroke: GREY, strokeDasharray: '4,3' }),
        Plot.ruleY([0]),
      ],
    },
    title,
    subtitle ??
      `${pValues.length.toLocaleString('en-US')} p-values; orange: uniform expectation ${e.toFixed(1)} per bin; dashed: α = 0.01`,
  );
}

/** Heatmap of a symmetric correlation matrix between sources, values printed in the cells. */
export function correlationHeatmapSvg(names: string[], matrix: (number | null)[][], title: string): string {
  const data: { a: string; b: string; r: number | null }[] = [];
  for (let i = 0; i < names.length; i++) {
    for (let j = 0; j < names.length; j++) data.push({ a: names[i], b: names[j], r: i === j ? 1 : matrix[i][j] });
  }
  let maxAbs = 0.05;
  for (const d of data) if (d.a !== d.b && d.r !== null) maxAbs = Math.max(maxAbs, Math.abs(d.r));
  const cell = Math.max(36, Math.min(80, Math.floor(560 / Math.max(1, names.length))));
  const longest = Math.max(...names.map((s) => s.length));
  const marginLeft = Math.min(220, 20 + longest * 7);
  const marginBottom = Math.min(180, 30 + longest * 5);
  return render(
    {
      width: Math.max(600, marginLeft + cell * names.length + 110),
      height: 40 + marginBottom + cell * names.length,
      marginLeft,
      marginBottom,
      marginRight: 110,
      padding: 0,
      x: { label: null, domain: names, tickRotate: -35 },
      y: { label: null, domain: names },
      color: {
        type: 'diverging',
        scheme: 'BuRd',
        domain: [-maxAbs, maxAbs],
        legend: false,
      },
      marks: [
        Plot.cell(data, {
          x: 'b',
          y: 'a',
          fill: (d: { r: number | null; a: string; b: string }) => (d.a === d.b ? null : d.r),
          stroke: '#ffffff',
        }),
        Plot.text(data, {
          x: 'b',
          y: 'a',
          text: (d: { r: number | null; a: string; b: string }) =>
            d.a === d.b ? '—' : d.r === null ? 'n/a' : d.r.toFixed(3),
          fill: (d: { r: number | null; a: string; b: string }) =>
            d.a !== d.b && d.r !== null && Math.abs(d.r) > 0.55 * maxAbs ? '#ffffff' : '#111111',
          fontSize: 11,
        }),
      ],
    },
    title,
    `Pearson r at lag 0 of the byte streams (aligned by sample index); colour scale ±${maxAbs.toFixed(3)}`,
  );
}
