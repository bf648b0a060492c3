/**
 * Prometheus metrics for the long-running commands (`oe server`, `oe device`, `oe record`), exposed with
 * prom-client. The library keeps its own counters and emits events (SamplerPool.onBatch, EntropyPool's health
 * report, the HTTP server's onRequest, the recorder's progress); this module only maps them to metrics, so
 * nothing here takes part in sampling, health testing or statistics. Counters the library already keeps are
 * read when Prometheus scrapes (a `collect` callback sets each series to the library's count), so they are
 * exactly the numbers /pool/status reports; histograms are fed by events. docs/API.md lists every metric.
 */
import { statfsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Conditioning } from '../collect/conditioning/index.js';
import type { EntropyPool } from '../collect/entropy-pool.js';
import type { HealthStatus } from '../collect/health/source-health.js';
import { RECORDED_TABLES } from '../collect/recorder/events.js';
import type { BatchOutcome, RecorderEvents, RecordProgress } from '../collect/recorder/index.js';
import type { SamplerPool } from '../collect/sampler-pool.js';
import {
  HTTP_ROUTES,
  type HttpRequestEvent,
  type ListenOptions,
  type MetricsExposition,
  startEntropyServer,
} from './http-server.js';
import { listenOn } from './listen.js';

const CONDITIONINGS: readonly Conditioning[] = ['sha256', 'vonneumann', 'raw'];
const STATES: readonly HealthStatus[] = ['startup', 'healthy', 'quarantined', 'unavailable'];
const HEALTH_TESTS = ['rct', 'apt', 'startup', 'sampler'] as const;
/** Batch and request durations: 1 ms to 10 s (a batch's deadline is 5 s by default). */
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** One source's health-tested view: what an entropy pool (or the recorder's health tests) reports. */
export interface SourceView {
  name: string;
  status: HealthStatus;
  /** Measurements taken for this source. */
  samples: number;
  /** Min-entropy credited to its health-tested bytes, bits (absent where nothing is credited: `oe record`). */
  creditedBits?: number;
  failures: { rct: number; apt: number; startup: number; sampler: number; total: number };
}

type Labels = Record<string, string>;

/** A metric's configuration whose `collect` empties it and puts every series `read` gives (mirror*). */
function mirrored<M extends { reset(): void }>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: string[],
  read: () => Iterable<[Labels, number]>,
  put: (metric: M, labels: Labels, value: number) => void,
) {
  return {
    name,
    help,
    labelNames,
    registers: [registry],
    collect(this: M) {
      this.reset();
      for (const [labels, value] of read()) put(this, labels, value);
    },
  };
}

export class OeMetrics implements MetricsExposition {
  readonly registry = new Registry();
  private sourceViews: (() => SourceView[]) | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  private httpRequests?: Counter<string>;
  private httpDuration?: Histogram<string>;

