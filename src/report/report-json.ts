/**
 * The JSON document of `oe report --json` on live sources or a recorded session
 * (schemas/report.schema.json). Built from the same ReportDocument the Markdown report renders, so the
 * two state the same numbers and verdicts; each source's battery is the object `oe report --input
 * FILE --json` prints (schemas/sp800-22.schema.json). No plots. Pure: returns data, prints nothing.
 */
import type { DependenceResult } from '../analyze/dependence/index.js';
import type { ExtendedResult } from '../analyze/sp800-22/extended.js';
import type { EvidenceKind } from '../analyze/sp800-22/series-evidence.js';
import type { TestVerdict } from '../analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES, type NistTestName } from '../analyze/sp800-22/types.js';
import type { TelemetrySummaryRow } from '../collect/session/reader.js';
import type { TelemetryWindow } from '../collect/telemetry/index.js';
import type { ReportDocument } from './markdown-report.js';
import { type Sp80022Json, sp80022Json } from './sp800-22-json.js';
import { testVerdict } from './sp800-22-verdicts.js';

/** The dependence settings of the report (fewer shifts than `oe analyze`; the seed fixes the shifts). */
export const REPORT_DEPENDENCE_OPTIONS = { correlationShifts: 999, miShifts: 19 } as const;

/** One row of a session's recorded telemetry, summarised per metric, with the report JSON's name for the mean rate. */
export type SessionTelemetryMetric = Omit<TelemetrySummaryRow, 'meanRate'> & { meanRatePerS: number | null };

/** What a source is, beside its bytes (same order as ReportDocument.sources). */
export interface ReportSourceFacts {
  name: string;
  kind: string;
  category: string;
  /** Session: the recorded unit and extraction; live: absent. */
  unit?: string | null;
  extraction?: string;
  /** Live: why the source gave no data. */
  error?: string;
}

export interface LiveReportFacts {
  mode: 'live';
  /** --source / --sources as given (both null: the fast set). */
  select: { source: string | null; sources: string | null };
  samplesPerSource: number;
  /** raw / sha256 / vonneumann through the entropy pool; null: the sources' raw extracted bytes. */
  conditioning: string | null;
  telemetry: TelemetryWindow | null;
}

export interface SessionReportFacts {
  mode: 'session';
  root: string;
  session: {
    id: string;
    status: string;
    startedAt: string;
    endedAt: string | null;
    totalSamples: number;
    machine: { cpuModel: string | null; cores: number | null; kernel: string | null };
    telemetry: { snapshots: number; metrics: number } | null;
    conditioned: { mode: string; bytes: number } | null;
  };
  /** The session's own telemetry summarised per metric; null when it recorded none. */
  telemetry: SessionTelemetryMetric[] | null;
}

/** Structured facts beside the Markdown-formatted ReportDocument, for the JSON. */
export type ReportFacts = (LiveReportFacts | SessionReportFacts) & {
  sourceInfo: ReportSourceFacts[];
  /** K as asked (--sequences); null: the default layout (1,000,000-bit sequences). */
  sequences: number | null;
  constants: 'sts' | 'exact';
};

/** A ReportDocument of a live or session report, with the facts its JSON needs. */
export interface StructuredReport extends ReportDocument {
  facts: ReportFacts;
}

export interface ReportJsonSource {
  name: string;
  kind: string;
  category: string;
  unit?: string | null;
  extraction?: string;
  /** The Markdown report's line on where the data came from. */
  origin: string;
  /** Bytes analysed. */
  bytes: number;
  error: string | null;
  /** The battery, exactly as `oe report --input FILE --json` prints it for the same bytes. */
  sp80022: Sp80022Json | null;
  /** Why there is no battery (too few bits, no data). */
  sp80022Unavailable: string | null;
  /**
   * Per test in NIST's order: the Markdown report's verdict, the statistic that decided it, the test's
   * Holm-adjusted p-value (FAIL below the family-wise level) and the detail line.
   */
  verdicts: {
    test: NistTestName;
    verdict: TestVerdict;
    decidedBy: EvidenceKind | null;
    adjustedPValue: number | null;
    detail: string;
  }[];
  /** Counts of the verdicts (pass and pass (chance) are passed); null without a battery. */
  summary: { passed: number; failed: number; notApplicable: number } | null;
  extended: ExtendedResult[];
  /** Extended tests with p < 0.01. */
  extendedBelow001: number;
}

