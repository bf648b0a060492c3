import type { Sp80022Assessment } from '../analyze/sp800-22/assess.js';
import type { ExtendedResult } from '../analyze/sp800-22/extended.js';
import type { SecondLevelRow } from '../analyze/sp800-22/second-level.js';
import { NIST_TEST_NAMES } from '../analyze/sp800-22/types.js';

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
  /** Second-level rows (one per p-value index); present when K > 1. */
  secondLevel?: SecondLevelRow[];
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
  tests: Sp80022JsonTest[];
  /** Tests outside SP 800-22 (from the seed's battery), reported separately. */
  extended: ExtendedResult[];
  secondLevelNote?: string;
}

/** The JSON document of `oe report --input … --json`. */
export function sp80022Json(a: Sp80022Assessment, input: Sp80022InputInfo, extended: ExtendedResult[]): Sp80022Json {
  const tests: Sp80022JsonTest[] = NIST_TEST_NAMES.map((name) => {
    const per = a.perSequence.map((results) => results.find((r) => r.name === name)!);
    const applicable = per.some((r) => r.applicable);
    const first = per.find((r) => r.applicable) ?? per[0];
    const pValues = per.flatMap((r) => (r.applicable ? r.pValues : []));
    const t: Sp80022JsonTest = {
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
    };
    if (a.sequences > 1) t.secondLevel = a.secondLevel.rows.filter((row) => row.name === name);
    return t;
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
