/**
 * The metrics plumbing without Prometheus (test/prometheus.test.ts has the real scraper): the exposition and
 * its listener, the library events it maps (sampler batches, the entropy pool, real recordings with and
 * without merges), the bad input around `--metrics-port`, and docs/API.md's list of every metric.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import { type RecordedTable, recordSession } from '../src/collect/recorder/index.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { OeMetrics, startEntropyServerWithMetrics, startMetricsServer } from '../src/serve/metrics.js';
import { runOeInProcess } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'oe-metrics-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A port held by another listener for the duration of `fn`. */
async function withPortInUse(fn: (port: number) => Promise<void>): Promise<void> {
  const blocker: Server = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  try {
    await fn((blocker.address() as { port: number }).port);
  } finally {
    await new Promise((r) => blocker.close(r));
  }
}

/** The value of one series in an exposition text, or undefined. */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('--metrics-port bad input', () => {
  it('refuses a metrics port equal to the server port, and a flag without its value', async () => {
    for (const args of [
      ['server', '--metrics-port', '8042'],
      ['server', '--port', '9555', '--metrics-port', '9555'],
    ]) {
      const r = await runOeInProcess(args);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^oe: --metrics-port \d+ is the server's own --port, which serves \/metrics already/);
      expect(r.stderr.split('\n')).toHaveLength(2);
    }
    for (const cmd of [['server'], ['record'], ['device', join(dir, 'never.fifo')]]) {
      const r = await runOeInProcess([...cmd, '--metrics-port']);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/^oe: [^\n]*metrics-port[^\n]*\n$/);
    }
  });

  it('a metrics port in use is one line, exit 5, before any work starts', async () => {
    await withPortInUse(async (port) => {
      const line = `oe: metrics port ${port} on 127.0.0.1 is already in use\n`;
      const server = await runOeInProcess([
        'server',
        '--port',
        '0',
        '--metrics-port',
        String(port),
        '--sources',
        'getrandom',
      ]);
      expect(server.code, server.stderr).toBe(5);
      expect(server.stderr).toBe(line);

      const fifo = join(dir, 'device.fifo');
      const device = await runOeInProcess(['device', fifo, '--metrics-port', String(port), '--sources', 'getrandom']);
      expect(device.code, device.stderr).toBe(5);
      expect(device.stderr).toBe(line);
      expect(existsSync(fifo)).toBe(false);

      const sessions = join(dir, 'refused');
      const record = await runOeInProcess([
        'record',
        '--metrics-port',
        String(port),
        '--sources',
        'getrandom',
        '--duration',
        '1s',
        '--quiet',
        '--output',
        sessions,
      ]);
      expect(record.code, record.stderr).toBe(5);
      expect(record.stderr).toBe(line);
      expect(existsSync(sessions) ? readdirSync(sessions) : []).toEqual([]);
    });
  }, 120_000);
});

