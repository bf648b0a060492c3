/**
 * Compare: sessions and bench reports side by side as `oe compare` computes them (the server runs the
 * same library code; the page shows its --json). Inputs come from the hash (`#/compare?in=s:<id>,b:<file>`,
 * the first is the baseline); without two inputs the page offers a picker.
 */
import { getJson, type Job, postJson, waitForJob } from '../api.js';
import { badge, clear, fmtNumber, fmtP, h, note, section } from '../dom.js';
import { saveFile } from '../download.js';
import { comparePlot, figure } from '../plots.js';
import { dataTable } from '../table.js';
import type { BenchRow, CompareDoc, SessionList } from '../types.js';
import { errorBox, jobProgress, loading } from './common.js';

const METRICS: [string, string, number][] = [
  ['min_entropy', 'H∞ per replicate (bits/byte)', 1],
  ['shannon', 'Shannon (bits/byte)', 1],
  ['throughput_bps', 'Throughput (KiB/s)', 1 / 1024],
];

function parseInputs(text: string | null): { kind: 'session' | 'bench'; name: string }[] {
  if (!text) return [];
  return text
    .split(',')
    .map((t) => t.trim())
    .filter((t) => /^[sb]:/.test(t))
    .map((t) => ({ kind: t.startsWith('s:') ? ('session' as const) : ('bench' as const), name: t.slice(2) }));
}

function picker(root: HTMLElement): void {
  const box = h('div', {}, loading());
  root.append(section('compare-picker', 'Choose inputs (the first checked is the baseline)', box));
  Promise.all([getJson<SessionList>('/api/sessions?limit=500'), getJson<{ benches: BenchRow[] }>('/api/benches')])
    .then(([list, benches]) => {
      clear(box);
      const order: string[] = [];
      const go = h('button', { type: 'button', id: 'compare-go', class: 'primary', disabled: true }, 'Compare');
      const item = (ref: string, label: string, extra: string) => {
        const cb = h('input', { type: 'checkbox', 'data-ref': ref });
        cb.addEventListener('change', () => {
          const i = order.indexOf(ref);
          if (cb.checked && i < 0) order.push(ref);
          if (!cb.checked && i >= 0) order.splice(i, 1);
          go.disabled = order.length < 2;
        });
        return h(
          'li',
          {},
          h('label', {}, cb, ' ', h('span', { class: 'mono' }, label), h('span', { class: 'muted' }, `  ${extra}`)),
        );
      };
      go.addEventListener('click', () => {
        location.hash = `#/compare?in=${encodeURIComponent(order.join(','))}`;
      });
      box.append(
        h('h3', {}, 'Sessions'),
        list.sessions.length
          ? h(
              'ul',
              { class: 'pick' },
              list.sessions.map((s) =>
                item(`s:${s.id}`, s.id, `${s.machine}; ${s.sources.length} sources; ${s.status}`),
              ),
            )
          : note('No sessions.'),
        h('h3', {}, 'Bench reports'),
        benches.benches.length
          ? h(
              'ul',
              { class: 'pick' },
              benches.benches.map((b) => item(`b:${b.name}`, b.name, `${b.machine}; ${b.profile ?? ''}`)),
            )
          : note('No bench reports in the folders.'),
        go,
      );
    })
    .catch((e) => {
      clear(box);
      box.append(errorBox(e));
    });
}

function metricTable(doc: CompareDoc, metric: string, title: string, scale: number): HTMLElement {
  const labels = doc.inputs.map((i) => i.label);
  type Row = CompareDoc['sources'][0];
  const cell = (s: Row, label: string) => {
    const m = s.inputs[label]?.metrics[metric];
    if (!s.inputs[label]?.present || !m || m.mean === null) return '—';
    const v = fmtNumber(m.mean * scale, 3);
    const ci =
      m.ci_low !== null && m.ci_high !== null
        ? ` [${fmtNumber(m.ci_low * scale, 3)}, ${fmtNumber(m.ci_high * scale, 3)}]`
        : ` (n=${m.n})`;
    const c = s.comparisons.find((x) => x.metric === metric && x.against === label);
    const span = h(
      'span',
      {
        class: c?.significant ? 'significant' : '',
        title: c ? `${c.note ?? ''} p = ${fmtP(c.p_value)}, q = ${fmtP(c.q_value)}` : 'baseline',
      },
      `${v}${ci}`,
    );
    return c?.significant ? h('span', {}, span, h('strong', { class: 'diff-flag' }, ' ≠')) : span;
  };
  return h(
    'div',
    {},
    h('h3', {}, title),
    dataTable<Row>({
      id: `compare-${metric}`,
      name: `compare-${metric}`,
      rows: doc.sources,
      columns: [
        { key: 'name', label: 'source' },
        ...labels.map((l) => ({
          key: l,
          label: l,
          value: (s: Row) => s.inputs[l]?.metrics[metric]?.mean ?? null,
          cell: (s: Row) => cell(s, l),
        })),
        ...labels.slice(1).map((l) => ({
          key: `q_${l}`,
          label: `q ${l} vs ${doc.baseline}`,
          numeric: true,
          value: (s: Row) => s.comparisons.find((x) => x.metric === metric && x.against === l)?.q_value ?? null,
          cell: (s: Row) => fmtP(s.comparisons.find((x) => x.metric === metric && x.against === l)?.q_value),
        })),
      ],
    }),
  );
}

