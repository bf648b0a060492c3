/**
 * Session: the manifest and machine fingerprint, the per-source counts, then the analysis (exactly what
 * `oe sessions <id> --analyze --telemetry --quantum-ratio --json` prints). A session without a stored
 * analysis is analysed in the background (the server keeps the result in <session>/analysis.json)
 * while a progress bar shows how far it is.
 */
import { ApiError, getJson, type Job, postJson, query, waitForJob } from '../api.js';
import { badge, clear, fmtBytes, fmtCount, fmtDuration, fmtTime, h, section } from '../dom.js';
import { dataTable } from '../table.js';
import type { AnalysisDoc, SessionDetail, TelemetryPlotSeries } from '../types.js';
import { renderAnalysis } from './analysis-view.js';
import { errorBox, jobProgress, kvTable, loading } from './common.js';

type AnalysisState =
  | { state: 'stored'; analysis: AnalysisDoc }
  | { state: 'none' | 'stale' | 'invalid' | 'running'; reason: string; job: Job | null };

/** `oe record`'s settings, one per line (lists joined, objects as key:value), leaving out the unset ones. */
function configList(config: Record<string, unknown>): HTMLElement {
  const text = (v: unknown): string =>
    Array.isArray(v)
      ? v.join(', ')
      : typeof v === 'object' && v !== null
        ? Object.entries(v)
            .map(([k, x]) => `${k}:${x}`)
            .join(' ')
        : String(v);
  const shown = Object.entries(config).filter(
    ([, v]) => v !== null && !(typeof v === 'object' && Object.keys(v as object).length === 0),
  );
  return h(
    'ul',
    { class: 'config' },
    shown.map(([k, v]) => h('li', {}, h('span', { class: 'muted' }, `${k} `), text(v))),
  );
}

function manifestCard(d: SessionDetail): HTMLElement {
  const m = d.manifest;
  const tags = Object.entries(m.tags)
    .map(([k, v]) => `${k}:${v}`)
    .join(' ');
  return section(
    'manifest',
    'Session',
    kvTable('manifest-table', [
      ['id', m.id],
      ['status', badge(d.status)],
      ['started (UTC)', fmtTime(m.started_at)],
      ['ended (UTC)', fmtTime(m.ended_at)],
      ['duration', fmtDuration(m.duration_ms)],
      ['ended by', m.end_reason],
      ['error', m.error],
      ['repaired', m.repaired_at ? fmtTime(m.repaired_at) : null],
      ['samples', fmtCount(d.samples_on_disk)],
      // The recorded data only; the Sessions list's "on disk" is the whole folder (with analysis.json).
      ['data', `${fmtBytes(m.size_bytes)} in ${m.files.length} Parquet file${m.files.length === 1 ? '' : 's'}`],
      ['tags', tags || null],
      ['note', m.note],
      ['config', configList(m.config)],
    ]),
  );
}

/** A fingerprint value as text: flags as the names that are set, bytes with a unit, objects compact. */
function fpValue(k: string, v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (k === 'memory_bytes' && typeof v === 'number') return fmtBytes(v);
  if (k === 'cpu_flags' && typeof v === 'object')
    return (
      Object.entries(v as Record<string, boolean>)
        .filter(([, x]) => x)
        .map(([f]) => f)
        .join(' ') || 'none'
    );
  if (k === 'virtualization' && typeof v === 'object') {
    const x = v as { detected: boolean; vendor: string | null; product: string | null };
    const what = [x.vendor, x.product].filter(Boolean).join(', ');
    return x.detected ? `yes${what ? ` (${what})` : ''}` : 'no';
  }
  if (k === 'addon' && typeof v === 'object') {
    const a = v as { built: boolean; arch: string | null; tick_unit: string | null; samplers: number | null };
    return a.built
      ? `built for ${a.arch ?? '?'}, ${a.samplers ?? '?'} samplers, ticks in ${a.tick_unit ?? '?'}`
      : 'not built';
  }
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

function fingerprintCard(d: SessionDetail): HTMLElement {
  const rows = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]): [string, string] => [k, fpValue(k, v)]);
  return section(
    'fingerprint',
    'Machine fingerprint',
    kvTable('machine-table', rows(d.manifest.fingerprint.machine)),
    h('h3', {}, 'Software'),
    kvTable('software-table', rows(d.manifest.fingerprint.software)),
  );
}

