/**
 * The analysis part of the Session page, drawn from the stored analysis JSON: the per-source table (H∞
 * MCV and SP 800-90B, verdicts with reasons), per-source plots (byte histogram, autocorrelation,
 * spectrum, min-entropy over time with the session's telemetry), the dependence matrix and the
 * experimental quantum proxy. Every table and plot downloads.
 */
import { badge, clear, fmtCount, fmtNumber, fmtP, fmtTime, h, note, section } from '../dom.js';
import { saveFile } from '../download.js';
import {
  autocorrelationPlot,
  autocorrelationRows,
  byteHistogramPlot,
  dependencePlot,
  entropyOverTimePlot,
  entropyRows,
  figure,
  histogramRows,
  type MatrixCell,
  matrixLegend,
  matrixScale,
  type QuantumRow,
  quantumPlot,
  spectrumPlot,
  spectrumRows,
  stripStyles,
  type TimeAxis,
  telemetryPlot,
  timeAxis,
  toDate,
  WIDE,
} from '../plots.js';
import { dataTable } from '../table.js';
import type {
  AnalysisDoc,
  Dependence,
  EntropyOverTime,
  Reason,
  SessionDetail,
  SourceAnalysis,
  TelemetryPlotSeries,
} from '../types.js';
import { kvTable } from './common.js';

type Rerun = (opts: { quantum?: boolean; entropy?: 'mcv' | 'full' }) => Promise<void>;

function h90b(s: SourceAnalysis): number | null {
  const b = s.minEntropy?.sp800_90b?.bytes;
  return b && !('error' in b) ? b.hAssessed : null;
}

/** The verdict's first (most severe) reason, and the others behind a click, so a row stays one or two lines. */
function reasonsCell(reasons: Reason[]): HTMLElement | string {
  if (reasons.length === 0) return '';
  const item = (x: Reason) => h('li', { class: `sev-${x.severity.toLowerCase()}` }, x.message);
  if (reasons.length === 1) return h('ul', { class: 'reasons' }, item(reasons[0]));
  return h(
    'details',
    { class: 'reasons' },
    h(
      'summary',
      { class: `sev-${reasons[0].severity.toLowerCase()}` },
      `${reasons[0].message} (+${reasons.length - 1} more)`,
    ),
    h('ul', { class: 'reasons' }, reasons.slice(1).map(item)),
  );
}

function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `oe sessions` command that prints this analysis as JSON (the same apart from generated_at). */
export function cliEquivalent(doc: AnalysisDoc): string {
  const a = doc.analyses[0];
  const folder = a.input.dir ? a.input.dir.replace(/\/[^/]*$/, '') : null;
  return [
    `oe sessions ${a.input.id ?? '<id>'} --analyze --telemetry`,
    doc.options.entropy !== 'window' ? `--entropy ${doc.options.entropy}` : null,
    a.experimental.quantum_proxy_v3 ? '--quantum-ratio' : null,
    folder ? `--dir ${shellWord(folder)}` : null,
    '--json',
  ]
    .filter(Boolean)
    .join(' ');
}

/** The SP 800-90B column's header and tooltip, naming the window the assessment ran on (the JSON's options). */
function h90bColumnText(options: AnalysisDoc['options']): { label: string; title: string } {
  const n = typeof options.entropy_samples === 'number' ? options.entropy_samples : 0;
  if (n <= 0) return { label: 'H∞ 90B', title: 'SP 800-90B non-IID assessed min-entropy: not run (--entropy mcv)' };
  const count = n.toLocaleString('en-US');
  return {
    label: `H∞ 90B (first ${count})`,
    title: `SP 800-90B non-IID assessed min-entropy, bits per byte, of the first ${count} samples of each source (--entropy ${String(options.entropy)})`,
  };
}

