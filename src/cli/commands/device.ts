import type { CommandModule } from 'yargs';
import type { Conditioning } from '../../collect/conditioning/index.js';
import { EntropyPool } from '../../collect/entropy-pool.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../../collect/sampler-pool.js';
import { type FifoEvent, runFifoDevice } from '../../serve/fifo-device.js';
import { type MetricsArgs, metricsForFlag } from '../metrics.js';
import {
  conditioningOption,
  metricsHostOption,
  metricsPortOption,
  numberOption,
  sourceOption,
  sourcesOption,
} from '../options.js';

interface DeviceArgs extends MetricsArgs {
  path: string;
  conditioning: Conditioning;
  sources?: string;
  source?: string;
  rate?: number;
}

/** One stderr line per FIFO event. */
export function fifoEventLine(e: FifoEvent): string {
  switch (e.type) {
    case 'created':
      return `Created FIFO ${e.path} (mode 0600); waiting for readers. Ctrl+C removes it.`;
    case 'reused':
      return `Using existing FIFO ${e.path} (mode set to 0600); waiting for readers. Ctrl+C stops.`;
    case 'reader':
      return `Reader ${e.readers} connected`;
    case 'reader-gone':
      return `Reader left after ${e.bytes} bytes; waiting for the next one`;
    case 'waiting':
      return `Not writing (fail closed): ${e.reason}`;
    case 'removed':
      return `Removed ${e.path}`;
  }
}

export const deviceCommand: CommandModule<object, DeviceArgs> = {
  command: 'device <path>',
  describe: 'Serve entropy through a named pipe (FIFO, mode 0600) to readers as they come and go',
  builder: (y) =>
    y
      .positional('path', {
        type: 'string',
        demandOption: true,
        describe: 'FIFO path (created; an existing FIFO is reused)',
      })
      .option(
        'conditioning',
        conditioningOption('sha256 (full entropy) | vonneumann | raw (no entropy claim)', 'sha256'),
      )
      .option('sources', sourcesOption('Sources to pool (default: the fast set)'))
      .option('source', sourceOption('Draw from this one source only'))
      .option('rate', numberOption('rate', 'Bytes per second (default: as fast as readers read)', { min: 0 }))
      .option('metrics-port', metricsPortOption())
      .option('metrics-host', metricsHostOption()),
  handler: async (args) => {
    const { conditioning } = args;
    if (conditioning !== 'sha256') {
      process.stderr.write(`oe: ${conditioning} output is not conditioned to full entropy (no entropy claim)\n`);
    }
    const pool = EntropyPool.auto({ sources: args.sources });
    let stopMetrics: () => Promise<void> = async () => {};
    const ac = new AbortController();
    const onSignal = () => ac.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const metrics = await metricsForFlag(args, (m) => {
        m.watchSamplerPool(sharedSamplerPool());
        m.watchEntropyPool(pool);
      });
      stopMetrics = metrics.stop;
      await runFifoDevice(pool, args.path, {
        conditioning,
        source: args.source,
        rate: args.rate,
        signal: ac.signal,
        onEvent: (e) => process.stderr.write(`${fifoEventLine(e)}\n`),
      });
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stopMetrics();
      await pool.close();
      await closeSharedSamplerPool();
    }
  },
};
