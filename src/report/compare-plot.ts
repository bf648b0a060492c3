/**
 * The `oe compare` plot: each source's mean per-replicate min-entropy with its 95 % interval, one row per
 * (source, input), coloured by input. Drawn with @observablehq/plot on a linkedom document, like
 * src/report/plots.ts (same white background and colour-blind-safe palette).
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import type { CompareResult } from '../analyze/compare/compare.js';
import { escapeXml } from './plots.js';

let doc: unknown;

export function compareMinEntropySvg(r: CompareResult, title: string): string {
  doc ??= parseHTML('<!DOCTYPE html><html><body></body></html>').document;
  const rows: { row: string; input: string; mean: number; lo: number; hi: number }[] = [];
  for (const s of r.sources)
    for (const i of r.inputs) {
      const m = s.inputs[i.label]?.metrics.min_entropy;
      if (!m || m.mean === null) continue;
      rows.push({
        row: `${s.name} · ${i.label}`,
        input: i.label,
        mean: m.mean,
        lo: m.ci_low ?? m.mean,
        hi: m.ci_high ?? m.mean,
      });
    }
  const height = 90 + 18 * Math.max(1, rows.length);
  const node = Plot.plot({
    document: doc,
    width: 760,
    height,
    marginLeft: 220,
    marginTop: 40,
    marginBottom: 45,
    style: { background: '#ffffff', color: '#111111', fontSize: '12px' },
    x: {
      label: 'min-entropy per replicate (MCV, bits/byte), mean and 95% CI',
      labelAnchor: 'center',
      labelArrow: 'none',
      grid: true,
    },
    y: { label: null, domain: rows.map((d) => d.row) },
    color: { legend: false, scheme: 'observable10' },
    marks: [
      Plot.ruleY(rows, { y: 'row', x1: 'lo', x2: 'hi', stroke: 'input', strokeWidth: 2 }),
      Plot.dot(rows, { y: 'row', x: 'mean', fill: 'input', r: 3.5 }),
    ],
  } as Plot.PlotOptions) as unknown as { outerHTML: string };
  const legend = r.inputs.map((i) => `${i.label} = ${i.origin}`).join('   ');
  const head =
    `<rect x="0" y="0" width="760" height="100%" fill="#ffffff"/>` +
    `<text x="12" y="18" font-size="14" font-weight="bold" text-anchor="start" fill="#111111">${escapeXml(title)}</text>` +
    `<text x="12" y="33" font-size="11" text-anchor="start" fill="#444444">${escapeXml(legend)}</text>`;
  return node.outerHTML
    .replace(/^<svg /, '<svg xmlns="http://www.w3.org/2000/svg" ')
    .replace(/(<svg[^>]*>)/, `$1${head}`);
}
