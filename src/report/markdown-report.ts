/**
 * The Markdown report of `oe report`: a summary table, per-source SP 800-22 tables (p-values, pass
 * proportions, second-level analysis), the extended tests, and SVG plots referenced by relative
 * links so the report renders on GitHub. Pure: returns the Markdown and the plot files; the caller
 * writes them.
 */

import type { DependenceResult } from '../analyze/dependence/index.js';
import type { Sp80022Assessment } from '../analyze/sp800-22/assess.js';
import { constantSources } from '../analyze/sp800-22/constant-sources.js';
import { AUTOCORRELATION_MAX_BYTES, type ExtendedResult } from '../analyze/sp800-22/extended.js';
import { FAMILY_ALPHA } from '../analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES, type Sp80022Result } from '../analyze/sp800-22/types.js';
import { byteCounts } from '../analyze/stats/histogram.js';
import { autocorrelation, welchPowerSpectrum } from '../analyze/stats/index.js';
import {
  autocorrelationSvg,
  byteHistogramSvg,
  correlationHeatmapSvg,
  powerSpectrumSvg,
  pValueHistogramSvg,
} from './plots.js';
import { decidedByCell, decisionDetail, testVerdict, verdictRuleText } from './sp800-22-verdicts.js';

export interface ReportSource {
  /** Source name, file name or session/source. */
  name: string;
  /** One line on where the data came from. */
  origin: string;
  /** The byte stream analysed (raw, or conditioned when the report says so). */
  bytes: Uint8Array;
  /** The battery over the stream's bits; absent with the reason when there were too few bits. */
  sp80022?: Sp80022Assessment;
  sp80022Unavailable?: string;
  extended: ExtendedResult[];
}

export interface ReportDocument {
  title: string;
  /** ISO time. */
  generatedAt: string;
  /** Key/value lines for the header (command, machine, conditioning, …). */
  context: [string, string][];
  sources: ReportSource[];
  dependence?: DependenceResult;
  /** Extra Markdown sections (e.g. telemetry), already formatted. */
  sections?: { title: string; markdown: string }[];
  notes?: string[];
}

export interface RenderedReport {
  markdown: string;
  /** Plot files: path relative to the report's directory, and the SVG. */
  plots: { path: string; svg: string }[];
}

const fmtP = (p: number) => (p < 0.000001 ? p.toExponential(2) : p.toFixed(6));
const esc = (s: string) => s.replace(/\|/g, '\\|');

function slug(s: string): string {
  return (
    s
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'source'
  );
}

function sp80022Section(
  src: ReportSource,
  a: Sp80022Assessment,
  plotDir: string,
  plots: RenderedReport['plots'],
): string {
  const out: string[] = [];
  out.push(
    `SP 800-22 Rev. 1a: ${a.sequences} sequence${a.sequences > 1 ? 's' : ''} of ${a.sequenceLength.toLocaleString('en-US')} bits` +
      ` (bits MSB first; ${a.unusedBits.toLocaleString('en-US')} bits unused), α = ${a.alpha}, constants: ${a.constants === 'sts' ? "NIST STS 2.1.2's (default)" : "SP 800-22's exact values"}.`,
    '',
    `<details><summary>Constants (${a.constants})</summary>`,
    '',
    ...constantSources(a.constants).map((c) => `- ${c.test}: ${c.source}`),
    '',
    '</details>',
    '',
  );
  out.push(...(a.sequences === 1 ? oneSequenceTables(a) : secondLevelTables(a)));
  out.push(
    '<details><summary>How each verdict was reached</summary>',
    '',
    ...NIST_TEST_NAMES.map((name) => {
      const v = testVerdict(a, name);
      return `- ${name}: ${v.verdict}; ${esc(v.verdict === 'n/a' ? v.detail : decisionDetail(v.decision, a.decisions.tests))}`;
    }),
    '',
    '</details>',
    '',
  );
  const all = a.perSequence.flatMap((rs) => rs.flatMap((r) => (r.applicable ? r.pValues : [])));
  if (all.length > 0) {
    const file = `${plotDir}/${slug(src.name)}-pvalues.svg`;
    plots.push({ path: file, svg: pValueHistogramSvg(all, `SP 800-22 p-values — ${src.name}`) });
    out.push(`![SP 800-22 p-value histogram of ${src.name}](${encodeURI(file)})`, '');
  }
  return out.join('\n');
}

