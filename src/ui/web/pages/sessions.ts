/**
 * Sessions: every session of the server's folders (id, machine, start, duration, sources, samples,
 * size, status with the repair command of an incomplete one, whether an analysis is stored), filtered by
 * tag, machine, source and status; two or more sessions or bench reports selected open Compare.
 */
import { getJson, query } from '../api.js';
import { badge, clear, fmtBytes, fmtCount, fmtDuration, fmtTime, h, section } from '../dom.js';
import { type Column, dataTable } from '../table.js';
import type { BenchRow, SessionList, SessionRow } from '../types.js';
import { errorBox, loading, sessionLink } from './common.js';

const FILTERS = ['tag', 'machine', 'source', 'status'] as const;

/** Every filtered session, fetched in pages of 500 (the server's largest page). */
async function allSessions(params: URLSearchParams): Promise<SessionList> {
  const filter = Object.fromEntries(FILTERS.map((f) => [f, params.get(f) ?? undefined]));
  const first = await getJson<SessionList>(`/api/sessions${query({ ...filter, limit: 500 })}`);
  const rows = [...first.sessions];
  while (rows.length < first.total) {
    const next = await getJson<SessionList>(`/api/sessions${query({ ...filter, limit: 500, offset: rows.length })}`);
    if (next.sessions.length === 0) break;
    rows.push(...next.sessions);
  }
  return { ...first, sessions: rows };
}

function filterBar(list: SessionList, params: URLSearchParams): HTMLElement {
  const options: Record<(typeof FILTERS)[number], string[]> = {
    tag: list.facets.tags,
    machine: list.facets.machines,
    source: list.facets.sources,
    status: list.facets.statuses,
  };
  const selects = FILTERS.map((f) => {
    const current = params.get(f) ?? '';
    const sel = h(
      'select',
      { id: `filter-${f}`, name: f },
      h('option', { value: '' }, `any ${f}`),
      [...new Set([...options[f], ...(current ? [current] : [])])].map((v) =>
        h('option', { value: v, selected: v === current }, v),
      ),
    );
    sel.addEventListener('change', () => {
      const p = new URLSearchParams(params);
      if (sel.value) p.set(f, sel.value);
      else p.delete(f);
      location.hash = `#/sessions${p.toString() ? `?${p}` : ''}`;
    });
    return h('label', {}, `${f} `, sel);
  });
  return h('div', { class: 'filters' }, selects);
}

function tagList(tags: Record<string, string>): string[] {
  return Object.entries(tags).map(([k, v]) => `${k}:${v}`);
}

function key(folder: number, name: string): string {
  return `${folder}/${name}`;
}

type Check = (key: string, ref: string) => HTMLInputElement;

/** The columns of the sessions table; `check` makes the selection checkbox of a row. */
function sessionColumns(check: Check): Column<SessionRow>[] {
  return [
    { key: 'select', label: '', value: () => null, cell: (r) => check(key(r.folder, r.id), `s:${r.id}`) },
    {
      key: 'id',
      label: 'session',
      // An incomplete session's repair command under its id: the widest column, so it wraps at its spaces.
      cell: (r) =>
        h(
          'div',
          {},
          sessionLink(r.id, r.folder),
          r.repair_command
            ? h('div', { class: 'repair' }, 'repair: ', h('code', { class: 'repair' }, r.repair_command))
            : null,
        ),
    },
    {
      key: 'machine',
      label: 'machine',
      cls: 'col-machine',
      // CPU, cores and VM; the kernel and oe version on hover (the whole summary is in the downloads).
      cell: (r) => h('span', { title: r.machine }, r.machine.split(', ').slice(0, 3).join(', ')),
    },
    { key: 'started_at', label: 'start (UTC)', cell: (r) => fmtTime(r.started_at) },
    { key: 'duration_ms', label: 'duration', numeric: true, cell: (r) => fmtDuration(r.duration_ms) },
    {
      key: 'sources',
      label: 'sources',
      cell: (r) =>
        h(
          'span',
          { title: r.sources.join(', ') },
          `${r.sources.length}: ${r.sources.slice(0, 2).join(', ')}${r.sources.length > 2 ? ', …' : ''}`,
        ),
    },
    { key: 'samples', label: 'samples', numeric: true, cell: (r) => fmtCount(r.samples) },
    {
      key: 'size_bytes',
      label: 'on disk',
      numeric: true,
      title: 'the whole session folder: its Parquet files, manifest and stored analysis',
      cell: (r) => fmtBytes(r.size_bytes),
    },
    {
      key: 'status',
      label: 'status',
      cell: (r) =>
        h(
          'div',
          {},
          badge(r.repaired && r.status === 'complete' ? 'complete (repaired)' : r.status),
          r.error && r.status !== 'incomplete' ? h('div', { class: 'muted' }, r.error) : null,
        ),
    },
    { key: 'analysis', label: 'analysis' },
    {
      key: 'tags',
      label: 'tags',
      value: (r) => tagList(r.tags).join(' '),
      // One line per tag, broken (if the column is narrow) only after its colon.
      cell: (r) =>
        h(
          'ul',
          { class: 'tags' },
          Object.entries(r.tags).map(([k, v]) => h('li', {}, `${k}:`, h('wbr'), v)),
        ),
    },
  ];
}

