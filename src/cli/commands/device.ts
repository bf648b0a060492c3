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

/** runFifoDevice with the events as stderr lines (`oe device`, `oe stream --fifo`). */
export function serveFifo(
  pool: EntropyPool,
  path: string,
  args: { conditioning: Conditioning; source?: string; rate?: number },
  signal: AbortSignal,
): Promise<void> {
  return runFifoDevice(pool, path, {
    conditioning: args.conditioning,
    source: args.source,
    rate: args.rate,
    signal,
    onEvent: (e) => process.stderr.write(`${fifoEventLine(e)}\n`),
  });
}

/**
 * What `oe device` and `oe stream` share around serving: the warning for output without an entropy claim,
 * an entropy pool over `--sources`, SIGINT/SIGTERM as an abort of `run`, and both pools closed at the end.
 * Returns the signal that stopped `run` (null when it ended by itself).
 */
export async function withEntropyPool(
  args: { conditioning: Conditioning; sources?: string },
  run: (pool: EntropyPool, signal: AbortSignal) => Promise<void>,
): Promise<NodeJS.Signals | null> {
  if (args.conditioning !== 'sha256') {
    process.stderr.write(`oe: ${args.conditioning} output is not conditioned to full entropy (no entropy claim)\n`);
  }
  const pool = EntropyPool.auto({ sources: args.sources });
  const ac = new AbortController();
  let signalled = null as NodeJS.Signals | null;
  const onSignal = (sig: NodeJS.Signals) => {
    signalled = sig;
    ac.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await run(pool, ac.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await pool.close();
    await closeSharedSamplerPool();
  }
  return signalled;
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
    await withEntropyPool(args, async (pool, signal) => {
      const metrics = await metricsForFlag(args, (m) => {
        m.watchSamplerPool(sharedSamplerPool());
        m.watchEntropyPool(pool);
      });
      try {
        await serveFifo(pool, args.path, args, signal);
      } finally {
        await metrics.stop();
      }
    });
  },
};
