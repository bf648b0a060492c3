/** `oe compare --output`: the Markdown report with its plot (the document and the table: compare-text.ts). */
import type { CompareMetric } from '../analyze/compare/compare.js';
import { compareMinEntropySvg } from './compare-plot.js';
import { type CompareDocument, cell, METRIC_TITLES, mark } from './compare-text.js';
import type { RenderedReport } from './markdown-report.js';

/** Markdown report with one SVG plot (written to `<plotDir>/min-entropy.svg`). */
export function renderCompareMarkdown(doc: CompareDocument, plotDir: string): RenderedReport {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines: string[] = [
    '# oe compare',
    '',
    `Generated ${doc.generated_at}. Baseline: **${doc.baseline}**. Significance level α = ${doc.alpha} (Benjamini–Hochberg over all tests).`,
    '',
    '| Input | Origin | Kind | Machine | Samples per replicate |',
    '|---|---|---|---|---|',
    ...doc.inputs.map(
      (i) => `| ${i.label} | ${esc(i.origin)} | ${i.kind} | ${esc(i.machine)} | ${i.replicate_samples ?? '—'} |`,
    ),
    '',
    `Method: ${doc.method}`,
    '',
    `![Min-entropy per source and input](${plotDir}/min-entropy.svg)`,
    '',
  ];
  for (const metric of ['min_entropy', 'shannon', 'throughput_bps'] as CompareMetric[]) {
    lines.push(
      `## ${METRIC_TITLES[metric]}`,
      '',
      `| Source | ${doc.inputs.map((i) => i.label).join(' | ')} |`,
      `|---|${doc.inputs.map(() => '---').join('|')}|`,
    );
    for (const s of doc.sources)
      lines.push(
        `| ${esc(s.name)} | ${doc.inputs.map((i) => cell(s.inputs[i.label]?.metrics[metric], metric) + mark(doc, s.name, i.label, metric)).join(' | ')} |`,
      );
    lines.push('', 'Mean [95% CI]; **≠** marks a significant difference from the baseline.', '');
  }
  const graded = doc.sources.filter((s) => Object.values(s.inputs).some((x) => x.grade !== null));
  if (graded.length) {
    lines.push(
      '## SP 800-90B grade (fixed sample size, context only)',
      '',
      `| Source | ${doc.inputs.map((i) => i.label).join(' | ')} |`,
      `|---|${doc.inputs.map(() => '---').join('|')}|`,
    );
    for (const s of graded)
      lines.push(
        `| ${esc(s.name)} | ${doc.inputs
          .map((i) => {
            const x = s.inputs[i.label];
            return x?.grade ? `${x.grade} (${x.assessed_min_entropy?.toFixed(3)})` : '—';
          })
          .join(' | ')} |`,
      );
    lines.push('');
  }
  lines.push('## Verdicts', '', ...doc.sources.map((s) => `- ${esc(s.verdict)}`), '');
  return {
    markdown: lines.join('\n'),
    plots: [
      {
        path: `${plotDir}/min-entropy.svg`,
        svg: compareMinEntropySvg(doc, 'Min-entropy per replicate: mean and 95% CI'),
      },
    ],
  };
}
