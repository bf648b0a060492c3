/**
 * Live: the sources sampled now, as `oe monitor` shows them (health, rate, min-entropy, Shannon,
 * min-entropy sparkline), streamed by the server as server-sent events, with the byte histogram and
 * autocorrelation of one chosen source; and recordings started from the page, which appear in the
 * sessions list.
 */
import { getJson, postJson } from '../api.js';
import { badge, clear, fmtBytes, fmtCount, fmtDuration, fmtNumber, h, note, section } from '../dom.js';
import { dataButtons } from '../download.js';
import {
  autocorrelationPlot,
  autocorrelationRows,
  byteHistogramPlot,
  figure,
  histogramRows,
  sparkline,
} from '../plots.js';
import type { CatalogSource, LiveFrame, LiveSource, Recording } from '../types.js';
import { errorBox, sessionLink } from './common.js';

const COLUMNS: [keyof LiveSource | 'spark', string][] = [
  ['name', 'source'],
  ['health', 'health'],
  ['rate', 'samples/s'],
  ['min_entropy', 'H∞ MCV'],
  ['shannon', 'Shannon'],
  ['total', 'samples'],
  ['spark', 'H∞ history'],
];

/**
 * The sparkline of a source's min-entropy history without the ticks before its first samples (the model
 * pushes 0 for those, which drew every line rising from the floor). Zeros are kept when nothing after
 * them is above 0: a constant source's 0 bits is a measurement.
 */
function sparklineOf(history: readonly number[]): Element | string {
  const first = history.findIndex((v) => v > 0);
  const shown = first < 0 ? history : history.slice(first);
  return shown.length > 1 ? sparkline(shown) : '';
}

function liveRow(s: LiveSource, active: string | null, onPick: (n: string) => void): HTMLTableRowElement {
  const tr = h(
    'tr',
    { class: `clickable${s.name === active ? ' active' : ''}`, 'data-source': s.name, title: s.reason ?? '' },
    h('td', {}, s.name),
    h('td', {}, badge(s.health), s.reason ? h('div', { class: 'muted small' }, s.reason) : null),
    h('td', { class: 'num' }, fmtCount(Math.round(s.rate))),
    // The monitor's model says 0 before a source's first samples: no estimate yet, not 0 bits.
    h('td', { class: 'num' }, s.total > 0 ? fmtNumber(s.min_entropy) : '—'),
    h('td', { class: 'num' }, s.total > 0 ? fmtNumber(s.shannon) : '—'),
    h('td', { class: 'num' }, fmtCount(s.total)),
    h('td', { class: 'spark' }, s.total > 0 ? sparklineOf(s.history) : ''),
  );
  tr.addEventListener('click', () => onPick(s.name));
  return tr;
}

function recordingsTable(list: Recording[], onStop: (id: string) => void): HTMLElement {
  if (list.length === 0) return note('No recording started from this page yet.');
  return h(
    'table',
    { id: 'recordings-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['state', 'session', 'sources', 'elapsed', 'samples', 'size', ''].map((c) => h('th', {}, c)),
      ),
    ),
    h(
      'tbody',
      {},
      list.map((r) =>
        h(
          'tr',
          { 'data-state': r.state },
          h('td', {}, badge(r.state), r.error ? h('div', { class: 'error small' }, r.error) : null),
          h(
            'td',
            {},
            r.session_id
              ? r.state === 'done'
                ? sessionLink(r.session_id, r.folder)
                : h('span', { class: 'mono' }, r.session_id)
              : '—',
          ),
          h('td', {}, r.sources.join(', ')),
          h('td', { class: 'num' }, `${fmtDuration(r.elapsed_ms)} of ${fmtDuration(r.duration_s * 1000)}`),
          h('td', { class: 'num' }, fmtCount(r.total_samples)),
          h('td', { class: 'num' }, fmtBytes(r.bytes_on_disk)),
          h(
            'td',
            {},
            r.state === 'recording'
              ? h('button', { type: 'button', class: 'stop', onclick: () => onStop(r.id) }, 'stop')
              : '',
          ),
        ),
      ),
    ),
  );
}

