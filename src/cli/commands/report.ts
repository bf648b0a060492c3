/**
 * `oe report`: the SP 800-22 battery on a file, on live sources or on a session. Each mode imports what
 * it uses when it runs (a file needs neither the sampler pool, DuckDB nor the plotting stack unless it
 * writes a Markdown report).
 */
import type { CommandModule } from 'yargs';
import type { Sp80022AssessOptions } from '../../analyze/sp800-22/assess.js';
import { OeError } from '../../errors.js';
import type { ReportDocument } from '../../report/markdown-report.js';
import { createProgressRenderer } from '../../report/progress.js';
import type { BitFormat } from '../../report/report-files.js';
import type { StructuredReport } from '../../report/report-json.js';
import {
  choiceOption,
  conditioningOption,
  integerOption,
  outputOption,
  sessionsDirOption,
  sourceOption,
  sourcesOption,
  textOption,
  threadsOption,
} from '../options.js';
import { writeJson, writeOutput } from '../output.js';

interface ReportArgs {
  input?: string;
  format: BitFormat;
  sequences?: number;
  json: boolean;
  output?: string;
  constants: 'sts' | 'exact';
  threads?: number;
  source?: string;
  sources?: string;
  samples?: number;
  conditioning?: string;
  telemetry: boolean;
  session?: string;
  dir: string;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe: 'NIST SP 800-22 battery and a Markdown report with SVG plots (a file, live sources or a session)',
  builder: (y) =>
    y
      .option('input', textOption('input', 'Run the battery on a bit file'))
      .option(
        'format',
        choiceOption(
          'format',
          ['binary', 'ascii'] as const,
          "--input format: raw bytes (bits MSB first) or NIST ASCII '0'/'1' (whitespace ignored)",
          'binary',
        ),
      )
      .option(
        'sequences',
        integerOption('sequences', 'Cut the bits into K sequences (second-level analysis when K > 1)', { min: 1 }),
      )
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'Print JSON: --input schemas/sp800-22.schema.json, live or session schemas/report.schema.json',
      })
      .option('output', outputOption('Write to this file (Markdown report + plots beside it, or JSON with --json)'))
      .option(
        'constants',
        choiceOption(
          'constants',
          ['sts', 'exact'] as const,
          "sts: NIST STS 2.1.2's rounded constants (reproduces STS); exact: SP 800-22's exact probabilities",
          'sts',
        ),
      )
      .option('threads', threadsOption(0))
      .option('source', sourceOption('Sample one source live'))
      .option('sources', sourcesOption('Sample several sources live (default: the fast set)'))
      .option(
        'samples',
        integerOption('samples', 'Samples (bytes) per source when sampling live (default 125000 × K)', { min: 1 }),
      )
      .option(
        'conditioning',
        conditioningOption(
          'Live: take the bytes from the entropy pool as sha256, vonneumann or raw (health-tested); default: the raw extracted bytes',
        ),
      )
      .option('telemetry', { type: 'boolean', default: false, describe: 'Live: add a telemetry_v1 section' })
      .option('session', textOption('session', 'Report on a recorded session (id or unique prefix)'))
      .option('dir', sessionsDirOption('dir', 'Root directory of sessions (with --session)'))
      .check((a) => {
        const modes = [
          a.input !== undefined,
          a.source !== undefined || a.sources !== undefined,
          a.session !== undefined,
        ];
        if (modes.filter(Boolean).length > 1) {
          throw new OeError(
            'USAGE',
            'give one of --input FILE, --source/--sources, or --session ID (none: the fast sources live)',
          );
        }
        if (a.source !== undefined && a.sources !== undefined)
          throw new OeError('USAGE', 'give --source or --sources, not both');
        return true;
      }),
  handler: async (args) => {
    if (args.input !== undefined) return reportOnFile(args);
    const [{ buildLiveReport, buildSessionReport }, { closeSharedSamplerPool }] = await Promise.all([
      import('../../jobs/report-data.js'),
      import('../../collect/sampler-pool.js'),
    ]);
    const progress = createProgressRenderer();
    const settings = {
      sequences: args.sequences,
      constants: args.constants,
      threads: args.threads,
      onProgress: (line: string) => progress.update([line]),
    };
    let doc: StructuredReport;
    try {
      doc =
        args.session !== undefined
          ? await buildSessionReport(args.dir, args.session, settings)
          : await buildLiveReport({
              ...settings,
              source: args.source,
              sources: args.sources,
              samples: args.samples,
              conditioning: args.conditioning,
              telemetry: args.telemetry,
            });
    } finally {
      progress.done();
      if (args.session === undefined) await closeSharedSamplerPool();
    }
    if (args.json) {
      const { reportJson } = await import('../../report/report-json.js');
      const written = writeJson(reportJson(doc), 'report', args.output);
      if (written) process.stderr.write(`wrote ${written}\n`);
      return;
    }
    const output = args.output ?? 'report.md';
    const [{ renderMarkdownReport }, { plotDirFor, writeReportFiles }] = await Promise.all([
      import('../../report/markdown-report.js'),
      import('../../report/report-files.js'),
    ]);
    const written = writeReportFiles(renderMarkdownReport(doc, plotDirFor(output)), output);
    process.stderr.write(`wrote ${written[0]} and ${written.length - 1} plots\n`);
  },
};

