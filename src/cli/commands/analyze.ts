/**
 * `oe analyze` (live sources) and the `--analyze` action of `oe sessions`. The analysis, sampling and
 * session-reading modules are imported when a command runs (sessions.ts imports this file to declare
 * the action's options, and `oe sessions` alone must not load them).
 */
import type { Argv, CommandModule } from 'yargs';
import type { Analysis, AnalysisOptions, EntropyMode } from '../../analyze/source-analysis.js';
import type { Conditioning } from '../../collect/conditioning/index.js';
import { OeError } from '../../errors.js';
import type { AnalysisView } from '../../report/analysis-text.js';
import { createProgressRenderer } from '../../report/progress.js';
import {
  choiceOption,
  conditioningOption,
  integerOption,
  jsonOption,
  numberOption,
  outputOption,
  seedOption,
  sourcesOption,
  textOption,
} from '../options.js';
import { writeJson } from '../output.js';

const VIEWS = ['summary', 'detailed'] as const satisfies readonly AnalysisView[];
const ENTROPY_MODES = ['none', 'mcv', 'window', 'full'] as const satisfies readonly EntropyMode[];

interface AnalyzeArgs {
  sources?: string;
  samples: number;
  output?: string;
  'cross-correlation': boolean;
  entropy: boolean;
  conditioning: Conditioning;
  view: AnalysisView;
  telemetry: boolean;
  json: boolean;
  'max-lag': number;
  seed: number;
  'quantum-ratio': boolean;
  'quantum-calibration'?: string;
}

export const analyzeCommand: CommandModule<object, AnalyzeArgs> = {
  command: 'analyze',
  describe:
    'Sample sources now and analyse them: statistics with p-values, SP 800-90B min-entropy, verdicts, dependence',
  builder: (y) =>
    y
      .option('sources', sourcesOption())
      .option('samples', integerOption('samples', 'Measurements per source', { min: 2, default: 50_000 }))
      .option('output', outputOption('Write the JSON (schemas/analysis.schema.json) to this file'))
      .option('cross-correlation', {
        type: 'boolean',
        default: false,
        describe: 'Dependence between sources: lagged correlation, mutual information, shift null, BH q-values',
      })
      .option('entropy', {
        type: 'boolean',
        default: true,
        describe: 'Full SP 800-90B non-IID suite on the bytes and on the measurements (--no-entropy: MCV only)',
      })
      .option(
        'conditioning',
        conditioningOption(
          'Input of the SP 800-90B suite: raw, vonneumann or sha256 (statistics always use the raw bytes)',
          'raw',
        ),
      )
      .option('view', choiceOption('view', VIEWS, 'Terminal view', 'summary'))
      .option('telemetry', {
        type: 'boolean',
        default: false,
        describe: 'Snapshot telemetry_v1 every 250 ms while sampling; relate entropy over time to it',
      })
      .option('max-lag', integerOption('max-lag', 'Largest autocorrelation lag', { min: 1, default: 1000 }))
      .option('seed', seedOption('Seed of the dependence null (circular shifts) and of the quantum proxy'))
      .option('quantum-ratio', {
        type: 'boolean',
        default: false,
        describe: 'EXPERIMENTAL quantum_proxy_v3 on the sampled bytes (confound from --telemetry when given)',
      })
      .option(
        'quantum-calibration',
        textOption('quantum-calibration', 'With --quantum-ratio: EXPERIMENTAL prior calibration file'),
      )
      .option('json', jsonOption('analysis', 'Print JSON instead of the table')),
  handler: async (args) => {
    const [{ selectSources }, { closeSharedSamplerPool }, { analyzeLive }] = await Promise.all([
      import('../../collect/catalog.js'),
      import('../../collect/sampler-pool.js'),
      import('../../jobs/live-analysis.js'),
    ]);
    const specs = selectSources(args.sources);
    const conditioning = args.conditioning;
    const entropy: EntropyMode = args.entropy ? 'full' : 'mcv';
    const progress = createProgressRenderer();
    const options = {
      samples: args.samples,
      entropy,
      conditioning,
      maxLag: args['max-lag'],
      dependence: args['cross-correlation'] ? { seed: args.seed } : (false as const),
      telemetry: args.telemetry,
      telemetryIntervalMs: args.telemetry ? 250 : 0,
      onProgress: (m: string) => progress.update([`analyze: ${m}`]),
      onData: (d: readonly { name: string; bytes: Uint8Array }[]) => {
        sampled = d;
      },
    };
    let sampled: readonly { name: string; bytes: Uint8Array }[] = [];
    try {
      const analysis = await analyzeLive(specs, options);
      if (args['quantum-ratio']) {
        progress.update(['analyze: quantum_proxy_v3 (experimental)']);
        const { quantumForSources } = await import('../../jobs/quantum-inputs.js');
        (analysis.experimental as Record<string, unknown>).quantum_proxy_v3 = await quantumForSources(
          sampled,
          analysis.experimental.telemetry_v1,
          { seed: args.seed, calibrationFile: args['quantum-calibration'] },
        );
      }
      progress.done();
      await printAnalyses([analysis], options, args);
    } finally {
      await closeSharedSamplerPool();
    }
  },
};