function parseTags(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of text.split(/[\s,]+/).filter(Boolean)) {
    const i = t.indexOf(':');
    if (i <= 0) throw new Error(`tag "${t}" is not key:value`);
    out[t.slice(0, i)] = t.slice(i + 1);
  }
  return out;
}

/** The live table and the active source's plots, drawn from each frame of the event stream. */
function liveView(onPick: (name: string) => void) {
  const status = h('p', { id: 'live-status', class: 'muted' }, 'connecting…');
  const body = h('tbody');
  const charts = h('div', { id: 'live-charts', class: 'plots' });
  let frame: LiveFrame | null = null;
  const draw = (data: LiveFrame | { error: string }) => {
    if ('error' in data) {
      status.textContent = `error: ${data.error}`;
      return;
    }
    frame = data;
    status.textContent = `tick ${data.tick} at ${data.at.slice(11, 19)} UTC, ${data.sources.length} sources`;
    status.setAttribute('data-tick', String(data.tick));
    clear(body);
    for (const s of data.sources) body.append(liveRow(s, data.active?.name ?? null, onPick));
    clear(charts);
    const a = data.active;
    if (!a) return;
    charts.append(
      figure({
        id: 'live-histogram',
        title: `${a.name}: byte histogram of the rolling window`,
        name: `live-${a.name}-histogram`,
        plot: () => byteHistogramPlot(a.histogram, 520),
        data: () => histogramRows(a.histogram),
      }),
      figure({
        id: 'live-autocorrelation',
        title: `${a.name}: autocorrelation, lags 1..${a.autocorrelation.length}`,
        name: `live-${a.name}-autocorrelation`,
        plot: () => autocorrelationPlot(a.autocorrelation, a.autocorrelation_threshold, 520),
        data: () => autocorrelationRows(a.autocorrelation),
      }),
    );
  };
  const table = h(
    'table',
    { id: 'live-table' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        COLUMNS.map(([, l]) => h('th', {}, l)),
      ),
    ),
    body,
  );
  const el = section(
    'live',
    'Sources now (as oe monitor)',
    status,
    h(
      'div',
      { class: 'toolbar' },
      h('span', { class: 'spacer' }),
      dataButtons('live-sources', () => frame?.sources.map((s) => ({ ...s, history: s.history.join(' ') })) ?? []),
    ),
    h('div', { class: 'scroll' }, table),
    h('p', { class: 'muted' }, 'Click a source for its histogram and autocorrelation.'),
    charts,
  );
  return { el, draw, status, frame: () => frame };
}

/**
 * Checkboxes of the catalog's sources (unavailable ones disabled, with the reason on hover), folded
 * under a line that says what is watched.
 */
function sourcePicker(chosen: Set<string>, onApply: () => void, isLeft: () => boolean): HTMLElement {
  const picker = h('div', { id: 'live-sources', class: 'source-picker' });
  const summary = h('summary', {});
  const say = () => {
    summary.textContent = chosen.size
      ? `Sources: ${[...chosen].join(', ')} (change)`
      : 'Sources: the fast set, as oe monitor (choose others)';
  };
  say();
  getJson<{ sources: CatalogSource[] }>('/api/live/sources')
    .then((c) => {
      if (isLeft()) return;
      const boxes = c.sources.map((s) => {
        const cb = h('input', {
          type: 'checkbox',
          value: s.name,
          checked: chosen.has(s.name),
          disabled: s.unavailable !== null,
        });
        cb.addEventListener('change', () => {
          if (cb.checked) chosen.add(s.name);
          else chosen.delete(s.name);
        });
        const title = s.unavailable ?? s.description;
        return h(
          'label',
          { class: `pick${s.unavailable ? ' muted' : ''}`, title },
          cb,
          ` ${s.name}${s.fast ? '' : ' (slow)'}`,
        );
      });
      const apply = h('button', { type: 'button', id: 'live-apply' }, 'Watch these');
      apply.addEventListener('click', () => {
        say();
        onApply();
      });
      picker.append(
        h('p', { class: 'muted' }, 'None checked: the fast set. Recordings take the sources watched.'),
        h('div', { class: 'checks' }, boxes),
        apply,
      );
    })
    .catch((e) => picker.append(errorBox(e)));
  return h('details', { id: 'choose', class: 'choose' }, summary, picker);
}