export interface ReportJson {
  format: 'oe-report';
  version: 1;
  mode: 'live' | 'session';
  title: string;
  generatedAt: string;
  parameters: {
    /** The command that reproduces the analysis (a live report samples anew: same settings, new data). */
    command: string[];
    sequences: number | null;
    constants: 'sts' | 'exact';
    alpha: number;
    bitOrder: 'msb-first';
    dependence: { maxLag: number | null; seed: number | null; correlationShifts: number; miShifts: number };
    live?: { source: string | null; sources: string | null; samplesPerSource: number; conditioning: string | null };
  };
  session: SessionReportFacts['session'] | null;
  sources: ReportJsonSource[];
  /** Between sources (null with fewer than two sources of ≥ 256 bytes); non-finite numbers are null. */
  dependence: unknown;
  telemetry:
    | { kind: 'window'; window: TelemetryWindow }
    | { kind: 'session'; metrics: SessionTelemetryMetric[] }
    | null;
  notes: string[];
}

const ALPHA = 0.01;

/** The JSON of a live or session report (validate with schemas/report.schema.json). */
export function reportJson(doc: StructuredReport): ReportJson {
  const f = doc.facts;
  if (f.sourceInfo.length !== doc.sources.length) throw new Error('internal: report facts do not match its sources');
  const sources = doc.sources.map((s, i): ReportJsonSource => {
    const info = f.sourceInfo[i];
    const a = s.sp80022;
    const verdicts = a
      ? NIST_TEST_NAMES.map((test) => {
          const v = testVerdict(a, test);
          return {
            test,
            verdict: v.verdict,
            decidedBy: v.decidedBy,
            adjustedPValue: v.decision.adjustedPValue,
            detail: v.detail,
          };
        })
      : [];
    const count = (pred: (v: TestVerdict) => boolean) => verdicts.filter((v) => pred(v.verdict)).length;
    return {
      name: s.name,
      kind: info.kind,
      category: info.category,
      ...(info.unit !== undefined ? { unit: info.unit } : {}),
      ...(info.extraction !== undefined ? { extraction: info.extraction } : {}),
      origin: s.origin,
      bytes: s.bytes.length,
      error: info.error ?? null,
      sp80022: a
        ? sp80022Json(
            a,
            {
              name: f.mode === 'session' ? `${f.session.id}/${s.name}` : s.name,
              kind: f.mode === 'session' ? 'session' : 'source',
            },
            s.extended,
          )
        : null,
      sp80022Unavailable: a ? null : (s.sp80022Unavailable ?? 'not run'),
      verdicts,
      summary: a
        ? {
            passed: count((v) => v === 'pass' || v === 'pass (chance)'),
            failed: count((v) => v === 'FAIL'),
            notApplicable: count((v) => v === 'n/a'),
          }
        : null,
      extended: s.extended,
      extendedBelow001: s.extended.filter((e) => e.pValue !== undefined && e.pValue < 0.01).length,
    };
  });
  const alpha = doc.sources.find((s) => s.sp80022)?.sp80022?.alpha ?? ALPHA;
  return {
    format: 'oe-report',
    version: 1,
    mode: f.mode,
    title: doc.title,
    generatedAt: doc.generatedAt,
    parameters: {
      command: reproduceCommand(f),
      sequences: f.sequences,
      constants: f.constants,
      alpha,
      bitOrder: 'msb-first',
      dependence: {
        maxLag: doc.dependence?.maxLag ?? null,
        seed: doc.dependence?.seed ?? null,
        ...REPORT_DEPENDENCE_OPTIONS,
      },
      ...(f.mode === 'live'
        ? {
            live: {
              source: f.select.source,
              sources: f.select.sources,
              samplesPerSource: f.samplesPerSource,
              conditioning: f.conditioning,
            },
          }
        : {}),
    },
    session: f.mode === 'session' ? f.session : null,
    sources,
    dependence: doc.dependence ? dependenceJson(doc.dependence) : null,
    telemetry:
      f.mode === 'live'
        ? f.telemetry
          ? { kind: 'window', window: f.telemetry }
          : null
        : f.telemetry
          ? { kind: 'session', metrics: f.telemetry }
          : null,
    notes: doc.notes ?? [],
  };
}

/** argv of the `oe report` that reproduces this analysis (without --json/--output). */
function reproduceCommand(f: ReportFacts): string[] {
  const cmd = ['oe', 'report'];
  if (f.mode === 'session') cmd.push('--session', f.session.id, '--dir', f.root);
  else {
    if (f.select.source !== null) cmd.push('--source', f.select.source);
    else if (f.select.sources !== null) cmd.push('--sources', f.select.sources);
    cmd.push('--samples', String(f.samplesPerSource));
    if (f.conditioning !== null) cmd.push('--conditioning', f.conditioning);
    if (f.telemetry) cmd.push('--telemetry');
  }
  if (f.sequences !== null) cmd.push('--sequences', String(f.sequences));
  cmd.push('--constants', f.constants);
  return cmd;
}

/** The dependence result with every non-finite number (NaN diagonal, constant streams) as null. */
function dependenceJson(d: DependenceResult): unknown {
  return JSON.parse(JSON.stringify(d, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)));
}