function sourcesTable(
  a: AnalysisDoc['analyses'][0],
  options: AnalysisDoc['options'],
  id: string,
  onPick: (name: string) => void,
): HTMLElement {
  return dataTable<SourceAnalysis>({
    id: 'analysis-table',
    name: `${id}-analysis`,
    rows: a.standard.sources,
    pageSize: 20,
    onRowClick: (r) => onPick(r.name),
    rowClass: (r) => `verdict-${(r.verdict?.verdict ?? 'unavailable').toLowerCase()}`,
    columns: [
      { key: 'name', label: 'source' },
      { key: 'samples', label: 'samples', numeric: true },
      {
        key: 'h_mcv',
        label: 'H∞ MCV',
        numeric: true,
        title: 'SP 800-90B §6.3.1 most common value, bits per byte',
        value: (r) => r.minEntropy?.mcv?.hMin ?? null,
        cell: (r) => fmtNumber(r.minEntropy?.mcv?.hMin),
      },
      {
        key: 'h_90b',
        ...h90bColumnText(options),
        numeric: true,
        value: h90b,
        cell: (r) => fmtNumber(h90b(r)),
      },
      {
        key: 'shannon',
        label: 'Shannon',
        numeric: true,
        value: (r) => r.bytes?.shannon.bitsPerByte ?? null,
        cell: (r) => fmtNumber(r.bytes?.shannon.bitsPerByte),
      },
      {
        key: 'verdict',
        label: 'verdict',
        value: (r) => r.verdict?.verdict ?? 'unavailable',
        cell: (r) => badge(r.verdict?.verdict ?? 'unavailable'),
      },
      {
        key: 'reasons',
        label: 'reasons',
        value: (r) => (r.unavailable ? r.unavailable : (r.verdict?.reasons ?? []).map((x) => x.message).join('; ')),
        cell: (r) =>
          r.unavailable ? h('span', { class: 'muted' }, r.unavailable) : reasonsCell(r.verdict?.reasons ?? []),
      },
    ],
  });
}

/** One time axis for the entropy windows and the telemetry beside them (null without times). */
function axisFor(eot: EntropyOverTime | undefined, tel: TelemetryPlotSeries[]): TimeAxis | null {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  for (const w of eot?.windows ?? []) {
    if (w.start !== null) lo = Math.min(lo, w.start);
    if (w.end !== null) hi = Math.max(hi, w.end);
  }
  if (!Number.isFinite(lo)) return null;
  for (const s of tel)
    for (const t of s.t) {
      lo = Math.min(lo, t);
      hi = Math.max(hi, t);
    }
  return timeAxis(lo, hi);
}

function telemetryLabel(s: TelemetryPlotSeries): string {
  return `${s.name}${s.source ? ` ${s.source}` : ''} (${s.unit}${s.measure === 'rate' ? '/s' : ''})`;
}

function sourcePlots(doc: AnalysisDoc, name: string, tel: TelemetryPlotSeries[], id: string): HTMLElement {
  const a = doc.analyses[0];
  const s = a.standard.sources.find((x) => x.name === name);
  const out = h('div', { class: 'plots' });
  if (!s?.bytes) {
    out.append(note(s?.unavailable ? `${name}: ${s.unavailable}` : `${name}: no statistics`));
    return out;
  }
  const b = s.bytes;
  const tag = `${id}-${name}`;
  out.append(
    figure({
      id: 'plot-histogram',
      title: `Byte histogram (χ² p = ${fmtP(b.chiSquareUniform.pValue)}; line: uniform n/256 ± 3σ)`,
      name: `${tag}-histogram`,
      plot: () => byteHistogramPlot(b.chiSquareUniform.histogram),
      data: () => histogramRows(b.chiSquareUniform.histogram),
      caption: `${b.chiSquareUniform.histogram.filter((c) => c > 0).length} of 256 byte values occur.`,
    }),
    figure({
      id: 'plot-autocorrelation',
      title: `Autocorrelation r_k, k ≤ ${b.autocorrelation.maxLag} (${b.autocorrelation.violations} beyond the Bonferroni threshold)`,
      name: `${tag}-autocorrelation`,
      plot: () => autocorrelationPlot(b.autocorrelation.r, b.autocorrelation.threshold),
      data: () => autocorrelationRows(b.autocorrelation.r),
    }),
  );
  const sp = b.spectrum;
  if (!sp) out.append(note('Spectrum: the stream is too short for two Welch segments.'));
  else {
    const rows = spectrumRows(sp.psd, sp.segmentLength);
    out.append(
      figure({
        id: 'plot-spectrum',
        title: `Welch spectrum of the bytes (${sp.segments} segments of ${sp.segmentLength}; flatness ${fmtNumber(sp.flatness.relative)} of white; ${spectralLines(sp.peaks)})`,
        name: `${tag}-spectrum`,
        // Wide: 512 points need the width, and the pair of plots above stays a pair.
        wide: true,
        plot: () => spectrumPlot(rows, sp.peaks.peaks, sp.peaks.alpha, WIDE),
        data: () => rows,
        caption:
          sp.psd.binsPerPoint > 1 ? `Each point averages ${sp.psd.binsPerPoint} adjacent Welch ordinates.` : undefined,
      }),
    );
  }
  const eot = a.experimental.entropy_over_time.find((e) => e.source === name);
  if (eot) out.append(entropyPanel(eot, tel, tag));
  return out;
}