/** One sequence: a row per test with its p-values and verdict, then the tests with many p-values in full. */
function oneSequenceTables(a: Sp80022Assessment): string[] {
  const out = [
    '| Test | p-values | passed (p ≥ α) | min p | decided by | Holm p | verdict |',
    '|---|---:|---:|---:|---|---:|---|',
  ];
  for (const name of NIST_TEST_NAMES) {
    const r = a.perSequence[0].find((x) => x.name === name)!;
    if (!r.applicable) {
      out.push(`| ${name} | — | — | — | — | — | ${esc(r.reason ?? 'not applicable')} |`);
      continue;
    }
    const v = testVerdict(a, name);
    const ps = r.pValues.length <= 2 ? r.pValues.map(fmtP).join(', ') : `${r.pValues.length} values (below)`;
    out.push(
      `| ${name} | ${ps} | ${r.pValues.filter((p) => p >= a.alpha).length}/${r.pValues.length} | ${fmtP(Math.min(...r.pValues))} | ${decidedByCell(v.decision)} | ${fmtP(v.decision.adjustedPValue ?? 1)} | ${v.verdict} |`,
    );
  }
  out.push('');
  const multi = a.perSequence[0].filter((r) => r.applicable && r.pValues.length > 2);
  for (const r of multi) out.push(...multiValueTable(r, a.alpha));
  return out;
}

/**
 * K sequences: a row per test from its worst p-value series (proportion passing, uniformity), then every
 * series in STS's finalAnalysisReport layout.
 */