function benchSection(benches: BenchRow[], check: Check): HTMLElement {
  return section(
    'benches',
    'Bench reports',
    benches.length === 0
      ? h('p', { class: 'muted' }, 'No bench reports (oe bench --json files) in the folders.')
      : dataTable<BenchRow>({
          id: 'benches-table',
          name: 'bench-reports',
          rows: benches,
          columns: [
            {
              key: 'select',
              label: '',
              value: () => null,
              cell: (r) => check(`b${key(r.folder, r.name)}`, `b:${r.name}`),
            },
            { key: 'name', label: 'file' },
            { key: 'machine', label: 'machine' },
            { key: 'generated_at', label: 'generated (UTC)', cell: (r) => fmtTime(r.generated_at) },
            { key: 'profile', label: 'profile' },
            { key: 'sources', label: 'sources', numeric: true },
          ],
        }),
  );
}

export function sessionsPage(root: HTMLElement, params: URLSearchParams): undefined {
  const body = h('div', {}, loading());
  root.append(h('h1', {}, 'Sessions'), body);
  const selected = new Map<string, string>();
  const compareButton = h(
    'button',
    { type: 'button', id: 'compare-selected', class: 'primary', disabled: true },
    'Compare selected',
  );
  const refresh = () => {
    compareButton.disabled = selected.size < 2;
    compareButton.textContent = `Compare selected (${selected.size})`;
  };
  compareButton.addEventListener('click', () => {
    location.hash = `#/compare?in=${encodeURIComponent([...selected.values()].join(','))}`;
  });
  const check = (k: string, ref: string) => {
    const box = h('input', { type: 'checkbox', class: 'select', 'data-key': k, checked: selected.has(k) });
    box.addEventListener('click', (e) => e.stopPropagation());
    box.addEventListener('change', () => {
      if (box.checked) selected.set(k, ref);
      else selected.delete(k);
      refresh();
    });
    return box;
  };
  Promise.all([allSessions(params), getJson<{ benches: BenchRow[] }>('/api/benches')])
    .then(([list, benches]) => {
      clear(body);
      body.append(
        h('p', { class: 'muted' }, `Folders: ${list.folders.join(', ')}`),
        filterBar(list, params),
        h(
          'div',
          { class: 'actions' },
          compareButton,
          h('span', { class: 'muted' }, ' select two or more sessions or bench reports'),
        ),
        section(
          'sessions',
          `${list.total} session${list.total === 1 ? '' : 's'}`,
          dataTable<SessionRow>({
            id: 'sessions-table',
            name: 'sessions',
            pageSize: 25,
            rows: list.sessions,
            rowClass: (r) => `status-${r.status}`,
            columns: sessionColumns(check),
          }),
        ),
        benchSection(benches.benches, check),
      );
    })
    .catch((e) => {
      clear(body);
      body.append(errorBox(e));
    });
  return undefined;
}
