import type { CommandModule } from 'yargs';
import type { BENCH_PROFILES } from '../../analyze/bench/grade.js';
import { assertSchema } from '../../contracts/schema.js';
import { runBench } from '../../jobs/bench.js';
import { benchProgressLine, renderBenchTable } from '../../report/bench-table.js';
import { createProgressRenderer } from '../../report/progress.js';
import {
  choiceOption,
  conditioningOption,
  integerOption,
  jsonOption,
  numberOption,
  outputOption,
  seedOption,
  sourceOption,
  sourcesOption,
  textOption,
} from '../options.js';
import { writeJson } from '../output.js';

interface BenchArgs {
  profile: keyof typeof BENCH_PROFILES;
  source?: string;
  sources?: string;
  'samples-per-round'?: number;
  rounds?: number;
  'warmup-rounds'?: number;
  'timeout-sec'?: number;
  'rank-by': 'balanced' | 'min_entropy' | 'throughput' | 'quantum';
  conditioning: string;
  telemetry: boolean;
  pool: boolean;
  output?: string;
  json: boolean;
  seed: number;
  quantum: boolean;
  'quantum-calibration'?: string;
  'quantum-live-stress': boolean;
}

export const benchCommand: CommandModule<object, BenchArgs> = {
  command: 'bench',
  describe: 'Benchmark sources in rounds: SP 800-90B min-entropy and grade, Shannon, throughput, stability; the pool',
  builder: (y) =>
    y
      .option(
        'profile',
        choiceOption(
          'profile',
          ['quick', 'standard', 'deep'] as const,
          'quick 2048×3, standard 4096×5, deep 16384×10 samples × rounds',
          'standard',
        ),
      )
      .option('source', sourceOption('Benchmark one source'))
      .option('sources', sourcesOption())
      .option('samples-per-round', integerOption('samples-per-round', 'Override the profile', { min: 1 }))
      .option('rounds', integerOption('rounds', 'Override the profile', { min: 1 }))
      .option('warmup-rounds', integerOption('warmup-rounds', 'Override the profile', { min: 0 }))
      .option('timeout-sec', numberOption('timeout-sec', 'Per-batch deadline, seconds', { min: 0.1 }))
      .option(
        'rank-by',
        choiceOption(
          'rank-by',
          ['balanced', 'min_entropy', 'throughput', 'quantum'] as const,
          'Row order; quantum implies --quantum',
          'balanced',
        ),
      )
      .option(
        'conditioning',
        conditioningOption(
          'Pool section: sha256, vonneumann or raw; per-source metrics are always on raw bytes',
          'sha256',
        ),
      )
      .option('telemetry', {
        type: 'boolean',
        default: false,
        describe: 'Record a telemetry_v1 window around the run (experimental section)',
      })
      .option('pool', { type: 'boolean', default: true, describe: 'Pool section (--no-pool skips it)' })
      .option('output', outputOption('Write the JSON report here (schemas/bench.schema.json)'))
      .option('json', jsonOption('bench', 'Print the JSON report instead of the table'))
      .option('seed', seedOption('Seed of every random draw (quantum Monte-Carlo)'))
      .option('quantum', { type: 'boolean', default: false, describe: 'EXPERIMENTAL: add quantum_proxy_v3' })
      .option(
        'quantum-calibration',
        textOption(
          'quantum-calibration',
          'EXPERIMENTAL: prior calibration file (schemas/quantum-calibration.schema.json)',
        ),
      )
      .option('quantum-live-stress', {
        type: 'boolean',
        default: false,
        describe: 'EXPERIMENTAL: stress from a live CPU/memory/scheduler sweep (implies --quantum)',
      }),
  handler: async (args) => {
    const progress = createProgressRenderer();
    const report = await runBench({
      profile: args.profile,
      source: args.source,
      sources: args.sources,
      samplesPerRound: args['samples-per-round'],
      rounds: args.rounds,
      warmupRounds: args['warmup-rounds'],
      timeoutSec: args['timeout-sec'],
      rankBy: args['rank-by'],
      conditioning: args.conditioning,
      telemetry: args.telemetry,
      pool: args.pool,
      seed: args.seed,
      quantum: args.quantum || args['quantum-calibration'] !== undefined,
      quantumCalibration: args['quantum-calibration'],
      quantumLiveStress: args['quantum-live-stress'],
      onProgress: (e) => (e.phase === 'done' ? progress.done() : progress.update([`bench: ${benchProgressLine(e)}`])),
    });
    const q = report.experimental?.quantum_proxy_v3;
    if (q) assertSchema('quantum', JSON.parse(JSON.stringify(q.report)));
    if (args.output) {
      const path = writeJson(report, 'bench', args.output);
      process.stderr.write(`bench report written to ${path}\n`);
    }
    if (args.json) writeJson(report, 'bench');
    else process.stdout.write(renderBenchTable(report));
  },
};