function secondLevelTables(a: Sp80022Assessment): string[] {
  const out = [
    "| Test | series | sequences | min proportion passing | NIST's range | min uniformity p | decided by | Holm p | verdict |",
    '|---|---:|---:|---:|---|---:|---|---:|---|',
  ];
  for (const name of NIST_TEST_NAMES) {
    const rows = a.secondLevel.rows.filter((r) => r.name === name);
    if (rows.length === 0) {
      const reason = a.perSequence[0].find((x) => x.name === name)?.reason ?? 'not applicable';
      out.push(`| ${name} | — | 0 | — | — | — | — | — | ${esc(reason)} |`);
      continue;
    }
    const v = testVerdict(a, name);
    const worst = rows.reduce((m, r) => (r.proportion < m.proportion ? r : m));
    const minU = Math.min(...rows.map((r) => r.uniformityPValue ?? 1));
    out.push(
      `| ${name} | ${rows.length} | ${worst.sequences} | ${worst.passed}/${worst.sequences} = ${worst.proportion.toFixed(4)} | ${worst.proportionInterval[0].toFixed(4)} – ${worst.proportionInterval[1].toFixed(4)} | ${fmtP(minU)} | ${decidedByCell(v.decision)} | ${fmtP(v.decision.adjustedPValue ?? 1)} | ${v.verdict} |`,
    );
  }
  out.push('');
  if (!a.secondLevel.uniformityReliable) {
    out.push(
      '> Fewer than 55 sequences: the uniformity p-values are not reliable (SP 800-22 §4.2.2) and do not enter the verdicts.',
      '',
    );
  } else if (!a.decisions.uniformity) {
    out.push(
      '> Sequences shorter than 10⁶ bits: the uniformity p-values do not enter the verdicts (their χ² assumes continuous p-values; short sequences give discrete ones).',
      '',
    );
  }
  out.push(
    '<details><summary>Every p-value series (STS finalAnalysisReport layout)</summary>',
    '',
    '| Test | sub-test | C1 | C2 | C3 | C4 | C5 | C6 | C7 | C8 | C9 | C10 | uniformity p | proportion |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  );
  for (const r of a.secondLevel.rows) {
    out.push(
      `| ${r.name} | ${r.label ?? ''} | ${r.histogram.join(' | ')} | ${r.uniformityPValue === undefined ? '—' : fmtP(r.uniformityPValue)}${r.uniformityOk === false ? ' *' : ''} | ${r.passed}/${r.sequences}${r.proportionOk ? '' : ' *'} |`,
    );
  }
  out.push('', "`*` outside NIST's range / uniformity p < 0.0001.", '', '</details>', '');
  return out;
}

function multiValueTable(r: Sp80022Result, alpha: number): string[] {
  const out = [
    `<details><summary>${r.name}: all ${r.pValues.length} p-values</summary>`,
    '',
    '| sub-test | p-value | |',
    '|---|---:|---|',
  ];
  r.pValues.forEach((p, i) => {
    out.push(`| ${r.labels?.[i] ?? i + 1} | ${fmtP(p)} | ${p < alpha ? 'p < α' : ''} |`);
  });
  out.push('', '</details>', '');
  return out;
}

function extendedSection(ext: ExtendedResult[]): string {
  const out = [
    "Extended tests (not part of SP 800-22; the sound tests of openentropy's battery, on the byte stream):",
    '',
    '| Test | result | p-value | what it measures |',
    '|---|---:|---:|---|',
  ];
  for (const e of ext) {
    if (!e.applicable) {
      out.push(`| ${e.name} | ${esc(e.reason ?? 'not applicable')} | — | ${esc(e.description)} |`);
      continue;
    }
    const result =
      e.value !== undefined
        ? `${e.value.toFixed(4)} ${e.unit ?? ''}`
        : e.statistic !== undefined
          ? e.statistic.toPrecision(5)
          : '';
    out.push(
      `| ${e.name} | ${result.trim()} | ${e.pValue === undefined ? '—' : `${fmtP(e.pValue)}${e.pValue < 0.01 ? ' (p < 0.01)' : ''}`} | ${esc(e.description)} |`,
    );
  }
  out.push('');
  return out.join('\n');
}

/** The summary table: per source, SP 800-22 tests passed / failed / not applicable and extended p < 0.01. */
function summarySection(doc: ReportDocument): string[] {
  const first = doc.sources.find((s) => s.sp80022)?.sp80022;
  const md = [
    '## Summary',
    '',
    '| Source | bytes | SP 800-22 tests passed | failed | not applicable | extended p < 0.01 |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const s of doc.sources) {
    let passed = 0;
    let failed = 0;
    let na = 0;
    if (s.sp80022) {
      for (const name of NIST_TEST_NAMES) {
        const v = testVerdict(s.sp80022, name).verdict;
        if (v === 'n/a') na++;
        else if (v === 'FAIL') failed++;
        else passed++;
      }
    }
    const extFails = s.extended.length
      ? String(s.extended.filter((e) => e.pValue !== undefined && e.pValue < 0.01).length)
      : '—';
    const sp = s.sp80022 ? `${passed}/${passed + failed}` : esc(s.sp80022Unavailable ?? 'not run');
    md.push(
      `| ${esc(s.name)} | ${s.bytes.length.toLocaleString('en-US')} | ${sp} | ${s.sp80022 ? failed : '—'} | ${s.sp80022 ? na : '—'} | ${extFails} |`,
    );
  }
  md.push('', verdictRuleText(first?.alpha ?? 0.01, first?.decisions.familyAlpha ?? FAMILY_ALPHA), '');
  return md;
}

/** A source's plots (byte histogram, autocorrelation, Welch spectrum): adds the files, returns the Markdown. */
function plotsSection(s: ReportSource, plotDir: string, plots: RenderedReport['plots']): string[] {
  const md = ['### Plots', ''];
  const base = `${plotDir}/${slug(s.name)}`;
  if (s.bytes.length > 0) {
    plots.push({
      path: `${base}-bytes.svg`,
      svg: byteHistogramSvg(byteCounts(s.bytes), `Byte histogram — ${s.name}`),
    });
    md.push(`![Byte histogram of ${s.name}](${encodeURI(`${base}-bytes.svg`)})`, '');
  }
  if (s.bytes.length < 64) {
    md.push('Autocorrelation and spectrum: not plotted (fewer than 64 bytes).', '');
    return md;
  }
  const acInput = s.bytes.subarray(0, AUTOCORRELATION_MAX_BYTES);
  const ac = autocorrelation(acInput, 200);
  if (!ac.constant && ac.maxLag > 0) {
    const z = ac.threshold * Math.sqrt(ac.n - 1);
    plots.push({
      path: `${base}-autocorrelation.svg`,
      svg: autocorrelationSvg(
        ac.r,
        ac.n,
        z,
        `Autocorrelation of byte values — ${s.name}${s.bytes.length > acInput.length ? ` (first ${acInput.length.toLocaleString('en-US')} bytes)` : ''}`,
      ),
    });
    md.push(`![Autocorrelation of ${s.name}](${encodeURI(`${base}-autocorrelation.svg`)})`, '');
  } else md.push('Autocorrelation: not plotted (constant stream).', '');
  const w = welchPowerSpectrum(s.bytes);
  if (w) {
    plots.push({
      path: `${base}-spectrum.svg`,
      svg: powerSpectrumSvg(w.psd, w.segmentLength, `Power spectrum of byte values — ${s.name}`),
    });
    md.push(`![Power spectrum of ${s.name}](${encodeURI(`${base}-spectrum.svg`)})`, '');
  }
  return md;
}

/** Dependence between sources: the cross-correlation heatmap and a row per pair (or why it was skipped). */
function dependenceSection(d: DependenceResult | undefined, plotDir: string, plots: RenderedReport['plots']): string[] {
  const md = ['## Dependence between sources', ''];
  if (!d || d.sources.length < 2) {
    md.push('Not computed.', '');
    return md;
  }
  const file = `${plotDir}/cross-correlation.svg`;
  plots.push({
    path: file,
    svg: correlationHeatmapSvg(d.sources, d.matrix.correlation, 'Cross-correlation between sources'),
  });
  md.push(`![Cross-correlation heatmap](${encodeURI(file)})`, '');
  md.push(
    '| pair | n | r (lag 0) | max abs r (lag) | q (corr.) | MI (bits) | q (MI) | flagged |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  );
  for (const p of d.pairs) {
    md.push(
      `| ${esc(p.a)} – ${esc(p.b)} | ${p.n} | ${p.correlation.lag0.toFixed(4)} | ${p.correlation.maxAbs.toFixed(4)} (${p.correlation.maxLag}) | ${fmtP(p.correlation.qValue)} | ${p.mutualInformation.bits.toExponential(2)} | ${fmtP(p.mutualInformation.qValue)} | ${p.flagged ? 'yes' : ''} |`,
    );
  }
  for (const s of d.skipped) md.push(`| ${esc(s.a)} – ${esc(s.b)} | — | — | — | — | — | — | ${esc(s.reason)} |`);
  md.push(
    '',
    `Lagged Pearson correlation (lags ±${d.maxLag}) and mutual information with circular-shift nulls and Benjamini–Hochberg q-values (α = ${d.alpha}).`,
    '',
  );
  return md;
}

/**
 * Renders the report: header, summary, per source its SP 800-22 tables, extended tests and plots,
 * the dependence between sources, extra sections and notes. `plotDir` is the directory for plots
 * relative to the report file (e.g. "report-plots").
 */
export function renderMarkdownReport(doc: ReportDocument, plotDir: string): RenderedReport {
  const plots: RenderedReport['plots'] = [];
  const md: string[] = [`# ${doc.title}`, '', `Generated ${doc.generatedAt} by oe.`, ''];
  for (const [k, v] of doc.context) md.push(`- **${k}:** ${v}`);
  if (doc.context.length) md.push('');
  md.push(...summarySection(doc));
  for (const s of doc.sources) {
    md.push(`## ${s.name}`, '', s.origin, '');
    md.push('### SP 800-22', '');
    if (s.sp80022) md.push(sp80022Section(s, s.sp80022, plotDir, plots));
    else md.push(s.sp80022Unavailable ?? 'SP 800-22 was not run.', '');
    md.push('### Extended tests', '', extendedSection(s.extended));
    md.push(...plotsSection(s, plotDir, plots));
  }
  if (doc.sources.length > 1) md.push(...dependenceSection(doc.dependence, plotDir, plots));
  for (const sec of doc.sections ?? []) md.push(`## ${sec.title}`, '', sec.markdown, '');
  if (doc.notes?.length) {
    md.push('## Notes', '');
    for (const n of doc.notes) md.push(`- ${n}`);
    md.push('');
  }
  return { markdown: md.join('\n'), plots };
}