function entropyPanel(eot: EntropyOverTime, tel: TelemetryPlotSeries[], tag: string): HTMLElement {
  const ax = axisFor(eot, tel);
  const rows = entropyRows(eot.windows);
  const win =
    eot.window.by === 'time'
      ? `windows of ${fmtNumber(eot.window.seconds, 2)} s`
      : `windows of ${eot.window.samples} samples`;
  const panel = h(
    'div',
    { class: 'panel wide', id: 'entropy-panel' },
    figure({
      id: 'plot-entropy-time',
      title: `Min-entropy over time (${rows.length} ${win})`,
      name: `${tag}-entropy-over-time`,
      plot: () => entropyOverTimePlot(rows, ax),
      data: () => rows,
    }),
  );
  if (ax)
    for (const s of tel)
      panel.append(
        figure({
          id: `plot-telemetry-${s.domain}-${s.name}${s.source ? `-${s.source}` : ''}`.replace(/[^A-Za-z0-9_-]/g, '_'),
          title: `Telemetry: ${s.domain}/${telemetryLabel(s)}`,
          name: `${tag}-telemetry-${s.name}`,
          plot: () => telemetryPlot(telemetryLabel(s), s.t, s.v, ax),
          data: () => s.t.map((t, i) => ({ time: toDate(t).toISOString(), value: s.v[i] })),
        }),
      );
  const rel = eot.telemetry;
  if (rel === null) panel.append(note('Not related to telemetry.'));
  else if ('available' in rel) panel.append(note(`Telemetry: ${rel.reason}`));
  else if (rel.tested === 0) {
    const first = rel.untested[0];
    const more = rel.untested.length > 1 ? ` (and ${rel.untested.length - 1} more)` : '';
    panel.append(
      note(
        `No telemetry series could be related to the ${rel.windows} windows${first ? `: ${first.series}: ${first.reason}${more}` : ''}.`,
      ),
    );
  } else
    panel.append(
      h(
        'h3',
        {},
        `Spearman ρ of min-entropy against telemetry over ${rel.windows} windows (BH q over ${rel.tested} series)`,
      ),
      dataTable({
        id: 'telemetry-correlations',
        name: `${tag}-telemetry-correlations`,
        rows: rel.correlations,
        pageSize: 10,
        columns: [
          { key: 'series', label: 'series', value: (c) => `${c.domain}/${c.name}${c.source ? ` (${c.source})` : ''}` },
          { key: 'measure', label: 'measure' },
          { key: 'n', label: 'windows', numeric: true },
          { key: 'rho', label: 'ρ', numeric: true, cell: (c) => fmtNumber(c.rho) },
          { key: 'pValue', label: 'p', numeric: true, cell: (c) => fmtP(c.pValue) },
          { key: 'qValue', label: 'q', numeric: true, cell: (c) => fmtP(c.qValue) },
        ],
      }),
    );
  return panel;
}