/** Options of `oe sessions <id…> --analyze` (registered as a session action in sessions.ts). */
export const sessionsAnalyzeAction = {
  flag: 'analyze',
  describe:
    'Analyse the session(s): statistics, min-entropy, verdicts, dependence, entropy over time (several ids work)',
  options: <T>(y: Argv<T>): Argv<T> =>
    y
      .option(
        'entropy',
        choiceOption(
          'entropy',
          ENTROPY_MODES,
          'With --analyze: min-entropy: none, mcv (MCV only), window (MCV + SP 800-90B non-IID on the first 16,384 bytes of each source), full (non-IID on the first 1,000,000 bytes and on the measurements)',
          'window',
        ),
      )
      .option('telemetry', {
        type: 'boolean',
        default: false,
        describe: "With --analyze: relate min-entropy over time to the session's recorded telemetry",
      })
      .option('view', choiceOption('view', VIEWS, 'With --analyze: terminal view', 'summary'))
      .option(
        'window-sec',
        numberOption('window-sec', 'With --analyze: entropy-over-time windows of this many seconds', {
          min: 0,
          above: true,
        }),
      )
      .option(
        'window-samples',
        integerOption('window-samples', 'With --analyze: entropy-over-time windows of this many samples', { min: 2 }),
      )
      .option('seed', seedOption('With --analyze: seed of the dependence null'))
      .option('quantum-ratio', {
        type: 'boolean',
        default: false,
        describe:
          "With --analyze: EXPERIMENTAL quantum_proxy_v3 (seeded by --seed; confound from the session's telemetry)",
      })
      .option(
        'quantum-calibration',
        textOption('quantum-calibration', 'With --quantum-ratio: EXPERIMENTAL prior calibration file'),
      ) as unknown as Argv<T>,
  async run(dir: string, args: Record<string, unknown>): Promise<void> {
    const [{ resolveSession }, { analyzeSession }] = await Promise.all([
      import('../../collect/session/store.js'),
      import('../../jobs/session-analysis.js'),
    ]);
    const more = ((args.more as string[] | undefined) ?? []).map((r) => resolveSession(args.dir as string, String(r)));
    const ws = args['window-sec'] as number | undefined;
    const wn = args['window-samples'] as number | undefined;
    if (ws !== undefined && wn !== undefined)
      throw new OeError('USAGE', 'give --window-sec or --window-samples, not both');
    const progress = createProgressRenderer();
    const options = {
      entropy: args.entropy as EntropyMode,
      telemetry: Boolean(args.telemetry),
      window:
        ws !== undefined
          ? ({ by: 'time', seconds: ws } as const)
          : wn !== undefined
            ? ({ by: 'count', samples: wn } as const)
            : undefined,
      dependence: { seed: (args.seed as number | undefined) ?? 1 },
      onProgress: (m: string) => progress.update([`analyze: ${m}`]),
    };
    const analyses = [];
    for (const d of [dir, ...more]) analyses.push(await analyzeSession(d, options));
    const { quantumForSession } = args['quantum-ratio']
      ? await import('../../jobs/quantum-inputs.js')
      : { quantumForSession: undefined };
    if (quantumForSession)
      for (const [k, d] of [dir, ...more].entries())
        (analyses[k].experimental as Record<string, unknown>).quantum_proxy_v3 = await quantumForSession(d, {
          seed: (args.seed as number | undefined) ?? 1,
          calibrationFile: args['quantum-calibration'] as string | undefined,
        });
    progress.done();
    await printAnalyses(analyses, options, {
      output: args.output as string | undefined,
      json: Boolean(args.json),
      view: (args.view as AnalysisView | undefined) ?? 'summary',
      'quantum-ratio': Boolean(args['quantum-ratio']),
    });
  },
};

/**
 * Writes an analysis document: JSON to `--output` (schemas/analysis.schema.json); on stdout the terminal
 * view (with the experimental quantum sections after it), or with `--json` the JSON unless it went to a file.
 */
async function printAnalyses(
  analyses: Analysis[],
  options: AnalysisOptions,
  args: { output?: string; json: boolean; view: AnalysisView; 'quantum-ratio': boolean },
): Promise<void> {
  const [{ analysisDocument }, { analysisJsonData }, { renderAnalysis }, { renderQuantumSections }] = await Promise.all(
    [
      import('../../analyze/source-analysis.js'),
      import('../../report/analysis-json.js'),
      import('../../report/analysis-text.js'),
      import('../../report/bench-table.js'),
    ],
  );
  const doc = analysisDocument(analyses, options);
  const data = analysisJsonData(doc);
  if (args.output) {
    const path = writeJson(data, 'analysis', args.output);
    if (path) process.stderr.write(`analysis written to ${path}\n`);
  }
  if (args.json) {
    if (!args.output) writeJson(data, 'analysis');
  } else {
    process.stdout.write(renderAnalysis(doc, args.view));
    if (args['quantum-ratio']) process.stdout.write(renderQuantumSections(analyses));
  }
}
