import type { CommandModule } from 'yargs';
import type { Conditioning } from '../../collect/conditioning/index.js';
import { OeError } from '../../errors.js';
import { streamEntropy } from '../../serve/stream.js';
import { STREAM_FORMATS, type StreamFormat } from '../../serve/stream-encoder.js';
import {
  choiceOption,
  conditioningOption,
  integerOption,
  numberOption,
  sourceOption,
  sourcesOption,
  textOption,
} from '../options.js';
import { serveFifo, withEntropyPool } from './device.js';

interface StreamArgs {
  format: StreamFormat;
  bytes?: number;
  rate?: number;
  conditioning: Conditioning;
  sources?: string;
  source?: string;
  fifo?: string;
}

export const streamCommand: CommandModule<object, StreamArgs> = {
  command: 'stream',
  describe: 'Write entropy to stdout (or a FIFO): sha256 full-entropy by default, fails closed',
  builder: (y) =>
    y
      .option('format', choiceOption('format', STREAM_FORMATS, 'Output encoding (one valid document)', 'raw'))
      .option(
        'bytes',
        integerOption('bytes', 'Total bytes of entropy (default: until interrupted)', {
          min: 0,
          max: Number.MAX_SAFE_INTEGER,
        }),
      )
      .option('rate', numberOption('rate', 'Bytes of entropy per second (default: as fast as possible)', { min: 0 }))
      .option(
        'conditioning',
        conditioningOption(
          'sha256 (full entropy) | vonneumann | raw (choosing these is the opt-in; no entropy claim)',
          'sha256',
        ),
      )
      .option('sources', sourcesOption('Sources to pool (default: the fast set)'))
      .option('source', sourceOption('Draw from this one source only'))
      .option('fifo', textOption('fifo', 'Feed a named pipe at this path instead of stdout (like oe device)'))
      .example('$0 stream --bytes 32 --format hex', '32 full-entropy bytes as hex')
      .example('$0 stream --format base64 --rate 1024 | head -c 100', 'rate-limited base64'),
  handler: async (args) => {
    const { format } = args;
    if (args.fifo && format !== 'raw')
      throw new OeError('USAGE', '--fifo writes raw bytes; --format applies to stdout only');
    const signalled = await withEntropyPool(args, async (pool, signal) => {
      if (args.source && !pool.names().includes(args.source)) {
        throw new OeError(
          'NOT_FOUND',
          `--source ${args.source} is not among the selected sources (${pool.names().join(', ')})`,
        );
      }
      if (args.fifo) await serveFifo(pool, args.fifo, args, signal);
      else {
        await streamEntropy(pool, process.stdout, {
          bytes: args.bytes,
          rate: args.rate,
          conditioning: args.conditioning,
          format,
          source: args.source,
          signal,
        });
      }
    });
    if (signalled === 'SIGINT' && !args.fifo) process.exitCode = 130;
  },
};