/** A cell of the matrix without test results (the diagonal, a pair not tested). */
function blankCell(a: string, b: string, skipped: string | null): MatrixCell {
  return {
    a,
    b,
    r: a === b ? 1 : null,
    mi_bits: null,
    max_abs_r: null,
    max_lag: null,
    p_correlation: null,
    q_correlation: null,
    p_mi: null,
    q_mi: null,
    flagged: false,
    skipped,
  };
}

/** Both halves of the matrix: the diagonal, every tested pair and every skipped pair (with its reason). */
export function matrixCells(d: Dependence): MatrixCell[] {
  const cells = d.sources.map((n) => blankCell(n, n, null));
  for (const p of d.pairs) {
    const c: MatrixCell = {
      a: p.a,
      b: p.b,
      r: p.correlation.lag0,
      mi_bits: p.mutualInformation.bits,
      max_abs_r: p.correlation.maxAbs,
      max_lag: p.correlation.maxLag,
      p_correlation: p.correlation.pValue,
      q_correlation: p.correlation.qValue,
      p_mi: p.mutualInformation.pValue,
      q_mi: p.mutualInformation.qValue,
      flagged: p.flagged,
      skipped: null,
    };
    cells.push(c, { ...c, a: p.b, b: p.a });
  }
  for (const x of d.skipped) cells.push(blankCell(x.a, x.b, x.reason), blankCell(x.b, x.a, x.reason));
  return cells;
}

function dependenceSection(dep: AnalysisDoc['analyses'][0]['standard']['dependence'], id: string): HTMLElement {
  if (dep === null) return section('dependence', 'Dependence between sources', note('Not computed.'));
  if ('available' in dep) return section('dependence', 'Dependence between sources', note(dep.reason));
  const cells = matrixCells(dep);
  const pairRows = dep.pairs.map((p) => ({
    a: p.a,
    b: p.b,
    n: p.n,
    flagged: p.flagged,
    by: dep.flagged.find((f) => f.a === p.a && f.b === p.b)?.by.join(', ') ?? '',
    r_lag0: p.correlation.lag0,
    max_abs_r: p.correlation.maxAbs,
    max_lag: p.correlation.maxLag,
    q_correlation: p.correlation.qValue,
    mi_bits: p.mutualInformation.bits,
    q_mi: p.mutualInformation.qValue,
  }));
  type PairRow = (typeof pairRows)[0];
  const cols = [
    { key: 'a', label: 'source a' },
    { key: 'b', label: 'source b' },
    { key: 'by', label: 'flagged by' },
    { key: 'r_lag0', label: 'r (lag 0)', numeric: true, cell: (r: PairRow) => fmtNumber(r.r_lag0, 4) },
    {
      key: 'max_abs_r',
      label: 'max |r|',
      numeric: true,
      cell: (r: PairRow) => `${fmtNumber(r.max_abs_r, 4)} @ ${r.max_lag}`,
    },
    { key: 'q_correlation', label: 'q (corr.)', numeric: true, cell: (r: PairRow) => fmtP(r.q_correlation) },
    { key: 'mi_bits', label: 'MI (bits)', numeric: true, cell: (r: PairRow) => fmtNumber(r.mi_bits, 5) },
    { key: 'q_mi', label: 'q (MI)', numeric: true, cell: (r: PairRow) => fmtP(r.q_mi) },
  ];
  const off = cells.filter((c) => c.a !== c.b && c.max_abs_r !== null).map((c) => c.max_abs_r as number);
  return section(
    'dependence',
    `Dependence between sources (${dep.flagged.length} of ${dep.pairs.length} pairs flagged at q ≤ ${dep.alpha})`,
    figure({
      id: 'plot-dependence',
      title: `Strongest correlation over lags ±${dep.maxLag} per pair; outlined: flagged (hover a cell for r, MI, p and q)`,
      name: `${id}-dependence`,
      // The colour key under the matrix, inside the figure (the SVG download is the matrix alone).
      plot: () =>
        h(
          'div',
          {},
          dependencePlot(cells, dep.sources, dep.maxLag),
          h('div', { class: 'legend' }, stripStyles(matrixLegend(matrixScale(off), dep.maxLag))),
        ),
      data: () => cells.map((c) => ({ ...c })),
      caption: dep.skipped.length
        ? `Grey ×: ${dep.skipped.length} pair${dep.skipped.length === 1 ? '' : 's'} not tested (hover for why).`
        : undefined,
    }),
    h('h3', {}, 'Flagged pairs'),
    dep.flagged.length === 0
      ? note('No pair is flagged.')
      : dataTable({
          id: 'flagged-pairs',
          name: `${id}-flagged-pairs`,
          rows: pairRows.filter((r) => r.flagged),
          rowClass: () => 'flagged',
          columns: cols,
        }),
    h(
      'details',
      {},
      h(
        'summary',
        {},
        `All ${dep.pairs.length} pair${dep.pairs.length === 1 ? '' : 's'}${dep.skipped.length ? ` (${dep.skipped.length} skipped)` : ''}`,
      ),
      dataTable({
        id: 'pairs-table',
        name: `${id}-pairs`,
        rows: pairRows,
        rowClass: (r) => (r.flagged ? 'flagged' : ''),
        columns: cols,
      }),
    ),
  );
}

