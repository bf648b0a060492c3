/**
 * `oe compare` output without plots: the JSON document and the terminal table (compare-markdown.ts adds
 * the Markdown report and its SVG, which needs the plotting stack).
 */
import type { CompareMetric, CompareResult, MetricSummary } from '../analyze/compare/compare.js';

export const COMPARE_FORMAT_VERSION = 1;

export interface CompareDocument extends CompareResult {
  format: 'oe-compare';
  format_version: number;
  generated_at: string;
  method: string;
}

export const COMPARE_METHOD =
  'Replicates per input (bench: rounds; session: 4096-sample windows); 95% Student-t intervals; each input vs the baseline (first) by Welch t-test; Benjamini-Hochberg q-values over all tests; flagged when q <= alpha. Min-entropy is compared only between replicates of equal sample size.';

export function compareDocument(r: CompareResult, generatedAt = new Date()): CompareDocument {
  return {
    format: 'oe-compare',
    format_version: COMPARE_FORMAT_VERSION,
    generated_at: generatedAt.toISOString(),
    method: COMPARE_METHOD,
    ...r,
  };
}

export function cell(m: MetricSummary | undefined, metric: CompareMetric): string {
  if (!m || m.mean === null) return '—';
  const k = metric === 'throughput_bps' ? 1 / 1024 : 1;
  const d = metric === 'throughput_bps' ? 1 : 3;
  const v = (m.mean * k).toFixed(d);
  if (m.ci_low === null || m.ci_high === null) return `${v} (n=${m.n})`;
  return `${v} [${(m.ci_low * k).toFixed(d)}, ${(m.ci_high * k).toFixed(d)}]`;
}

export const METRIC_TITLES: Record<CompareMetric, string> = {
  min_entropy: 'H∞ per replicate (bits/byte)',
  shannon: 'Shannon (bits/byte)',
  throughput_bps: 'Throughput (KiB/s)',
};

export function mark(r: CompareResult, source: string, label: string, metric: CompareMetric): string {
  if (label === r.baseline) return '';
  const c = r.sources
    .find((s) => s.name === source)
    ?.comparisons.find((x) => x.metric === metric && x.against === label);
  return c?.significant ? ' **≠**' : '';
}

/** Terminal text: inputs, one block per metric, verdict lines. */
export function renderCompareText(r: CompareResult): string {
  const out: string[] = ['oe compare'];
  for (const i of r.inputs) out.push(`  ${i.label}: ${i.origin} (${i.kind}) — ${i.machine}`);
  out.push(`  baseline ${r.baseline}; differences flagged (≠) only when BH q ≤ ${r.alpha}`);
  for (const metric of ['min_entropy', 'shannon', 'throughput_bps'] as CompareMetric[]) {
    out.push('', METRIC_TITLES[metric]);
    const head = ['source', ...r.inputs.map((i) => i.label)];
    const rows = r.sources.map((s) => [
      s.name,
      ...r.inputs.map(
        (i) =>
          cell(s.inputs[i.label]?.metrics[metric], metric) + mark(r, s.name, i.label, metric).replace(' **≠**', ' ≠'),
      ),
    ]);
    const w = head.map((h, k) => Math.max(h.length, ...rows.map((x) => x[k].length)));
    out.push(head.map((h, k) => h.padEnd(w[k])).join('  '));
    for (const x of rows) out.push(x.map((c, k) => c.padEnd(w[k])).join('  '));
  }
  out.push('', 'Verdicts');
  for (const s of r.sources) out.push(`  ${s.verdict}`);
  return `${out.join('\n')}\n`;
}
