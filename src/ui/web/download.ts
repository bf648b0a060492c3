/** Downloads of what a table or plot shows: CSV and JSON for data, SVG for plots (made in the page, no server). */
import { h } from './dom.js';

export type Row = Record<string, unknown>;

export function saveFile(name: string, type: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = h('a', { href: url, download: name, class: 'hidden' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** RFC 4180 CSV of `rows` with the union of their keys as the header (in first-seen order). */
export function toCsv(rows: readonly Row[], columns?: readonly string[]): string {
  const cols = columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const lines = [cols.map(csvCell).join(',')];
  for (const r of rows) lines.push(cols.map((c) => csvCell(r[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** Standalone SVG text of a plot (its own namespace and the style rules the page applies to it). */
export function svgText(svgs: SVGSVGElement | readonly SVGSVGElement[], title?: string): string {
  const NS = 'http://www.w3.org/2000/svg';
  const list = Array.isArray(svgs) ? svgs : [svgs as SVGSVGElement];
  // A figure's title and colour key live outside its plot's SVG on the page; the file stacks the title,
  // the plot and any key into one SVG so it stands on its own.
  const size = (el: SVGSVGElement, k: 'width' | 'height') => {
    const v = Number(el.getAttribute(k));
    return Number.isFinite(v) && v > 0 ? v : el.getBoundingClientRect()[k];
  };
  const head = title ? 24 : 0;
  const out = document.createElementNS(NS, 'svg');
  out.setAttribute('xmlns', NS);
  out.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  out.setAttribute('font-family', 'system-ui, sans-serif');
  const style = document.createElementNS(NS, 'style');
  style.textContent = 'svg{background:white} text,tspan{white-space:pre}';
  out.append(style);
  if (title) {
    const t = document.createElementNS(NS, 'text');
    t.setAttribute('x', '8');
    t.setAttribute('y', '16');
    t.setAttribute('font-size', '13');
    t.setAttribute('font-weight', 'bold');
    t.textContent = title;
    out.append(t);
  }
  let y = head;
  let width = 0;
  for (const svg of list) {
    const copy = svg.cloneNode(true) as SVGSVGElement;
    copy.setAttribute('y', String(y));
    out.append(copy);
    y += size(svg, 'height');
    width = Math.max(width, size(svg, 'width'));
  }
  out.setAttribute('width', String(Math.ceil(width)));
  out.setAttribute('height', String(Math.ceil(y)));
  out.setAttribute('viewBox', `0 0 ${Math.ceil(width)} ${Math.ceil(y)}`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(out)}\n`;
}

/** "CSV" and "JSON" buttons for a data set (rows computed when clicked). */
export function dataButtons(
  name: string,
  rows: () => readonly Row[] | Promise<readonly Row[]>,
  columns?: readonly string[],
) {
  return [
    h(
      'button',
      {
        type: 'button',
        class: 'dl',
        'data-download': 'csv',
        onclick: async () => saveFile(`${name}.csv`, 'text/csv', toCsv(await rows(), columns)),
      },
      'CSV',
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'dl',
        'data-download': 'json',
        onclick: async () => saveFile(`${name}.json`, 'application/json', `${JSON.stringify(await rows(), null, 2)}\n`),
      },
      'JSON',
    ),
  ];
}
