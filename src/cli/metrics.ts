import { wideHostWarning } from '../serve/listen.js';
import { type OeMetrics, startMetricsServer } from '../serve/metrics.js';

export interface MetricsArgs {
  'metrics-port'?: number;
  'metrics-host': string;
}

/**
 * Starts the `--metrics-port` listener when the flag was given (a port in use is the library's one-line
 * UNAVAILABLE error) and prints where; returns how to stop it.
 */
export async function serveMetricsFlag(metrics: OeMetrics, args: MetricsArgs): Promise<() => Promise<void>> {
  const port = args['metrics-port'];
  if (port === undefined) return async () => {};
  const m = await startMetricsServer(metrics, { host: args['metrics-host'], port });
  const warning = wideHostWarning(args['metrics-host']);
  if (warning) process.stderr.write(`oe: ${warning} (the metrics listener)\n`);
  process.stderr.write(`metrics on ${m.url}/metrics\n`);
  return () =>
    new Promise<void>((resolve) => {
      m.server.close(() => resolve());
      m.server.closeAllConnections();
    });
}
