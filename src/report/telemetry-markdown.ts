/** The Telemetry section of `oe report`'s Markdown: this host's window (live) or a session's recorded series. */
import type { TelemetryWindow } from '../collect/telemetry/index.js';
import type { SessionTelemetryMetric } from './report-json.js';

function fmt(x: number): string {
  return Math.abs(x) >= 1e6 || (Math.abs(x) < 1e-3 && x !== 0) ? x.toExponential(3) : Number(x.toFixed(3)).toString();
}

/** The telemetry_v1 window over a live sampling: every metric's start, end and rate. */
export function telemetryWindowSection(w: TelemetryWindow): { title: string; markdown: string } {
  const lines = [
    `telemetry_v1 window over the sampling: ${(w.elapsed_ms / 1000).toFixed(1)} s, ${w.end.cpu_count} CPUs, load average (1 min) ${w.start.loadavg_1m ?? 'n/a'} → ${w.end.loadavg_1m ?? 'n/a'}, ${w.deltas.length} metrics.`,
    '',
    '<details><summary>All metrics (start, end, rate per second for counters)</summary>',
    '',
    '| domain | metric | unit | start | end | rate / s |',
    '|---|---|---|---:|---:|---:|',
    ...w.deltas.map(
      (d) =>
        `| ${d.domain} | ${d.name} | ${d.unit} | ${fmt(d.start_value)} | ${fmt(d.end_value)} | ${d.rate_per_s === null ? '—' : fmt(d.rate_per_s)} |`,
    ),
  ];
  lines.push('', '</details>');
  return { title: 'Telemetry', markdown: lines.join('\n') };
}

/** A session's own recorded telemetry, one row per metric. */
export function sessionTelemetrySection(metrics: readonly SessionTelemetryMetric[]): {
  title: string;
  markdown: string;
} {
  const num = (v: number | null) => (v === null || !Number.isFinite(v) ? '—' : fmt(v));
  const rows = [
    `The session's own telemetry_v1 series (recorded with the samples): ${metrics.length} metrics.`,
    '',
    '<details><summary>Per metric: snapshots, first, last, min, max, mean; mean rate per second for counters</summary>',
    '',
    '| domain | metric | unit | n | first | last | min | max | mean | mean rate / s |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
    ...metrics.map(
      (m) =>
        `| ${m.domain} | ${m.name} | ${m.unit} | ${m.n} | ${num(m.first)} | ${num(m.last)} | ${num(m.min)} | ${num(m.max)} | ${num(m.mean)} | ${num(m.meanRatePerS)} |`,
    ),
  ];
  rows.push('', '</details>');
  return { title: 'Telemetry', markdown: rows.join('\n') };
}