/** `oe compare`'s verdict line split into its kind (different, not compared, same) and the detail after it. */
function verdictParts(name: string, line: string): { kind: string; detail: string } {
  const rest = line.startsWith(`${name}: `) ? line.slice(name.length + 2) : line;
  if (rest.startsWith('DIFFERENT: ')) return { kind: 'different', detail: rest.slice('DIFFERENT: '.length) };
  if (rest.startsWith('NOT COMPARED: ')) return { kind: 'not compared', detail: rest.slice('NOT COMPARED: '.length) };
  return { kind: 'same', detail: rest };
}

/** One row per source: the verdict as a badge, then its detail (the line `oe compare` prints, split). */
function verdictsTable(doc: CompareDoc): HTMLElement {
  const rows = doc.sources.map((s) => ({ source: s.name, ...verdictParts(s.name, s.verdict) }));
  return dataTable({
    id: 'compare-verdicts-table',
    name: 'compare-verdicts',
    rows,
    pageSize: 50,
    rowClass: (r) => (r.kind === 'different' ? 'flagged' : ''),
    columns: [
      { key: 'source', label: 'source' },
      { key: 'kind', label: 'verdict', cell: (r) => badge(r.kind) },
      { key: 'detail', label: 'detail' },
    ],
  });
}

function renderCompare(doc: CompareDoc): HTMLElement {
  const labels = doc.inputs.map((i) => i.label);
  const plotRows = doc.sources.flatMap((s) =>
    labels
      .map((l) => ({ source: s.name, input: l, m: s.inputs[l]?.metrics.min_entropy }))
      .filter((x) => x.m && x.m.mean !== null)
      .map((x) => ({
        source: x.source,
        input: x.input,
        mean: x.m?.mean as number,
        lo: x.m?.ci_low ?? null,
        hi: x.m?.ci_high ?? null,
      })),
  );
  const plotted = new Set(plotRows.map((r) => r.source));
  const unplotted = doc.sources.map((s) => s.name).filter((n) => !plotted.has(n));
  const flagged = doc.sources.flatMap((s) =>
    s.comparisons.filter((c) => c.significant).map((c) => ({ source: s.name, ...c })),
  );
  return h(
    'div',
    { id: 'compare-result' },
    section(
      'compare-inputs',
      'Inputs',
      dataTable({
        id: 'compare-inputs-table',
        name: 'compare-inputs',
        rows: doc.inputs,
        columns: [
          {
            key: 'label',
            label: 'label',
            cell: (i) => (i.label === doc.baseline ? h('strong', {}, `${i.label} (baseline)`) : i.label),
          },
          { key: 'origin', label: 'origin' },
          { key: 'kind', label: 'kind' },
          { key: 'machine', label: 'machine' },
          { key: 'replicate_samples', label: 'samples per replicate', numeric: true },
        ],
      }),
      h('p', { class: 'muted' }, doc.method),
      h(
        'button',
        {
          type: 'button',
          class: 'dl',
          'data-download': 'compare',
          onclick: () => saveFile('compare.json', 'application/json', `${JSON.stringify(doc, null, 2)}\n`),
        },
        'compare JSON',
      ),
    ),
    section(
      'compare-differences',
      `Significant differences (q ≤ ${doc.alpha}): ${flagged.length}`,
      flagged.length
        ? dataTable({
            id: 'compare-flagged',
            name: 'compare-significant',
            rows: flagged,
            columns: [
              { key: 'source', label: 'source' },
              { key: 'metric', label: 'metric' },
              { key: 'against', label: `vs ${doc.baseline}` },
              { key: 'difference', label: 'difference', numeric: true, cell: (r) => fmtNumber(r.difference) },
              { key: 'q_value', label: 'q', numeric: true, cell: (r) => fmtP(r.q_value) },
            ],
          })
        : note('No difference is significant.'),
    ),
    section(
      'compare-metrics',
      'Per source',
      METRICS.map(([m, t, k]) => metricTable(doc, m, t, k)),
    ),
    plotRows.length
      ? section(
          'compare-plot',
          'Min-entropy',
          figure({
            id: 'plot-compare',
            title: 'H∞ per replicate, mean and 95% interval per input',
            name: 'compare-min-entropy',
            plot: () => comparePlot(plotRows, labels),
            data: () => plotRows,
            caption: unplotted.length
              ? `Not plotted (no min-entropy replicate in any input, e.g. fewer samples than one window): ${unplotted.join(', ')}.`
              : undefined,
          }),
        )
      : null,
    section('compare-verdicts', 'Verdicts', verdictsTable(doc)),
  );
}

export function comparePage(root: HTMLElement, params: URLSearchParams): () => void {
  let left = false;
  root.append(h('h1', {}, 'Compare'));
  const inputs = parseInputs(params.get('in'));
  if (inputs.length < 2) {
    picker(root);
    return () => {
      left = true;
    };
  }
  const box = h('div', {});
  root.append(h('p', {}, h('a', { href: '#/compare' }, '← choose other inputs')), box);
  const p = jobProgress('compare-progress');
  box.append(p.el);
  postJson<{ job: Job }>('/api/compare', { inputs })
    .then((r) => waitForJob(r.job.id, p.update, () => left))
    .then((j) => {
      if (left) return;
      clear(box);
      if (j.state === 'failed') box.append(errorBox(new Error(`compare failed: ${j.error}`)));
      else box.append(renderCompare(j.result as CompareDoc));
    })
    .catch((e) => {
      if (left) return;
      clear(box);
      box.append(errorBox(e));
    });
  return () => {
    left = true;
  };
}
