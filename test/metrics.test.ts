/**
 * The metrics plumbing without Prometheus (test/prometheus.test.ts has the real scraper): the exposition and
 * its listener, the library events it maps, and the bad input around `--metrics-port`.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
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
      await sampler.sample('getrandom', 256);
      await sampler.sample('getrandom', 256);
      await expect(sampler.sample(broken, 16)).rejects.toThrow(/deliberate test failure/);
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