function countsCard(d: SessionDetail): HTMLElement {
  const rows = d.manifest.sources.map((s) => ({ ...s, ...(d.manifest.counts[s.name] ?? {}) }));
  return section(
    'source-counts',
    'Recorded sources',
    dataTable({
      id: 'counts-table',
      name: `${d.id}-sources`,
      rows,
      columns: [
        { key: 'name', label: 'source' },
        { key: 'category', label: 'category' },
        { key: 'kind', label: 'kind' },
        { key: 'unit', label: 'unit' },
        { key: 'extraction', label: 'extraction' },
        { key: 'samples', label: 'samples', numeric: true },
        { key: 'batches', label: 'batches', numeric: true },
        { key: 'timeouts', label: 'timeouts', numeric: true },
        { key: 'errors', label: 'errors', numeric: true },
        { key: 'last_error', label: 'last error' },
      ],
    }),
    d.manifest.skipped_sources?.length
      ? h(
          'p',
          { class: 'muted' },
          `Skipped: ${d.manifest.skipped_sources.map((s) => `${s.name} (${s.reason})`).join('; ')}`,
        )
      : null,
  );
}

export function sessionPage(root: HTMLElement, params: URLSearchParams, path: string[]): () => void {
  const id = path[1] ?? '';
  const folder = params.get('folder') ?? undefined;
  const q = query({ folder });
  const base = `/api/sessions/${encodeURIComponent(id)}`;
  let left = false;
  const analysisBox = h('div', { id: 'analysis' }, loading('loading the analysis…'));
  const top = h('div', {}, loading());
  root.append(h('h1', {}, 'Session ', h('span', { class: 'mono' }, id)), top, analysisBox);

  const showAnalysis = async (detail: SessionDetail) => {
    const s = await getJson<AnalysisState>(`${base}/analysis${q}`);
    if (left) return;
    if (s.state === 'stored') {
      const tel = await getJson<{ series: TelemetryPlotSeries[] }>(`${base}/telemetry${q}`).catch(() => ({
        series: [],
      }));
      if (left) return;
      clear(analysisBox);
      analysisBox.append(renderAnalysis(s.analysis, tel.series, detail, { rerun: (opts) => run(detail, opts) }));
      return;
    }
    if (s.state !== 'running' && detail.status === 'recording') {
      clear(analysisBox);
      analysisBox.append(
        section(
          'analysis-pending',
          'Analysis',
          h('p', {}, 'The session is still being recorded; it is analysed when you open it after it ends.'),
        ),
      );
      return;
    }
    if (s.state === 'running' && s.job) await follow(detail, s.job);
    else await run(detail, {}, s.state === 'none' ? null : s.reason);
  };

  const follow = async (detail: SessionDetail, job: Job, why: string | null = null) => {
    const p = jobProgress('analysis-progress');
    clear(analysisBox);
    analysisBox.append(
      section(
        'analysis-running',
        'Analysis',
        why ? h('p', { class: 'muted' }, `Stored analysis not used: ${why}`) : null,
        h(
          'p',
          {},
          'Analysing the session in the background (the result is kept beside it, so the page opens at once next time).',
        ),
        p.el,
      ),
    );
    const done = await waitForJob(job.id, p.update, () => left);
    if (left) return;
    if (done.state === 'failed') {
      clear(analysisBox);
      analysisBox.append(section('analysis-failed', 'Analysis', errorBox(new Error(`analysis failed: ${done.error}`))));
      return;
    }
    await showAnalysis(detail);
  };

  const run = async (
    detail: SessionDetail,
    opts: { quantum?: boolean; entropy?: 'mcv' | 'full' },
    why: string | null = null,
  ) => {
    try {
      const r = await postJson<{ job: Job }>(`${base}/analysis${q}`, opts);
      await follow(detail, r.job, why);
    } catch (e) {
      if (left) return;
      clear(analysisBox);
      analysisBox.append(section('analysis-failed', 'Analysis', errorBox(e)));
    }
  };

  getJson<SessionDetail>(`${base}${q}`)
    .then(async (detail) => {
      if (left) return;
      clear(top);
      top.append(h('div', { class: 'two' }, manifestCard(detail), fingerprintCard(detail)), countsCard(detail));
      await showAnalysis(detail);
    })
    .catch((e) => {
      if (left) return;
      clear(analysisBox);
      clear(top);
      top.append(errorBox(e instanceof ApiError && e.status === 404 ? new Error(e.message) : e));
    });
  return () => {
    left = true;
  };
}