function quantumSection(doc: AnalysisDoc, id: string, rerun: Rerun): HTMLElement {
  const q = doc.analyses[0].experimental.quantum_proxy_v3;
  const title = 'Quantum proxy (quantum_proxy_v3, EXPERIMENTAL)';
  if (!q) {
    const b = h('button', { type: 'button', id: 'run-quantum' }, 'Analyse again with the quantum proxy');
    b.addEventListener('click', () => rerun({ quantum: true }));
    return section(
      'quantum',
      title,
      note('The stored analysis has no quantum proxy (it was made without --quantum-ratio).'),
      b,
    );
  }
  const agg = q.report.aggregate;
  const num = (v: unknown) => (typeof v === 'number' ? fmtNumber(v) : String(v ?? '—'));
  const numOrNull = (v: unknown) => (typeof v === 'number' ? v : null);
  const qRows: QuantumRow[] = q.report.sources
    .filter((r) => typeof r.quantum_score === 'number')
    .map((r) => ({
      source: String(r.name),
      q: r.quantum_score as number,
      lo: numOrNull(r.quantum_score_ci_low),
      hi: numOrNull(r.quantum_score_ci_high),
    }));
  return section(
    'quantum',
    title,
    h(
      'p',
      { class: 'experimental' },
      'An exploratory model, not a release metric: q = prior × quality × (1 − stress − confound) × (1 − coupling); see docs/ARCHITECTURE.md.',
    ),
    kvTable('quantum-aggregate', [
      ['quantum bits', `${num(agg.quantum_bits)} [${num(agg.quantum_bits_ci_low)}, ${num(agg.quantum_bits_ci_high)}]`],
      [
        'classical bits',
        `${num(agg.classical_bits)} [${num(agg.classical_bits_ci_low)}, ${num(agg.classical_bits_ci_high)}]`,
      ],
      [
        'quantum fraction',
        `${num(agg.quantum_fraction)} [${num(agg.quantum_fraction_ci_low)}, ${num(agg.quantum_fraction_ci_high)}]`,
      ],
      ['Q:C', num(agg.quantum_to_classical)],
      ['bytes per source', String(q.sample_bytes)],
      ['telemetry', q.telemetry],
    ]),
    figure({
      id: 'plot-quantum',
      title: 'q per source (EXPERIMENTAL), highest first',
      name: `${id}-quantum`,
      wide: true,
      plot: () => quantumPlot(qRows),
      data: () => qRows.map((r) => ({ ...r })),
    }),
    dataTable({
      id: 'quantum-table',
      name: `${id}-quantum`,
      rows: q.report.sources,
      columns: [
        { key: 'name', label: 'source' },
        { key: 'min_entropy_bits', label: 'H∞', numeric: true, cell: (r) => num(r.min_entropy_bits) },
        { key: 'physics_prior', label: 'prior', numeric: true, cell: (r) => num(r.physics_prior) },
        { key: 'quality_factor', label: 'quality', numeric: true, cell: (r) => num(r.quality_factor) },
        {
          key: 'stress_sensitivity_effective',
          label: 'stress',
          numeric: true,
          cell: (r) => num(r.stress_sensitivity_effective),
        },
        { key: 'coupling_penalty', label: 'coupling', numeric: true, cell: (r) => num(r.coupling_penalty) },
        {
          key: 'quantum_score',
          label: 'q',
          numeric: true,
          cell: (r) => `${num(r.quantum_score)} [${num(r.quantum_score_ci_low)}, ${num(r.quantum_score_ci_high)}]`,
        },
        {
          key: 'quantum_min_entropy_bits',
          label: 'q bits',
          numeric: true,
          cell: (r) => num(r.quantum_min_entropy_bits),
        },
      ],
    }),
    q.report.excluded.length
      ? note(`Excluded: ${q.report.excluded.map((e) => `${e.name} (${e.reason})`).join('; ')}`)
      : null,
  );
}

