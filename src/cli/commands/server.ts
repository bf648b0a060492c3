import type { CommandModule } from 'yargs';
import { EntropyPool } from '../../collect/entropy-pool.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../../collect/sampler-pool.js';
import { OeError } from '../../errors.js';
import { wideHostWarning } from '../../serve/listen.js';
import { type MetricsArgs, serveMetricsFlag } from '../metrics.js';
import { integerOption, metricsHostOption, metricsPortOption, sourcesOption, textOption } from '../options.js';

interface ServerArgs extends MetricsArgs {
  host: string;
  port: number;
  'allow-raw': boolean;
  sources?: string;
}

export const serverCommand: CommandModule<object, ServerArgs> = {
  command: 'server',
  describe: 'HTTP entropy server (JSON API and /metrics, loopback by default; see docs/API.md)',
  builder: (y) =>
    y
      .option('host', textOption('host', 'Address to bind (loopback by default)', { default: '127.0.0.1' }))
      .option('port', integerOption('port', 'TCP port (0 = any free port)', { min: 0, max: 65535, default: 8042 }))
      .option('allow-raw', {
        type: 'boolean',
        default: false,
        describe: 'Also serve conditioning=raw and conditioning=vonneumann (no entropy claim)',
      })
      .option('sources', sourcesOption('Sources to pool (default: the fast set)'))
      .option('metrics-port', metricsPortOption())
      .option('metrics-host', metricsHostOption()),
  handler: async (args) => {
    const metricsPort = args['metrics-port'];
    if (metricsPort !== undefined && metricsPort !== 0 && metricsPort === args.port) {
      throw new OeError(
        'USAGE',
        `--metrics-port ${metricsPort} is the server's own --port, which serves /metrics already: leave --metrics-port out or choose another port`,
      );
    }
    // The metrics module (prom-client) is loaded by the handler, not by `oe server --help`.
    const { startEntropyServerWithMetrics } = await import('../../serve/metrics.js');
    const pool = EntropyPool.auto({ sources: args.sources });
    let started: Awaited<ReturnType<typeof startEntropyServerWithMetrics>>;
    let stopMetrics: () => Promise<void>;
    try {
      started = await startEntropyServerWithMetrics(pool, {
        host: args.host,
        port: args.port,
        allowRaw: args['allow-raw'],
        sampler: sharedSamplerPool(),
      });
    } catch (e) {
      await pool.close();
      await closeSharedSamplerPool();
      throw e;
    }
    const { metrics } = started;
    try {
      stopMetrics = await serveMetricsFlag(metrics, args);
    } catch (e) {
      started.server.close();
      metrics.close();
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
    await stopMetrics();
    metrics.close();
    await pool.close();
    await closeSharedSamplerPool();
  },
};
