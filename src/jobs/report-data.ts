/**
 * The report-data job (`oe report`): gathers the bytes of live sources (through the live-sampling helper:
 * raw, or the entropy pool's output when a conditioning is asked for) or of a recorded session, and runs
 * the SP 800-22 battery, the extended tests and the dependence matrix on them. Returns a ReportDocument for
 * renderMarkdownReport, with the facts reportJson needs; prints nothing.
 */
import { type DependenceResult, dependence } from '../analyze/dependence/index.js';
import { assessSp80022Bytes, defaultLayout } from '../analyze/sp800-22/assess.js';
import { extendedTests } from '../analyze/sp800-22/extended.js';
import { getSource, selectSources } from '../collect/catalog.js';
import { parseConditioning } from '../collect/conditioning/index.js';
import { openSession, readSourceSamples, resolveSession, telemetrySummaryRows } from '../collect/session/index.js';
import type { SourceSpec } from '../collect/types.js';
import { OeError, optionError } from '../errors.js';
import type { ReportSource } from '../report/markdown-report.js';
import {
  REPORT_DEPENDENCE_OPTIONS,
  type ReportSourceFacts,
  type SessionTelemetryMetric,
  type StructuredReport,
} from '../report/report-json.js';
import { sessionTelemetrySection, telemetryWindowSection } from '../report/telemetry-markdown.js';
import { sampleConditioned, sampleLive, startLiveTelemetry } from './live-sampling.js';

export interface AnalysisSettings {
  /** K sequences per source (default: as many 1,000,000-bit sequences as the bits allow, at least 1). */
  sequences?: number;
  constants?: 'sts' | 'exact';
  threads?: number;
  onProgress?: (line: string) => void;
}

/** Runs the SP 800-22 battery (MSB first over the byte stream) and the extended tests on one byte stream. */
export async function analyzeByteStream(
  name: string,
  origin: string,
  bytes: Uint8Array,
  settings: AnalysisSettings = {},
): Promise<ReportSource> {
  const extended = extendedTests(bytes);
  const bits = bytes.length * 8;
  if (bits < 100) {
    return {
      name,
      origin,
      bytes,
      extended,
      sp80022Unavailable: `not applicable (needs 100 bits, the stream has ${bits})`,
    };
  }
  const { sequences: K, sequenceLength } = defaultLayout(bits, settings.sequences);
  if (sequenceLength < 1) {
    return {
      name,
      origin,
      bytes,
      extended,
      sp80022Unavailable: `not applicable: ${bits} bits cannot make ${K} sequences`,
    };
  }
  const sp80022 = await assessSp80022Bytes(bytes, {
    sequences: K,
    sequenceLength,
    constants: settings.constants,
    threads: settings.threads,
    onProgress: (d, t) => settings.onProgress?.(`${name}: SP 800-22 ${d}/${t} sequences`),
  });
  return { name, origin, bytes, extended, sp80022 };
}

function dependenceOf(sources: ReportSource[]): DependenceResult | undefined {
  const usable = sources.filter((s) => s.bytes.length >= 256);
  if (usable.length < 2) return undefined;
  // Fewer shifts than the analysis default: the report shows the matrix; `oe analyze` has the full null.
  return dependence(
    usable.map((s) => ({ name: s.name, bytes: s.bytes })),
    REPORT_DEPENDENCE_OPTIONS,
  );
}

export interface LiveReportOptions extends AnalysisSettings {
  /** The sources: `source`, one exact name, or `sources`, a selection (catalog.ts selectSources). */
  source?: string;
  sources?: string;
  /** Bytes per source (default 125,000 × K: K sequences of 1,000,000 bits). */
  samples?: number;
  /** raw / sha256 / vonneumann through the entropy pool; absent: the sources' raw extracted bytes. */
  conditioning?: string;
  telemetry?: boolean;
}