describe('the exposition', () => {
  it('the metrics listener serves GET /metrics only', async () => {
    const metrics = new OeMetrics();
    const m = await startMetricsServer(metrics, { port: 0 });
    try {
      expect(m.host).toBe('127.0.0.1');
      const ok = await fetch(`${m.url}/metrics`);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      const text = await ok.text();
      expect(text).toMatch(/^# HELP process_cpu_seconds_total /m);
      expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
      expect((await fetch(`${m.url}/`)).status).toBe(404);
      expect((await fetch(`${m.url}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await new Promise((r) => m.server.close(r));
    }
  });

  it('maps sampler batches: successes, errors, durations', async () => {
    const sampler = new SamplerPool({ threads: 1, backoffBaseMs: 1 });
    const metrics = new OeMetrics({ processMetrics: false });
    metrics.watchSamplerPool(sampler);
    const broken = { ...getSource('getrandom'), name: 'broken', sampler: 'test_throw' };
    try {
      // The deadline only guards against a hang: on a busy machine the worker's start alone can take seconds.
      const timeoutMs = 120_000;
      await sampler.sample('getrandom', 256, { timeoutMs });
      await sampler.sample('getrandom', 256, { timeoutMs });
      await expect(sampler.sample(broken, 16, { timeoutMs })).rejects.toThrow(/deliberate test failure/);
      const text = await metrics.text();
      expect(value(text, 'oe_source_batches_total{source="getrandom"}')).toBe(2);
      expect(value(text, 'oe_source_batch_errors_total{source="broken"}')).toBe(1);
      expect(value(text, 'oe_source_batch_timeouts_total{source="broken"}')).toBe(0);
      expect(value(text, 'oe_source_batch_duration_seconds_count{source="getrandom"}')).toBe(2);
      expect(value(text, 'oe_source_batch_duration_seconds_count{source="broken"}')).toBeUndefined();
    } finally {
      metrics.close();
      await sampler.close();
    }
  });

  it('oe server: /metrics on its own port, requests by route and status, pool counters from the pool', async () => {
    const sampler = new SamplerPool({ threads: 1 });
    const pool = new EntropyPool({ sources: 'getrandom', sampler });
    const s = await startEntropyServerWithMetrics(pool, { port: 0, sampler });
    try {
      // getrandom is a reference source: credited 0, so sha256 output fails closed and is counted as refused.
      expect((await fetch(`${s.url}/api/v1/random?length=64`)).status).toBe(503);
      expect((await fetch(`${s.url}/nope`)).status).toBe(404);
      const index = (await (await fetch(`${s.url}/`)).json()) as { endpoints: Record<string, unknown> };
      expect(Object.keys(index.endpoints)).toContain('/metrics');
      const res = await fetch(`${s.url}/metrics`);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(value(text, 'oe_http_requests_total{route="/api/v1/random",status="503"}')).toBe(1);
      expect(value(text, 'oe_http_requests_total{route="other",status="404"}')).toBe(1);
      expect(value(text, 'oe_pool_refused_requests_total{conditioning="sha256"}')).toBe(1);
      expect(value(text, 'oe_pool_refused_bytes_total{conditioning="sha256"}')).toBe(64);
      expect(value(text, 'oe_pool_healthy')).toBe(0);
      const status = (await (await fetch(`${s.url}/pool/status`)).json()) as {
        sources: { name: string; samples: number; status: string }[];
      };
      expect(value(text, 'oe_source_samples_total{source="getrandom"}')).toBe(status.sources[0].samples);
      expect(value(text, `oe_source_state{source="getrandom",state="${status.sources[0].status}"}`)).toBe(1);
    } finally {
      await new Promise((r) => s.server.close(r));
      s.metrics.close();
      await pool.close();
      await sampler.close();
    }
  });
});

describe('oe record: the recorder events as metrics', () => {
  const TABLES: readonly RecordedTable[] = ['samples', 'batches', 'telemetry', 'conditioned'];

  /**
   * A short real recording with the metrics of `oe record --metrics-port` attached. cpu_memory_beat: a physical
   * source with small batches whose health does not hinge on an idle machine; conditioned output on, so all
   * four tables are written (conditioned/ when the pool has health-tested credit in time).
   */
  async function recordWithMetrics(name: string, mergeIntervalMs: number) {
    const sampler = new SamplerPool({ threads: 1 });
    const metrics = new OeMetrics({ processMetrics: false });
    metrics.watchSamplerPool(sampler);
    const recording = metrics.watchRecording();
    const opens: number[] = [];
    try {
      const { dir: session, manifest } = await recordSession(
        {
          sources: [getSource('cpu_memory_beat')],
          durationSec: 2,
          maxRate: 50_000,
          output: join(dir, name),
          flushIntervalMs: 150,
          telemetryIntervalMs: 200,
          mergeIntervalMs,
          conditioning: 'sha256',
          sampler,
          skipProbe: true,
          events: {
            ...recording.events,
            files: (e) => {
              opens.push(e.open);
              recording.events.files?.(e);
            },
          },
        },
        recording.progress,
      );
      return { session, manifest, text: await metrics.text(), opens };
    } finally {
      metrics.close();
      await sampler.close();
    }
  }

  it('rows, parts and bytes per table are what the session holds; health and samples per source', async () => {
    const { session, manifest, text, opens } = await recordWithMetrics('plain', 0);
    expect(schemaValidator('session')(manifest)).toBe(true);
    expect(manifest.status).toBe('complete');
    for (const table of TABLES) {
      const files = manifest.files.filter((f) => f.path.startsWith(`${table}/`));
      // Conditioned output needs health-tested credit within the pool's request deadline: on a busy machine
      // the pool can fail closed for the whole two seconds, and then the metrics must say zero like the session.
      if (table !== 'conditioned') expect(files.length, table).toBeGreaterThan(0);
      const label = `{table="${table}"}`;
      // No merging: every flush part is a file of the session, as written.
      expect(value(text, `oe_recorder_parts_written_total${label}`), table).toBe(files.length);
      expect(value(text, `oe_recorder_rows_written_total${label}`), table).toBe(files.reduce((a, f) => a + f.rows, 0));
      expect(value(text, `oe_recorder_written_bytes_total${label}`), table).toBe(
        files.reduce((a, f) => a + f.bytes, 0),
      );
      expect(value(text, `oe_recorder_merges_total${label}`), table).toBe(0);
    }
    expect(value(text, 'oe_recorder_rows_written_total{table="samples"}')).toBe(manifest.total_samples);
    expect(value(text, 'oe_recorder_flush_duration_seconds_count')).toBe(value(text, 'oe_recorder_flushes_total'));
    // Every write that started ended: the gauge is back at 0, and it counted writes in flight.
    expect(value(text, 'oe_recorder_files_open')).toBe(0);
    expect(Math.max(...opens)).toBeGreaterThanOrEqual(1);
    expect(opens.at(-1)).toBe(0);
    expect(value(text, 'oe_recorder_session_files')).toBe(manifest.files.length);
    expect(value(text, 'oe_recorder_session_bytes')).toBe(
      manifest.size_bytes + statSync(join(session, 'session.json')).size,
    );
    expect(value(text, 'oe_recorder_disk_free_bytes')).toBeGreaterThan(0);

    const counts = manifest.counts.cpu_memory_beat;
    expect(value(text, 'oe_source_samples_total{source="cpu_memory_beat"}')).toBe(counts.samples);
    const ok = value(text, 'oe_recorder_batches_total{source="cpu_memory_beat",outcome="ok"}') ?? 0;
    const short = value(text, 'oe_recorder_batches_total{source="cpu_memory_beat",outcome="short"}') ?? 0;
    expect(ok + short).toBe(counts.batches);
    expect(value(text, 'oe_recorder_rows_written_total{table="batches"}')).toBe(counts.batches);
    expect(value(text, 'oe_recorder_batches_total{source="cpu_memory_beat",outcome="timeout"}')).toBe(counts.timeouts);
    // One health state at a time; the recorder credits nothing, so no credited-bits series.
    const states = ['startup', 'healthy', 'quarantined', 'unavailable'].map(
      (state) => value(text, `oe_source_state{source="cpu_memory_beat",state="${state}"}`) ?? -1,
    );
    expect(states.filter((v) => v === 1)).toHaveLength(1);
    expect(states.filter((v) => v === 0)).toHaveLength(3);
    expect(value(text, 'oe_source_health_failures_total{source="cpu_memory_beat",test="rct"}')).toBe(0);
    expect(text).not.toMatch(/oe_source_credited_bits_total/);
  }, 120_000);

  it('merges: counted per table, the files they replaced, and every row still written once', async () => {
    const { manifest, text, opens } = await recordWithMetrics('merged', 400);
    expect(manifest.status).toBe('complete');
    const merges = value(text, 'oe_recorder_merges_total{table="samples"}') ?? 0;
    expect(merges).toBeGreaterThanOrEqual(1);
    // Each merge replaces two or more files by one.
    expect(value(text, 'oe_recorder_parts_merged_total{table="samples"}')).toBeGreaterThanOrEqual(2 * merges);
    expect(value(text, 'oe_recorder_merged_bytes_total{table="samples"}')).toBeGreaterThan(0);
    const allMerges = TABLES.reduce((a, t) => a + (value(text, `oe_recorder_merges_total{table="${t}"}`) ?? 0), 0);
    expect(value(text, 'oe_recorder_merge_duration_seconds_count')).toBe(allMerges);
    for (const table of TABLES) {
      const files = manifest.files.filter((f) => f.path.startsWith(`${table}/`));
      // Files now = parts written - files merged away + files merges wrote.
      const written = value(text, `oe_recorder_parts_written_total{table="${table}"}`) ?? -1;
      const replaced = value(text, `oe_recorder_parts_merged_total{table="${table}"}`) ?? -1;
      const made = value(text, `oe_recorder_merges_total{table="${table}"}`) ?? -1;
      expect(files.length, table).toBe(written - replaced + made);
      // Merges move rows, they never add any: the rows written by flushes are the rows on disk.
      expect(value(text, `oe_recorder_rows_written_total{table="${table}"}`), table).toBe(
        files.reduce((a, f) => a + f.rows, 0),
      );
    }
    expect(value(text, 'oe_recorder_session_files')).toBe(manifest.files.length);
    expect(value(text, 'oe_recorder_files_open')).toBe(0);
    expect(opens.at(-1)).toBe(0);
  }, 120_000);
});

describe('docs/API.md lists every metric', () => {
  /** The metrics table rows of docs/API.md: name -> type, label names, commands. */
  function documented(): Map<string, { type: string; labels: string[]; commands: string[] }> {
    const text = readFileSync(join(import.meta.dirname, '..', 'docs', 'API.md'), 'utf8');
    const rows = new Map<string, { type: string; labels: string[]; commands: string[] }>();
    for (const m of text.matchAll(/^\| `([a-z0-9_]+)` \| (counter|gauge|histogram) \|([^|]*)\|([^|]*)\|/gm)) {
      const list = (cell: string) =>
        cell
          .split(',')
          .map((x) => x.trim())
          .filter((x) => x !== '');
      const commands = m[4].trim() === 'all' ? ['server', 'device', 'record'] : list(m[4]);
      expect(rows.has(m[1]), `${m[1]} listed twice`).toBe(false);
      rows.set(m[1], { type: m[2], labels: list(m[3]), commands });
    }
    return rows;
  }

  it('names, types, labels and commands are what oe server, oe device and oe record expose', async () => {
    const sampler = new SamplerPool({ threads: 1 });
    const pool = new EntropyPool({ sources: 'getrandom', sampler });
    const made = { server: new OeMetrics(), device: new OeMetrics(), record: new OeMetrics() };
    try {
      // As src/serve/metrics.ts (startEntropyServerWithMetrics) and src/cli/commands/{device,record}.ts build them.
      made.server.watchSamplerPool(sampler);
      made.server.watchEntropyPool(pool);
      made.server.httpObserver();
      made.device.watchSamplerPool(sampler);
      made.device.watchEntropyPool(pool);
      made.record.watchSamplerPool(sampler);
      made.record.watchRecording();
      const exposed = new Map<string, { type: string; labels: string[]; commands: string[] }>();
      for (const [command, metrics] of Object.entries(made)) {
        const types = new Map((await metrics.registry.getMetricsAsJSON()).map((j) => [j.name, String(j.type)]));
        for (const metric of metrics.registry.getMetricsAsArray()) {
          const { name, labelNames } = metric as unknown as { name: string; labelNames: string[] };
          const row = exposed.get(name) ?? { type: types.get(name) ?? '?', labels: [...labelNames], commands: [] };
          row.commands.push(command);
          exposed.set(name, row);
        }
      }
      const docs = documented();
      expect([...docs.keys()].sort()).toEqual([...exposed.keys()].sort());
      for (const [name, row] of exposed) expect(docs.get(name), name).toEqual(row);
    } finally {
      for (const m of Object.values(made)) m.close();
      await pool.close();
      await sampler.close();
    }
  });
});