  /** `processMetrics` (default true): prom-client's process and Node.js metrics (CPU, RSS, event-loop lag…). */
  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }

  /** A counter whose series are set from the library's own count at every scrape. */
  mirrorCounter(name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>): void {
    new Counter(mirrored(this.registry, name, help, labelNames, read, (m: Counter<string>, l, v) => m.inc(l, v)));
  }

  /** A gauge whose series are set at every scrape. */
  mirrorGauge(name: string, help: string, labelNames: string[], read: () => Iterable<[Labels, number]>): void {
    new Gauge(mirrored(this.registry, name, help, labelNames, read, (m: Gauge<string>, l, v) => m.set(l, v)));
  }

  /**
   * The sampler pool's per-source batch accounting: successful batches, errors, timeouts, native crashes, and
   * the worker-side duration of every successful batch.
   */
  watchSamplerPool(pool: SamplerPool): void {
    const per = (f: (s: ReturnType<SamplerPool['sourceStates']>[number]) => number) => () =>
      pool.sourceStates().map((s): [Labels, number] => [{ source: s.name }, f(s)]);
    this.mirrorCounter(
      'oe_source_batches_total',
      'Sampler batches that succeeded',
      ['source'],
      per((s) => s.batches),
    );
    this.mirrorCounter(
      'oe_source_batch_errors_total',
      'Sampler batches that failed with an error (crashes included, timeouts not)',
      ['source'],
      per((s) => s.totalFailures - s.timeouts),
    );
    this.mirrorCounter(
      'oe_source_batch_timeouts_total',
      'Sampler batches that missed their deadline',
      ['source'],
      per((s) => s.timeouts),
    );
    this.mirrorCounter(
      'oe_source_crashes_total',
      'Native faults (SIGSEGV, SIGBUS, ...) in a sampler; each abandons one thread',
      ['source'],
      per((s) => s.crashes),
    );
    const duration = new Histogram({
      name: 'oe_source_batch_duration_seconds',
      help: 'Worker-side duration of successful sampler batches',
      labelNames: ['source'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    this.unsubscribe.push(
      pool.onBatch((e) => {
        if (e.ok) duration.observe({ source: e.source }, e.seconds);
      }),
    );
  }

  /**
   * Per-source health (state, samples, test failures, quarantines, and credited bits when `credits`) from
   * `views`, read at each scrape. One provider per registry: the entropy pool in `oe server`/`oe device`, the
   * recorder in `oe record` (which credits nothing).
   */
  watchSources(views: () => SourceView[], { credits }: { credits: boolean }): void {
    if (this.sourceViews) throw new Error('internal: OeMetrics already has a source view');
    this.sourceViews = views;
    const per = (f: (s: SourceView) => number) => () =>
      views().map((s): [Labels, number] => [{ source: s.name }, f(s)]);
    this.mirrorGauge(
      'oe_source_state',
      'Health state of each source: 1 for its current state, 0 for the others',
      ['source', 'state'],
      () =>
        views().flatMap((s) =>
          STATES.map((state): [Labels, number] => [{ source: s.name, state }, s.status === state ? 1 : 0]),
        ),
    );
    this.mirrorCounter(
      'oe_source_samples_total',
      'Measurements taken from each source',
      ['source'],
      per((s) => s.samples),
    );
    if (credits) {
      this.mirrorCounter(
        'oe_source_credited_bits_total',
        'Min-entropy credited to health-tested bytes of each source, bits',
        ['source'],
        per((s) => s.creditedBits ?? 0),
      );
    }
    this.mirrorCounter(
      'oe_source_health_failures_total',
      'SP 800-90B health failures by test (rct, apt, startup) and sampler failures that quarantined the source',
      ['source', 'test'],
      () =>
        views().flatMap((s) =>
          HEALTH_TESTS.map((test): [Labels, number] => [{ source: s.name, test }, s.failures[test]]),
        ),
    );
    this.mirrorCounter(
      'oe_source_quarantines_total',
      'Times each source was quarantined (every failure quarantines it)',
      ['source'],
      per((s) => s.failures.total),
    );
  }

  /** The entropy pool: its sources (watchSources) and its outputs, refusals and credit. */
  watchEntropyPool(pool: EntropyPool): void {
    this.watchSources(
      () =>
        pool.healthReport().sources.map((s) => ({
          name: s.name,
          status: s.status,
          samples: s.samples,
          creditedBits: s.creditedBitsIn,
          failures: s.failures,
        })),
      { credits: true },
    );
    const totals = () => pool.healthReport().totals;
    const byMode = (f: (t: ReturnType<typeof totals>, m: Conditioning) => number) => () => {
      const t = totals();
      return CONDITIONINGS.map((m): [Labels, number] => [{ conditioning: m }, f(t, m)]);
    };
    this.mirrorCounter(
      'oe_pool_output_bytes_total',
      'Bytes the entropy pool served, by conditioning mode',
      ['conditioning'],
      byMode((t, m) => t.outputBytes[m]),
    );
    this.mirrorCounter(
      'oe_pool_refused_requests_total',
      'Requests refused because no healthy source could back them (fail closed), by conditioning mode',
      ['conditioning'],
      byMode((t, m) => t.refused[m].requests),
    );
    this.mirrorCounter(
      'oe_pool_refused_bytes_total',
      'Bytes those refused requests asked for (sha256: 32 bytes per output block)',
      ['conditioning'],
      byMode((t, m) => t.refused[m].bytes),
    );
    this.mirrorCounter('oe_pool_blocks_total', 'sha256 output blocks produced (32 bytes each)', [], () => [
      [{}, totals().blocks],
    ]);
    this.mirrorCounter(
      'oe_pool_credited_bits_used_total',
      'Credited min-entropy consumed by sha256 output blocks, bits',
      [],
      () => [[{}, totals().creditedBitsUsed]],
    );
    this.mirrorGauge('oe_pool_healthy', '1 when a healthy credited source can back sha256 output, else 0', [], () => [
      [{}, pool.healthReport().healthy ? 1 : 0],
    ]);
    this.mirrorGauge('oe_pool_queued_bytes', 'Health-tested bytes waiting in the per-source queues', [], () => [
      [{}, pool.healthReport().sources.reduce((a, s) => a + s.queuedBytes, 0)],
    ]);
  }

  /** The observer to pass as the HTTP server's `onRequest`: requests by route and status, latency by route. */
  httpObserver(): (e: HttpRequestEvent) => void {
    this.httpRequests ??= new Counter({
      name: 'oe_http_requests_total',
      help: `HTTP requests by route (${HTTP_ROUTES.join(', ')}, other) and status`,
      labelNames: ['route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration ??= new Histogram({
      name: 'oe_http_request_duration_seconds',
      help: 'Time from request to response sent, by route',
      labelNames: ['route'],
      buckets: DURATION_BUCKETS,
      registers: [this.registry],
    });
    const requests = this.httpRequests;
    const duration = this.httpDuration;
    return (e) => {
      requests.inc({ route: e.route, status: String(e.status) });
      duration.observe({ route: e.route }, e.seconds);
    };
  }

  /**
   * A recording (`oe record`): pass the returned events as RecordOptions.events and every progress report to
   * `progress`. Per source: health state, samples, test failures and quarantines (from the progress reports)
   * and batches by outcome; per table: parts, rows and bytes written, merges; flush and merge durations; the
   * files being written, and the session's files, size and file system's free space, read at each scrape.
   */
  watchRecording(): { events: RecorderEvents; progress: (p: RecordProgress) => void } {
    let last: RecordProgress | null = null;
    this.watchSources(
      () =>
        (last?.sources ?? []).map((s) => ({
          name: s.name,
          status: s.health.status,
          samples: s.samples,
          failures: s.health.failures,
        })),
      { credits: false },
    );
    const batches = new Counter({
      name: 'oe_recorder_batches_total',
      help: 'Sampler batches of the recording by outcome (ok, short, timeout, unavailable, error, congested)',
      labelNames: ['source', 'outcome'],
      registers: [this.registry],
    });
    const outcomes: readonly BatchOutcome[] = ['ok', 'short', 'timeout', 'unavailable', 'error', 'congested'];
    const seen = new Set<string>();
    const writes = this.recorderWrites();
    this.recorderSession(() => last);
    return {
      events: {
        batch: (e) => {
          if (!seen.has(e.source)) {
            // Every series of a source exists from its first batch on, so rates work from the start.
            seen.add(e.source);
            for (const o of outcomes) batches.inc({ source: e.source, outcome: o }, 0);
          }
          batches.inc({ source: e.source, outcome: e.outcome });
        },
        ...writes,
      },
      progress: (p) => {
        last = p;
      },
    };
  }

  /** The recorder's writes: flushes (per table), merges (per table), and the files being written. */
  private recorderWrites(): Required<Pick<RecorderEvents, 'flush' | 'merge' | 'files'>> {
    const counter = (name: string, help: string, labelNames: string[] = ['table']) =>
      new Counter({ name, help, labelNames, registers: [this.registry] });
    const histogram = (name: string, help: string) =>
      new Histogram({ name, help, buckets: DURATION_BUCKETS, registers: [this.registry] });
    const flushes = counter('oe_recorder_flushes_total', 'Flushes of the recording buffers to Parquet parts', []);
    const parts = counter('oe_recorder_parts_written_total', 'Parquet parts written by flushes, per table');
    const rows = counter('oe_recorder_rows_written_total', 'Rows written by flushes, per table');
    const bytes = counter('oe_recorder_written_bytes_total', 'Bytes of the Parquet parts flushes wrote, per table');
    const flushDuration = histogram('oe_recorder_flush_duration_seconds', 'Wall time of one flush (all its parts)');
    const merges = counter('oe_recorder_merges_total', 'Merges of Parquet files into one, per table');
    const merged = counter('oe_recorder_parts_merged_total', 'Files merges replaced (each merge: two or more)');
    const mergedBytes = counter('oe_recorder_merged_bytes_total', 'Bytes of the files merges wrote, per table');
    const mergeDuration = histogram('oe_recorder_merge_duration_seconds', 'Wall time of one merge');
    const open = new Gauge({
      name: 'oe_recorder_files_open',
      help: 'Parquet files the recorder is writing right now (flush parts and merge outputs)',
      registers: [this.registry],
    });
    open.set(0);
    for (const table of RECORDED_TABLES) {
      // Every table's series exist from the start (zero until written).
      for (const c of [parts, rows, bytes, merges, merged, mergedBytes]) c.inc({ table }, 0);
    }
    return {
      flush: (e) => {
        if (!e.written) return;
        flushes.inc();
        for (const table of RECORDED_TABLES) {
          const t = e.tables[table];
          parts.inc({ table }, t.parts);
          rows.inc({ table }, t.rows);
          bytes.inc({ table }, t.bytes);
        }
        flushDuration.observe(e.ms / 1000);
      },
      merge: (e) => {
        merges.inc({ table: e.table });
        merged.inc({ table: e.table }, e.parts);
        mergedBytes.inc({ table: e.table }, e.bytes);
        mergeDuration.observe(e.ms / 1000);
      },
      files: (e) => open.set(e.open),
    };
  }

  /** The session folder, read at each scrape from the last progress report: files, bytes, free space. */
  private recorderSession(last: () => RecordProgress | null): void {
    this.mirrorGauge('oe_recorder_session_files', 'Parquet files of the session on disk (after merges)', [], () => {
      const p = last();
      return p ? [[{}, p.parts]] : [];
    });
    this.mirrorGauge('oe_recorder_session_bytes', 'Bytes of the Parquet files of the session on disk', [], () => {
      const p = last();
      return p ? [[{}, p.bytesOnDisk]] : [];
    });
    this.mirrorGauge(
      'oe_recorder_disk_free_bytes',
      'Free bytes for an unprivileged user on the session file system',
      [],
      () => {
        const p = last();
        if (!p) return [];
        try {
          const st = statfsSync(p.dir);
          return [[{}, st.bavail * st.bsize]];
        } catch {
          return [];
        }
      },
    );
  }

  /** Stops listening to the library's events (the registry keeps its last values). */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }
}

/**
 * A listener that serves only GET /metrics (for `--metrics-port`), on loopback unless `host` says otherwise.
 * Port in use and similar: one OeError('UNAVAILABLE') from listenOn().
 */
export async function startMetricsServer(
  metrics: MetricsExposition,
  options: { host?: string; port: number },
): Promise<{ server: Server; host: string; port: number; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('only /metrics here\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { 'content-type': 'text/plain; charset=utf-8', allow: 'GET, HEAD' });
      res.end('GET only\n');
      return;
    }
    metrics.text().then(
      (text) => {
        res.writeHead(200, { 'content-type': metrics.contentType, 'cache-control': 'no-store' });
        res.end(text);
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('metrics collection failed\n');
      },
    );
  });
  return { server, ...(await listenOn(server, host, options.port, { what: 'metrics port', option: 'metricsPort' })) };
}

/**
 * What `oe server` runs: the entropy server over `pool` with GET /metrics, counting its requests, the pool's
 * sources and outputs, and the batches of `sampler` (the process-wide sampler pool the entropy pool uses).
 */
export async function startEntropyServerWithMetrics(
  pool: EntropyPool,
  options: ListenOptions & { sampler: SamplerPool },
): Promise<{ server: Server; host: string; port: number; url: string; metrics: OeMetrics }> {
  const metrics = new OeMetrics();
  metrics.watchSamplerPool(options.sampler);
  metrics.watchEntropyPool(pool);
  try {
    const started = await startEntropyServer(pool, { ...options, metrics, onRequest: metrics.httpObserver() });
    return { ...started, metrics };
  } catch (e) {
    metrics.close();
    throw e;
  }
}
