/**
 * The SP 800-22 verdicts as the reports show them: the decisions are computed in
 * src/analyze/sp800-22/test-decisions.ts (with the assessment); this file only words them.
 */
import type { Sp80022Assessment } from '../analyze/sp800-22/assess.js';
import type { EvidenceKind, SeriesEvidence } from '../analyze/sp800-22/series-evidence.js';
import type { TestDecision, TestVerdict } from '../analyze/sp800-22/test-decisions.js';
import type { NistTestName } from '../analyze/sp800-22/types.js';

/** A test's verdict, the statistic that decided it, and one line on how. */
export function testVerdict(
  a: Sp80022Assessment,
  name: NistTestName,
): { verdict: TestVerdict; decidedBy: EvidenceKind | null; detail: string; decision: TestDecision } {
  const d = a.decisions.decisions.find((x) => x.test === name);
  if (!d) throw new Error(`internal: no decision for ${name}`);
  if (d.verdict === 'n/a') {
    const reason = a.perSequence[0].find((r) => r.name === name)?.reason ?? 'not applicable';
    return { verdict: 'n/a', decidedBy: null, detail: reason, decision: d };
  }
  return {
    verdict: d.verdict,
    decidedBy: d.worst?.evidence.decidedBy ?? null,
    detail: decisionDetail(d, a.decisions.tests),
    decision: d,
  };
}

/** One line: the deciding series and statistic, the Bonferroni factors, the test's p and its Holm adjustment. */
export function decisionDetail(d: TestDecision, tests: number): string {
  if (!d.worst || d.pValue === null || d.adjustedPValue === null) return 'not applicable';
  const e = d.worst.evidence;
  const series = d.series > 1 ? `worst of ${d.series} series${d.worst.label ? ` (${d.worst.label})` : ''}: ` : '';
  const factors = [
    ...(e.components > 1 ? [`${e.components} statistics`] : []),
    ...(d.series > 1 ? [`${d.series} series`] : []),
  ];
  const test = factors.length ? ` × ${factors.join(' × ')} → test p ${fmt(d.pValue)}` : '';
  return `${series}${evidenceText(e, e.decidedBy)}${test}; Holm over ${tests} tests ${fmt(d.adjustedPValue)}`;
}

/** Short name of the deciding statistic for a table cell. */
export function decidedByCell(d: TestDecision): string {
  const e = d.worst?.evidence;
  if (!e) return '—';
  if (e.decidedBy === 'binomial tail') return `binomial tail (${e.failures}/${e.sequences} < α)`;
  return e.decidedBy;
}

/** The paragraph that states the rule under the report's summary. */
export function verdictRuleText(alpha: number, familyAlpha: number): string {
  return (
    `Verdicts control the family-wise error rate of each source's battery at ${familyAlpha}: whatever the number of sequences, a source whose bits are truly random gets a FAIL in at most ${pct(familyAlpha)} of reports if the tests' p-values are exact. The stated rate is 1 %: the level is a quarter of it because some of STS's p-values have heavier tails than nominal (the rate measured on true RNG data, with its confidence interval, is in oe's docs/ARCHITECTURE.md). ` +
    `Each p-value series (a test or sub-test over its K sequences) gives one p-value: on one sequence the p-value itself; on K ≥ 2 the smallest of the exact binomial tail of the number of sequences with p < α = ${alpha}, the smallest p-value over the K sequences (Šidák), and from K ≥ 55 sequences of ≥ 10⁶ bits the uniformity of the p-values (NIST's χ² over 10 bins, with its exact tail where it can decide: NIST's χ²₉ approximation is several times too small there), times the number of these statistics (Bonferroni). ` +
    `A test's p-value is its smallest series p-value times its number of series (Bonferroni: the 148 templates, excursion states and both cusum directions share the same bits); the tests' p-values are Holm-adjusted and a test FAILs below ${familyAlpha}. ` +
    `"pass (chance)": NIST's own rule flags the test (p < α on one sequence; with several, a proportion outside NIST's interval or a uniformity p < 0.0001 from 55 sequences), but chance explains it at this level. NIST's interval stays in the tables as NIST's figure.`
  );
}

function evidenceText(e: SeriesEvidence, kind: EvidenceKind): string {
  switch (kind) {
    case 'p-value':
      return `p = ${fmt(e.minimum)}`;
    case 'binomial tail':
      return `${e.failures} of ${e.sequences} sequences below α (binomial tail ${fmt(e.binomialPValue ?? 1)})`;
    case 'minimum p':
      return `min p ${fmt(e.minimum)} of ${e.sequences} sequences (Šidák ${fmt(e.minimumPValue)})`;
    case 'uniformity':
      return `uniformity of ${e.sequences} p-values ${fmt(e.uniformityPValue ?? 1)}${e.uniformityExact ? ' (exact χ² tail)' : " (NIST's χ² approximation)"}`;
  }
}

function fmt(p: number): string {
  if (p === 0) return '0';
  if (p < 1e-4) return p.toExponential(1);
  return Number(p.toPrecision(2)).toString();
}

function pct(x: number): string {
  return `${Number((x * 100).toPrecision(3))} %`;
}