async function reportOnFile(args: ReportArgs): Promise<void> {
  const path = args.input!;
  const [{ plotDirFor, readBitFile, writeReportFiles }, { assessSp80022, assessSp80022Bytes, defaultLayout }] =
    await Promise.all([import('../../report/report-files.js'), import('../../analyze/sp800-22/assess.js')]);
  const { seq, nBits, bytes } = readBitFile(path, args.format);
  const progress = createProgressRenderer();
  const { sequences: K, sequenceLength } = defaultLayout(nBits, args.sequences);
  const assess = seq
    ? (o: Sp80022AssessOptions) => assessSp80022(seq, o)
    : (o: Sp80022AssessOptions) => assessSp80022Bytes(bytes, o);
  const assessment = await assess({
    sequences: K,
    sequenceLength,
    constants: args.constants,
    threads: args.threads,
    onProgress: K > 1 ? (done, total) => progress.update([`SP 800-22: ${done}/${total} sequences`]) : undefined,
  });
  if (K > 1) progress.done([`SP 800-22: ${K}/${K} sequences`]);
  else progress.done();
  const { extendedTests } = await import('../../analyze/sp800-22/extended.js');
  const extended = extendedTests(bytes);
  if (args.json) {
    const { sp80022Json } = await import('../../report/sp800-22-json.js');
    const written = writeJson(
      sp80022Json(assessment, { name: path, kind: args.format }, extended),
      'sp800-22',
      args.output,
    );
    if (written) process.stderr.write(`wrote ${written}\n`);
    return;
  }
  if (!args.output) {
    const { sp80022TerminalSummary } = await import('../../report/terminal-summary.js');
    writeOutput(sp80022TerminalSummary(path, assessment, extended));
    return;
  }
  const doc: ReportDocument = {
    title: `SP 800-22 report — ${path}`,
    generatedAt: new Date().toISOString(),
    context: [
      [
        'input',
        `\`${path}\` (${args.format}${args.format === 'binary' ? ', bits MSB first' : ", '0'/'1' characters"})`,
      ],
      ['bits', nBits.toLocaleString('en-US')],
    ],
    sources: [
      {
        name: path.split('/').pop() ?? path,
        origin: `File \`${path}\`, ${nBits.toLocaleString('en-US')} bits.`,
        bytes,
        sp80022: assessment,
        extended,
      },
    ],
  };
  const { renderMarkdownReport } = await import('../../report/markdown-report.js');
  const rendered = renderMarkdownReport(doc, plotDirFor(args.output));
  const written = writeReportFiles(rendered, args.output);
  process.stderr.write(`wrote ${written[0]} and ${written.length - 1} plots\n`);
}
