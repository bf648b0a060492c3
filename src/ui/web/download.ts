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
export function svgText(svg: SVGSVGElement): string {
  const copy = svg.cloneNode(true) as SVGSVGElement;
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  copy.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  const style = document.createElementNS('http://www.w3.org/2000/svg', 'style');
  style.textContent = 'svg{background:white} text,tspan{white-space:pre}';
  copy.insertBefore(style, copy.firstChild);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(copy)}\n`;
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
