import type { CommandModule } from 'yargs';
import { selectSources } from '../../collect/catalog.js';
import type { Conditioning } from '../../collect/conditioning/index.js';
import { parseSize, parseTags } from '../../collect/recorder/duration.js';
import {
  DEFAULT_MAX_RATE,
  type RecordProgress,
  recordSession,
  type SizeEstimate,
} from '../../collect/recorder/index.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../../collect/sampler-pool.js';
import { createProgressRenderer, formatBytes, formatCount, formatDuration } from '../../report/progress.js';
import { type MetricsArgs, metricsForFlag } from '../metrics.js';
import {
  conditioningOption,
  durationOption,
  integerOption,
  metricsHostOption,
  metricsPortOption,
  numberOption,
  sessionsDirOption,
  sourcesOption,
  textOption,
} from '../options.js';
import type { WithLibraryFlags } from './index.js';

interface RecordArgs extends MetricsArgs {
  /** Milliseconds (the duration options are parsed while arguments are read). */
  duration?: number;
  sources?: string;
  tag?: string[];
  note?: string;
  output: string;
  interval?: number;
  'flush-interval': number;
  'telemetry-interval': number;
  'max-samples'?: number;
  conditioning?: Conditioning;
  'max-rate'?: number;
  'batch-timeout': number;
  /** Bytes (parsed while arguments are read). */
  'max-size'?: number;
  'space-check': boolean;
  analyze: boolean;
  json: boolean;
  quiet: boolean;
}

function progressLines(p: RecordProgress): string[] {
  const head =
    `${p.phase === 'done' ? 'recorded' : p.phase === 'stopping' ? 'stopping' : 'recording'} ${p.id}  ` +
    `${formatDuration(p.elapsedMs)}${p.durationMs !== null ? ` / ${formatDuration(p.durationMs)}` : ' (Ctrl+C to stop)'}  ` +
    `${formatCount(p.totalSamples)} samples  ${formatBytes(p.bytesOnDisk)} in ${p.parts} parts  ` +
    `telemetry ${p.telemetryRows} rows`;
  const rows = p.sources.map((s) => {
    const extra = [
      s.timeouts ? `${s.timeouts} timeouts` : '',
      s.errors ? `${s.errors} errors` : '',
      s.state !== 'sampling' ? s.state : '',
    ]
      .filter(Boolean)
      .join(', ');
    return `  ${s.name.padEnd(24)} ${formatCount(s.samples).padStart(9)}  ${`${formatCount(s.rate)}/s`.padStart(10)}  ${extra}`;
  });
  return [head, ...rows];
}

function estimateLine(e: SizeEstimate): string {
  const rate = `${formatCount(e.samplesPerSec)} samples/s × ${e.bytesPerSample.toFixed(2)} bytes/sample (measured over the first ${e.calibrationSec.toFixed(1)} s)`;
  const size =
    e.expectedBytes === null
      ? `${formatBytes(e.bytesPerHour)} per hour`
      : `expected size ${formatBytes(e.expectedBytes)}${e.durationSec !== null ? ` for ${formatDuration(e.durationSec * 1000)}` : ''}`;
  return `${size}: ${rate}; ${formatBytes(e.freeBytes)} free on ${e.disk}`;
}

