import { wideHostWarning } from '../serve/listen.js';
import type { OeMetrics } from '../serve/metrics.js';

export interface MetricsArgs {
  'metrics-port'?: number;
  'metrics-host': string;
}

/**
 * Starts the `--metrics-port` listener for `metrics` when the flag was given (a port in use is the library's
 * one-line UNAVAILABLE error) and prints where; returns how to stop it.
 */
export async function serveMetricsFlag(metrics: OeMetrics, args: MetricsArgs): Promise<() => Promise<void>> {
  const port = args['metrics-port'];
  if (port === undefined) return async () => {};
  const { startMetricsServer } = await import('../serve/metrics.js');
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

/**
 * `--metrics-port` for the commands whose metrics exist only for that flag (`oe record`, `oe device`): without
 * the flag nothing is loaded (prom-client costs ~0.2 s) and `watched` is undefined; with it, a new OeMetrics
 * connected to the library by `watch`, and its listener started. `stop` closes both.
 */
export async function metricsForFlag<T>(
  args: MetricsArgs,
  watch: (metrics: OeMetrics) => T,
): Promise<{ watched: T | undefined; stop: () => Promise<void> }> {
  if (args['metrics-port'] === undefined) return { watched: undefined, stop: async () => {} };
  const { OeMetrics } = await import('../serve/metrics.js');
  const metrics = new OeMetrics();
  try {
    const watched = watch(metrics);
    const stopListener = await serveMetricsFlag(metrics, args);
    return {
      watched,
      stop: async () => {
        await stopListener();
        metrics.close();
      },
    };
  } catch (e) {
    metrics.close();
    throw e;
  }
}
