/**
 * Tables of the page: sortable columns, pages of `pageSize` rows (a session with thousands of sources or
 * a folder with thousands of sessions stays responsive), and CSV/JSON downloads of every row.
 */
import { clear, h } from './dom.js';
import { dataButtons, type Row } from './download.js';

export interface Column<R> {
  key: string;
  label: string;
  /** The value for sorting and downloads (default: `row[key]`). */
  value?: (r: R) => unknown;
  /** What the cell shows (default: the value as text). */
  cell?: (r: R) => Node | string;
  numeric?: boolean;
  /** Hover text of the header. */
  title?: string;
  /** Extra class of the column's cells (widths in app.css). */
  cls?: string;
}

export interface TableOptions<R> {
  /** Element id of the table's wrapper (tests and links find it by id). */
  id: string;
  /** Base name of the downloaded files. */
  name: string;
  columns: Column<R>[];
  rows: readonly R[];
  pageSize?: number;
  rowClass?: (r: R) => string;
  onRowClick?: (r: R) => void;
  caption?: string;
}

function cellValue<R>(c: Column<R>, r: R): unknown {
  return c.value ? c.value(r) : (r as Record<string, unknown>)[c.key];
}

function compare(a: unknown, b: unknown): number {
  if (a === b) return 0;
  if (a === null || a === undefined) return 1;
  if (b === null || b === undefined) return -1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a).localeCompare(String(b));
}

/** Rows as plain objects of the columns' values (what CSV and JSON downloads contain). */
export function exportRows<R>(columns: Column<R>[], rows: readonly R[]): Row[] {
  return rows.map((r) => Object.fromEntries(columns.map((c) => [c.key, cellValue(c, r)])));
}

export function dataTable<R>(o: TableOptions<R>): HTMLElement {
  const pageSize = o.pageSize ?? 25;
  let page = 0;
  let sortKey: string | null = null;
  let sortDir = 1;
  const body = h('tbody');
  const head = h('thead');
  const info = h('span', { class: 'pager-info' });
  const prev = h('button', { type: 'button', class: 'pager-prev', onclick: () => go(page - 1) }, '‹ prev');
  const next = h('button', { type: 'button', class: 'pager-next', onclick: () => go(page + 1) }, 'next ›');
  const sorted = (): readonly R[] => {
    if (!sortKey) return o.rows;
    const c = o.columns.find((x) => x.key === sortKey);
    if (!c) return o.rows;
    return [...o.rows].sort((a, b) => sortDir * compare(cellValue(c, a), cellValue(c, b)));
  };
  const pages = () => Math.max(1, Math.ceil(o.rows.length / pageSize));
  const go = (p: number) => {
    page = Math.max(0, Math.min(pages() - 1, p));
    render();
  };
  const render = () => {
    clear(head);
    head.append(
      h(
        'tr',
        {},
        o.columns.map((c) =>
          h(
            'th',
            {
              class: `${c.numeric ? 'num' : ''} ${c.cls ?? ''} sortable`,
              title: c.title ?? `sort by ${c.label}`,
              onclick: () => {
                sortDir = sortKey === c.key ? -sortDir : 1;
                sortKey = c.key;
                render();
              },
            },
            c.label,
            sortKey === c.key ? (sortDir > 0 ? ' ▲' : ' ▼') : '',
          ),
        ),
      ),
    );
    clear(body);
    const rows = sorted().slice(page * pageSize, (page + 1) * pageSize);
    for (const r of rows) {
      const tr = h(
        'tr',
        { class: o.rowClass?.(r) ?? '' },
        o.columns.map((c) => {
          const content = c.cell ? c.cell(r) : formatValue(cellValue(c, r));
          return h('td', { class: `${c.numeric ? 'num' : ''} ${c.cls ?? ''}`.trim() }, content);
        }),
      );
      if (o.onRowClick) {
        tr.classList.add('clickable');
        tr.addEventListener('click', () => o.onRowClick?.(r));
      }
      body.append(tr);
    }
    if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: o.columns.length, class: 'empty' }, 'no rows')));
    info.textContent = `${o.rows.length} row${o.rows.length === 1 ? '' : 's'}${pages() > 1 ? `, page ${page + 1} of ${pages()}` : ''}`;
    prev.disabled = page === 0;
    next.disabled = page >= pages() - 1;
  };
  render();
  return h(
    'div',
    { id: o.id, class: 'table-wrap' },
    h(
      'div',
      { class: 'toolbar' },
      info,
      pages() > 1 ? [prev, next] : null,
      h('span', { class: 'spacer' }),
      dataButtons(o.name, () => exportRows(o.columns, sorted())),
    ),
    h('div', { class: 'scroll' }, h('table', {}, o.caption ? h('caption', {}, o.caption) : null, head, body)),
  );
}

function formatValue(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}