/** The record form and the list of recordings started from the page (polled once a second). */
function recordPanel(sources: () => string[], isLeft: () => boolean): { el: HTMLElement; stop: () => void } {
  const recBox = h('div', { id: 'recordings' });
  const recError = h('div');
  const refresh = async () => {
    const r = await getJson<{ recordings: Recording[] }>('/api/recordings');
    if (isLeft()) return;
    clear(recBox);
    recBox.append(
      recordingsTable(r.recordings, async (id) => {
        await postJson(`/api/recordings/${encodeURIComponent(id)}/stop`, {});
        await refresh();
      }),
    );
  };
  const duration = h('input', { type: 'number', id: 'record-duration', min: 1, max: 86400, step: 1, value: 5 });
  const tags = h('input', { type: 'text', id: 'record-tags', placeholder: 'key:value key2:value2', size: 30 });
  const noteInput = h('input', { type: 'text', id: 'record-note', placeholder: 'note', size: 30 });
  const start = h('button', { type: 'button', id: 'record-start', class: 'primary' }, 'Start recording');
  start.addEventListener('click', async () => {
    clear(recError);
    try {
      const body = {
        sources: sources(),
        duration_s: Number(duration.value),
        tags: parseTags(tags.value),
        note: noteInput.value || null,
      };
      await postJson('/api/recordings', body);
      await refresh();
    } catch (e) {
      recError.append(errorBox(e));
    }
  });
  refresh().catch((e) => recBox.append(errorBox(e)));
  const timer = setInterval(() => {
    refresh().catch(() => undefined);
  }, 1000);
  const form = h(
    'div',
    { class: 'form' },
    h('label', {}, 'duration (s) ', duration),
    h('label', {}, 'tags ', tags),
    h('label', {}, 'note ', noteInput),
    start,
  );
  const el = h('div', { id: 'record-form' }, form, recError, h('h3', {}, 'Recordings'), recBox);
  return { el, stop: () => clearInterval(timer) };
}

export function livePage(root: HTMLElement, params: URLSearchParams): () => void {
  let es: EventSource | null = null;
  let left = false;
  let active: string | null = params.get('active');
  const chosen = new Set<string>((params.get('sources') ?? '').split(',').filter(Boolean));
  const isLeft = () => left;
  const connect = () => {
    es?.close();
    const q = new URLSearchParams();
    if (chosen.size) q.set('sources', [...chosen].join(','));
    if (active && (chosen.size === 0 || chosen.has(active))) q.set('active', active);
    es = new EventSource(`/api/live/events?${q}`);
    es.addEventListener('frame', (ev) => view.draw(JSON.parse((ev as MessageEvent).data)));
    es.addEventListener('error', () => {
      view.status.textContent = 'disconnected; retrying…';
    });
  };
  const view = liveView((name) => {
    active = name;
    connect();
  });
  // Record what is checked, or else what is being watched (less the sources that cannot run).
  const recordSources = () =>
    chosen.size
      ? [...chosen]
      : (view
          .frame()
          ?.sources.filter((s) => s.health !== 'unavailable')
          .map((s) => s.name) ?? []);
  const record = recordPanel(recordSources, isLeft);
  // What is watched and the recording controls first: the table below can be dozens of rows long.
  root.append(
    h('h1', {}, 'Live'),
    section('controls', 'Watch and record', sourcePicker(chosen, connect, isLeft), record.el),
    view.el,
  );
  connect();
  return () => {
    left = true;
    es?.close();
    record.stop();
  };
}