export function renderAnalysis(
  doc: AnalysisDoc,
  tel: TelemetryPlotSeries[],
  detail: SessionDetail,
  o: { rerun: Rerun },
): HTMLElement {
  const a = doc.analyses[0];
  const id = detail.id;
  const sum = a.standard.summary;
  const names = a.standard.sources.filter((s) => s.bytes).map((s) => s.name);
  const plots = h('div', { id: 'source-plots' });
  const picker = h(
    'select',
    { id: 'plot-source' },
    names.map((n) => h('option', { value: n }, n)),
  );
  const pick = (name: string) => {
    if (!names.includes(name)) return;
    picker.value = name;
    clear(plots);
    plots.append(sourcePlots(doc, name, tel, id));
  };
  picker.addEventListener('change', () => pick(picker.value));
  const full = h('button', { type: 'button', id: 'run-full-90b' }, 'Analyse again with the full SP 800-90B suite');
  full.addEventListener('click', () => o.rerun({ entropy: 'full', quantum: Boolean(a.experimental.quantum_proxy_v3) }));
  const out = h(
    'div',
    {},
    section(
      'analysis-summary',
      'Analysis',
      h(
        'p',
        { class: 'summary' },
        badge('GOOD'),
        ` ${sum.good}  `,
        badge('WARNING'),
        ` ${sum.warning}  `,
        badge('CRITICAL'),
        ` ${sum.critical}  `,
        `unavailable ${sum.unavailable}`,
      ),
      h('p', {}, sum.recommendation),
      h(
        'p',
        { class: 'muted' },
        `Generated ${fmtTime(doc.generated_at)}; min-entropy ${String(doc.options.entropy)}; ${fmtCount(a.standard.sources.length)} sources. Same JSON as `,
        h('code', { id: 'cli-equivalent' }, cliEquivalent(doc)),
      ),
      h(
        'div',
        { class: 'actions' },
        h(
          'button',
          {
            type: 'button',
            class: 'dl',
            'data-download': 'analysis',
            onclick: () => saveFile(`${id}-analysis.json`, 'application/json', `${JSON.stringify(doc, null, 2)}\n`),
          },
          'analysis JSON',
        ),
        full,
      ),
    ),
    section('per-source', 'Per source (click a row to plot it)', sourcesTable(a, doc.options, id, pick)),
    section('plots-section', 'Plots', h('label', {}, 'source ', picker), plots),
    dependenceSection(a.standard.dependence, id),
    quantumSection(doc, id, o.rerun),
  );
  if (names.length > 0) pick(names[0]);
  else plots.append(note('No source has statistics to plot.'));
  return out;
}

/**
 * The spectrum title's count of significant lines. The analysis keeps only the strongest few peaks (the
 * red marks), so when more lines are significant the title says how many of them are marked.
 */
function spectralLines(p: { significant: number; alpha: number; peaks: readonly { pValue: number }[] }): string {
  const marked = p.peaks.filter((x) => x.pValue < p.alpha).length;
  if (p.significant === 0) return 'no significant line';
  if (marked >= p.significant) return `${p.significant} significant line${p.significant === 1 ? '' : 's'} in red`;
  return `${p.significant} significant lines, the ${marked} strongest in red`;
}