/** Samples the selected sources live and analyses each. */
export async function buildLiveReport(options: LiveReportOptions): Promise<StructuredReport> {
  const specs: SourceSpec[] = options.source ? [getSource(options.source)] : selectSources(options.sources);
  const samples = options.samples ?? 125_000 * (options.sequences ?? 1);
  if (!Number.isInteger(samples) || samples < 1)
    throw optionError('samples', `must be a positive integer, got ${samples}`);
  const mode = options.conditioning === undefined ? undefined : parseConditioning(options.conditioning);
  const telemetryRun = options.telemetry ? startLiveTelemetry() : undefined;
  const count = samples.toLocaleString('en-US');
  const gathered: { spec: SourceSpec; bytes?: Uint8Array; error?: string }[] = (
    mode === undefined
      ? await sampleLive(specs, samples, {
          onSampled: (r) => r.ok && options.onProgress?.(`${r.spec.name}: ${count} samples`),
        })
      : await sampleConditioned(specs, samples, mode, {
          onSampled: (r) => r.ok && options.onProgress?.(`${r.spec.name}: ${count} ${mode} bytes`),
        })
  ).map((r) =>
    r.ok
      ? { spec: r.spec, bytes: r.bytes }
      : {
          spec: r.spec,
          error: 'unavailable' in r && r.unavailable ? `source ${r.spec.name} is unavailable: ${r.reason}` : r.reason,
        },
  );
  const window = telemetryRun?.stop().window;
  const sources: ReportSource[] = [];
  const sourceInfo: ReportSourceFacts[] = gathered.map((g) => ({
    name: g.spec.name,
    kind: g.spec.kind,
    category: g.spec.category,
    ...(g.error !== undefined ? { error: g.error } : {}),
  }));
  for (const g of gathered) {
    const how = mode === undefined ? 'raw extracted bytes (unconditioned)' : `${mode} output of the entropy pool`;
    if (!g.bytes) {
      sources.push({
        name: g.spec.name,
        origin: `Live source \`${g.spec.name}\` (${g.spec.category}): no data — ${g.error}.`,
        bytes: new Uint8Array(0),
        extended: [],
        sp80022Unavailable: `not run: ${g.error}`,
      });
      continue;
    }
    sources.push(
      await analyzeByteStream(
        g.spec.name,
        `Live source \`${g.spec.name}\` (${g.spec.kind === g.spec.category ? g.spec.kind : `${g.spec.kind}, ${g.spec.category}`}): ${g.bytes.length.toLocaleString('en-US')} bytes, ${how}.`,
        g.bytes,
        options,
      ),
    );
  }
  if (sources.every((s) => s.bytes.length === 0)) {
    throw new OeError(
      'UNAVAILABLE',
      `no source produced data: ${gathered.map((g) => `${g.spec.name}: ${g.error}`).join('; ')}`,
    );
  }
  return {
    title: 'oe report — live sources',
    generatedAt: new Date().toISOString(),
    context: [
      ['sources', specs.map((s) => `\`${s.name}\``).join(', ')],
      ['samples per source', samples.toLocaleString('en-US')],
      ['conditioning', mode === undefined ? 'none (raw extracted bytes)' : mode],
    ],
    sources,
    dependence: dependenceOf(sources),
    sections: window ? [telemetryWindowSection(window)] : [],
    notes: [
      'SP 800-22 runs on the byte stream, bits most significant first. Raw timing bytes are expected to fail: they keep the source bias and correlation on purpose.',
    ],
    facts: {
      mode: 'live',
      select: { source: options.source ?? null, sources: options.sources ?? null },
      samplesPerSource: samples,
      conditioning: mode ?? null,
      telemetry: window ?? null,
      sourceInfo,
      sequences: options.sequences ?? null,
      constants: options.constants ?? 'sts',
    },
  };
}

/** Analyses every source of a recorded session (the recorded `byte` column). */
export async function buildSessionReport(
  root: string,
  ref: string,
  settings: AnalysisSettings = {},
): Promise<StructuredReport> {
  const dir = resolveSession(root, ref);
  const { manifest } = openSession(dir);
  const sources: ReportSource[] = [];
  for (const s of manifest.sources) {
    const data = await readSourceSamples(dir, s.name, { columns: ['byte'], manifest });
    const bytes = data.byte ?? new Uint8Array(0);
    settings.onProgress?.(`${s.name}: ${bytes.length.toLocaleString('en-US')} bytes read`);
    sources.push(
      await analyzeByteStream(
        s.name,
        `Recorded source \`${s.name}\` (${s.kind}, ${s.category}), unit ${s.unit ?? 'n/a'}, extraction \`${s.extraction}\`: ${bytes.length.toLocaleString('en-US')} bytes.`,
        bytes,
        settings,
      ),
    );
  }
  const context: [string, string][] = [
    ['session', `\`${manifest.id}\` (${manifest.status})`],
    ['recorded', `${manifest.started_at} → ${manifest.ended_at ?? 'not finished'}`],
    [
      'machine',
      `${manifest.fingerprint?.machine?.cpu_model ?? 'unknown CPU'}, ${manifest.fingerprint?.machine?.cores ?? '?'} CPUs, ${manifest.fingerprint?.machine?.kernel ?? ''}`,
    ],
    ['total samples', manifest.total_samples.toLocaleString('en-US')],
  ];
  if (manifest.telemetry)
    context.push(['telemetry', `${manifest.telemetry.snapshots} snapshots, ${manifest.telemetry.metrics} metrics`]);
  if (manifest.conditioned)
    context.push([
      'conditioned',
      `${manifest.conditioned.bytes} bytes (${manifest.conditioned.mode}); not analysed here`,
    ]);
  const sections: { title: string; markdown: string }[] = [];
  const metrics = await telemetrySummaryRows(dir);
  const telemetry: SessionTelemetryMetric[] | null = metrics.length
    ? metrics.map(({ meanRate, ...metric }) => ({ ...metric, meanRatePerS: meanRate }))
    : null;
  if (telemetry) sections.push(sessionTelemetrySection(telemetry));
  return {
    title: `oe report — session ${manifest.id}`,
    generatedAt: new Date().toISOString(),
    context,
    sources,
    dependence: dependenceOf(sources),
    sections,
    notes: [
      manifest.status === 'complete'
        ? 'The session is complete.'
        : `The session status is "${manifest.status}": data may be partial.`,
      'SP 800-22 runs on the recorded byte stream, bits most significant first.',
    ],
    facts: {
      mode: 'session',
      root,
      session: {
        id: manifest.id,
        status: manifest.status,
        startedAt: manifest.started_at,
        endedAt: manifest.ended_at,
        totalSamples: manifest.total_samples,
        machine: {
          cpuModel: manifest.fingerprint?.machine?.cpu_model ?? null,
          cores: manifest.fingerprint?.machine?.cores ?? null,
          kernel: manifest.fingerprint?.machine?.kernel ?? null,
        },
        telemetry: manifest.telemetry
          ? { snapshots: manifest.telemetry.snapshots, metrics: manifest.telemetry.metrics }
          : null,
        conditioned: manifest.conditioned
          ? { mode: manifest.conditioned.mode, bytes: manifest.conditioned.bytes }
          : null,
      },
      telemetry,
      sourceInfo: manifest.sources.map((s) => ({
        name: s.name,
        kind: s.kind,
        category: s.category,
        unit: s.unit,
        extraction: s.extraction,
      })),
      sequences: settings.sequences ?? null,
      constants: settings.constants ?? 'sts',
    },
  };
}