export const recordCommand: CommandModule<object, RecordArgs> & WithLibraryFlags = {
  command: 'record',
  describe: 'Record raw samples of the selected sources (and telemetry) into a Parquet session directory',
  libraryFlags: {
    durationSec: '--duration',
    intervalMs: '--interval',
    flushIntervalMs: '--flush-interval',
    telemetryIntervalMs: '--telemetry-interval',
    batchTimeoutMs: '--batch-timeout',
    maxSizeBytes: '--max-size',
  },
  builder: (y) =>
    y
      .option('duration', durationOption('duration', 'How long to record: 60, 30s, 2m, 1h (default: until Ctrl+C)'))
      .option('sources', sourcesOption())
      .option('tag', { type: 'string', array: true, describe: 'key:value tag stored in the manifest (repeatable)' })
      .option('note', textOption('note', 'Free-text note stored in the manifest', { empty: true }))
      .option('output', sessionsDirOption('output'))
      .option(
        'interval',
        durationOption('interval', 'Pause between two batches of a source (e.g. 100ms; default continuous)', {
          bareUnit: 'ms',
        }),
      )
      .option(
        'flush-interval',
        durationOption('flush-interval', 'Write buffered samples to Parquet this often', { default: '1s' }),
      )
      .option(
        'telemetry-interval',
        durationOption('telemetry-interval', 'Telemetry snapshot period (0 turns it off)', {
          default: '1s',
          zero: true,
        }),
      )
      .option(
        'conditioning',
        conditioningOption('Also record the entropy pool output (sha256, vonneumann or raw) into conditioned/'),
      )
      .option('max-samples', integerOption('max-samples', 'Stop each source after this many samples', { min: 1 }))
      .option(
        'max-rate',
        numberOption('max-rate', `Cap per source, samples/s (default ${DEFAULT_MAX_RATE}; 0 = uncapped)`, { min: 0 }),
      )
      .option('batch-timeout', durationOption('batch-timeout', 'Deadline of one sampler batch', { default: '5s' }))
      .option('max-size', {
        type: 'string',
        requiresArg: true,
        describe: 'End cleanly when the session reaches this size (500MB, 2GiB)',
        coerce: (v: string | undefined) => (v === undefined ? undefined : parseSize(v, '--max-size')),
      })
      .option('space-check', {
        type: 'boolean',
        default: true,
        describe:
          'After the first 4 s, state the expected size and stop a session the disk cannot hold (--no-space-check: go on)',
      })
      .option('analyze', {
        type: 'boolean',
        default: false,
        describe: 'Analyze the session when recording ends (as "oe analyze <id>"); writes <session>/analysis.json',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print the final manifest as JSON on stdout' })
      .option('quiet', { type: 'boolean', default: false, describe: 'No progress output' })
      .option('metrics-port', metricsPortOption())
      .option('metrics-host', metricsHostOption()),
  handler: async (args) => {
    const specs = selectSources(args.sources);
    const exactNames = new Set((args.sources ?? '').split(',').map((t) => t.trim()));
    const maxRate = args['max-rate'];
    const controller = new AbortController();
    let signals = 0;
    const onSignal = (sig: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        // Second Ctrl+C: leave now. Every renamed part is intact; `oe sessions --repair` finishes the manifest.
        process.stderr.write('\noe: interrupted again, exiting without the final flush\n');
        process.exit(130);
      }
      controller.abort(sig);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const renderer = args.quiet ? null : createProgressRenderer();
    let stopMetrics: () => Promise<void> = async () => {};
    // The size estimate arrives after the first seconds: shown above the progress lines from then on.
    let estimate: string[] = [];
    try {
      // Before the session folder exists: a port in use leaves nothing behind.
      const metrics = await metricsForFlag(args, (m) => {
        m.watchSamplerPool(sharedSamplerPool());
        return m.watchRecording();
      });
      stopMetrics = metrics.stop;
      const recording = metrics.watched;
      const { dir, manifest } = await recordSession(
        {
          sources: specs,
          sourcesFilter: args.sources ?? null,
          // Sources named exactly must run; those picked by the fast set, `all` or a substring are skipped
          // (and listed in the manifest) when they cannot run here.
          required: specs.map((s) => s.name).filter((n) => exactNames.has(n)),
          durationSec: args.duration === undefined ? null : args.duration / 1000,
          output: args.output,
          tags: parseTags(args.tag),
          note: args.note ?? null,
          intervalMs: args.interval ?? null,
          flushIntervalMs: args['flush-interval'],
          telemetryIntervalMs: args['telemetry-interval'],
          maxSamples: args['max-samples'] ?? null,
          conditioning: args.conditioning ?? null,
          maxRate: maxRate === undefined ? null : maxRate === 0 ? Number.POSITIVE_INFINITY : maxRate,
          batchTimeoutMs: args['batch-timeout'],
          maxSizeBytes: args['max-size'] ?? null,
          sizeCheck: { allowOverflow: !args['space-check'] },
          onEstimate: (e) => {
            estimate = [estimateLine(e)];
            if (!renderer) process.stderr.write(`${estimate[0]}\n`);
          },
          signal: controller.signal,
          events: recording?.events,
        },
        (p) => {
          recording?.progress(p);
          if (!renderer) return;
          if (p.phase === 'done') renderer.done([...estimate, ...progressLines(p)]);
          else renderer.update([...estimate, ...progressLines(p)]);
        },
      );
      if (args.analyze) {
        // The analysis of the session just written (schemas/analysis.schema.json), saved next to it. Loaded
        // here so that a plain recording does not load the analysis stack.
        const [{ analyzeSessionToFile, STORED_ANALYSIS_OPTIONS }, { renderAnalysis }] = await Promise.all([
          import('../../jobs/stored-analysis.js'),
          import('../../report/analysis-text.js'),
        ]);
        const { path, document: doc } = await analyzeSessionToFile(dir, {
          ...STORED_ANALYSIS_OPTIONS,
          onProgress: (m: string) => renderer?.update([`analyze: ${m}`]),
        });
        process.stderr.write(`analysis written to ${path}\n`);
        if (!args.json) process.stdout.write(renderAnalysis(doc, 'summary'));
      }
      if (args.json) process.stdout.write(`${JSON.stringify(manifest, null, 2)}\n`);
      else {
        for (const sk of manifest.skipped_sources ?? []) process.stderr.write(`skipped ${sk.name}: ${sk.reason}\n`);
        process.stderr.write(
          `session ${manifest.id}: ${manifest.total_samples} samples from ${manifest.sources.length} sources in ` +
            `${formatDuration(manifest.duration_ms ?? 0)}, ${formatBytes(manifest.size_bytes)} (${manifest.end_reason})\n`,
        );
        process.stdout.write(`${dir}\n`);
      }
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stopMetrics();
      await closeSharedSamplerPool();
    }
  },
};
