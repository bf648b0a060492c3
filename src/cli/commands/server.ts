import type { CommandModule } from 'yargs';
import { EntropyPool } from '../../collect/entropy-pool.js';
import { closeSharedSamplerPool } from '../../collect/sampler-pool.js';
import { startEntropyServer } from '../../serve/http-server.js';
import { wideHostWarning } from '../../serve/listen.js';
import { integerOption, sourcesOption, textOption } from '../options.js';

interface ServerArgs {
  host: string;
  port: number;
  'allow-raw': boolean;
  sources?: string;
}

export const serverCommand: CommandModule<object, ServerArgs> = {
  command: 'server',
  describe: 'HTTP entropy server (JSON API, loopback by default; see docs/API.md)',
  builder: (y) =>
    y
      .option('host', textOption('host', 'Address to bind (loopback by default)', { default: '127.0.0.1' }))
      .option('port', integerOption('port', 'TCP port (0 = any free port)', { min: 0, max: 65535, default: 8042 }))
      .option('allow-raw', {
        type: 'boolean',
        default: false,
        describe: 'Also serve conditioning=raw and conditioning=vonneumann (no entropy claim)',
      })
      .option('sources', sourcesOption('Sources to pool (default: the fast set)')),
  handler: async (args) => {
    const pool = EntropyPool.auto({ sources: args.sources });
    let started: Awaited<ReturnType<typeof startEntropyServer>>;
    try {
      started = await startEntropyServer(pool, { host: args.host, port: args.port, allowRaw: args['allow-raw'] });
    } catch (e) {
      await pool.close();
      await closeSharedSamplerPool();
      throw e;
    }
    const warning = wideHostWarning(args.host);
    if (warning) process.stderr.write(`oe: ${warning}\n`);
    process.stderr.write(
      `oe server listening on ${started.url} (raw output ${args['allow-raw'] ? 'enabled' : 'disabled'})\n`,
    );
    const report = await pool.ready();
    process.stderr.write(`pool: ${report.status}, ${report.sourcesHealthy}/${report.sourcesTotal} sources healthy\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        started.server.close(() => resolve());
        started.server.closeAllConnections();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await pool.close();
    await closeSharedSamplerPool();
  },
};
