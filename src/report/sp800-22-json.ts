import type { Sp80022Assessment } from '../analyze/sp800-22/assess.js';
import { constantSources } from '../analyze/sp800-22/constant-sources.js';
import type { ExtendedResult } from '../analyze/sp800-22/extended.js';
import type { SecondLevelRow } from '../analyze/sp800-22/second-level.js';
import type { SeriesEvidence } from '../analyze/sp800-22/series-evidence.js';
import type { TestVerdict } from '../analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES } from '../analyze/sp800-22/types.js';
import { verdictRuleText } from './sp800-22-verdicts.js';

/** What was tested, for the JSON and the Markdown header. */
export interface Sp80022InputInfo {
  /** File path, source name, or `<session id>/<source>`. */
  name: string;
  /** 'binary' | 'ascii' for files, 'source' for live sampling, 'session' for recorded data. */
  kind: 'binary' | 'ascii' | 'source' | 'session';
}

/** One test in `oe report --json` (schemas/sp800-22.schema.json). */
export interface Sp80022JsonTest {
  name: string;
  /** True when the test ran on at least one sequence. */
  applicable: boolean;
  reason?: string;
  labels?: string[];
  /** Every p-value, sequence by sequence, each sequence's in NIST's order. */
  pValues: number[];
  /** p-values ≥ α among pValues. */
  passed: number;
  sequences: {
    applicable: boolean;
    reason?: string;
    pValues: number[];
    parameters: Record<string, number | string>;
    statistics: Record<string, number | number[]>;
  }[];
  /** NIST's second-level rows (one per p-value index); present when K > 1. */
  secondLevel?: SecondLevelRow[];
  /** oe's verdict (src/analyze/sp800-22/test-decisions.ts). */
  decision: {
    verdict: TestVerdict;
    /** p-value series with data. */
    series: number;
    sequences: number;
    /** Bonferroni over the series; null when n/a. */
    pValue: number | null;
    /** Holm-adjusted over the battery's tests; FAIL below familyAlpha. */
    adjustedPValue: number | null;
    /** Series NIST's own second-level rules flag. */
    nistFlagged: number;
    /** The series with the smallest p-value and what decided it; null when n/a. */
    worstSeries: ({ label: string | null } & SeriesEvidence) | null;
  };
}

export interface Sp80022Json {
  standard: 'NIST SP 800-22 Rev. 1a';
  input: Sp80022InputInfo;
  bits: number;
  sequenceLength: number;
  sequences: number;
  unusedBits: number;
  alpha: number;
  /** 'sts': STS 2.1.2's rounded constants (reproduces its published results); 'exact': SP 800-22's values. */
  constants: 'sts' | 'exact';
  /** Where each test's constants come from in this mode. */
  constantSources: { test: string; source: string }[];
  /** How the verdicts were decided (per test in tests[].decision). */
  decisions: { alpha: number; familyAlpha: number; uniformity: boolean; method: 'holm'; tests: number; rule: string };
  tests: Sp80022JsonTest[];
  /** Tests outside SP 800-22 (from openentropy's battery), reported separately. */
  extended: ExtendedResult[];
  secondLevelNote?: string;
}

/** The JSON document of `oe report --input … --json`. */
export function sp80022Json(a: Sp80022Assessment, input: Sp80022InputInfo, extended: ExtendedResult[]): Sp80022Json {
  const tests = NIST_TEST_NAMES.map((name): Sp80022JsonTest => {
    const per = a.perSequence.map((results) => results.find((r) => r.name === name)!);
    const applicable = per.some((r) => r.applicable);
    const first = per.find((r) => r.applicable) ?? per[0];
    const pValues = per.flatMap((r) => (r.applicable ? r.pValues : []));
    const d = a.decisions.decisions.find((x) => x.test === name)!;
    return {
      name,
      applicable,
      ...(applicable ? {} : { reason: first.reason }),
      ...(first.labels ? { labels: first.labels } : {}),
      pValues,
      passed: pValues.filter((p) => p >= a.alpha).length,
      sequences: per.map((r) => ({
        applicable: r.applicable,
        ...(r.reason ? { reason: r.reason } : {}),
        pValues: r.pValues,
        parameters: r.parameters,
        statistics: finiteOnly(r.statistics),
      })),
      ...(a.sequences > 1 ? { secondLevel: a.secondLevel.rows.filter((row) => row.name === name) } : {}),
      decision: {
        verdict: d.verdict,
        series: d.series,
        sequences: d.sequences,
        pValue: d.pValue,
        adjustedPValue: d.adjustedPValue,
        nistFlagged: d.nistFlagged,
        worstSeries: d.worst ? { label: d.worst.label ?? null, ...d.worst.evidence } : null,
      },
    };
  });
  return {
    standard: 'NIST SP 800-22 Rev. 1a',
    input,
    bits: a.bits,
    sequenceLength: a.sequenceLength,
    sequences: a.sequences,
    unusedBits: a.unusedBits,
    alpha: a.alpha,
    constants: a.constants,
    constantSources: constantSources(a.constants),
    decisions: {
      alpha: a.decisions.alpha,
      familyAlpha: a.decisions.familyAlpha,
      uniformity: a.decisions.uniformity,
      method: a.decisions.method,
      tests: a.decisions.tests,
      rule: verdictRuleText(a.alpha, a.decisions.familyAlpha),
    },
    tests,
    extended,
    ...(a.sequences > 1 && !a.secondLevel.uniformityReliable
      ? { secondLevelNote: 'fewer than 55 sequences: the uniformity p-values are not reliable (SP 800-22 §4.2.2)' }
      : {}),
  };
}

/** JSON has no NaN or ±Infinity: statistics that are not finite (degenerate input) are left out. */
function finiteOnly(stats: Record<string, number | number[]>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(stats)) {
    if (Array.isArray(v) ? v.every(Number.isFinite) : Number.isFinite(v)) out[k] = v;
  }
  return out;
}
