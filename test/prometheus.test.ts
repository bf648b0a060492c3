/**
 * The metrics as a real Prometheus sees them: Debian's `prometheus` scrapes, every second, an entropy server
 * built exactly as `oe server` builds it (startEntropyServerWithMetrics; in this process, so that one of its
 * sources can be a test-only sampler that gets stuck on command) and a real `oe record --metrics-port`
 * child process. Then Prometheus' HTTP API is asked whether the series exist, whether counters only grew,
 * whether oe_source_samples_total agrees with /pool/status within one scrape, and whether a forced RCT
 * failure shows up as a failure count and a quarantined state. Skipped, with the reason, without the binary.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../src/collect/sampler-pool.js';
import type { SourceSpec } from '../src/collect/types.js';
import { startEntropyServerWithMetrics } from '../src/serve/metrics.js';

const prometheus = spawnSync('sh', ['-c', 'command -v prometheus'], { encoding: 'utf8' }).stdout.trim();
const work = mkdtempSync(join(tmpdir(), 'oe-prometheus-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

/** A wide-margin physical source: start-up estimate ~3 bit/sample against a credit cap of 1, fast batches. */
const REAL = 'cpu_memory_beat';
/** Set to 0 to make the stuck source stuck (the sampler reads its params at every batch). */
const stuckParams = { at: 1e15, value: 7 };
const stuckSpec: SourceSpec = {
  ...getSource(REAL),
  name: 'stuck',
  description: 'test_stuck_at: varied values, then one constant value from params.at on',
  sampler: 'test_stuck_at',
  params: stuckParams,
  batchSize: 4096,
  credit: 1,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | null | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

function describeTitle(): string {
  return prometheus
    ? 'metrics checked by a real Prometheus'
    : 'metrics checked by a real Prometheus (skipped: no prometheus binary on PATH; apt-get install prometheus)';
}

describe.skipIf(!prometheus)(describeTitle(), () => {
  let promUrl = '';
  const query = async (q: string): Promise<Sample[]> => {
    const res = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(q)}`);
    const body = (await res.json()) as { status: string; data: { result: Sample[] }; error?: string };
    if (body.status !== 'success') throw new Error(`${q}: ${body.error}`);
    return body.data.result;
  };
  const scalar = async (q: string): Promise<number | null> => {
    const r = await query(q);
    return r.length === 1 && r[0].value ? Number(r[0].value[1]) : null;
  };
  /** The value of the first scrape of one series taken after `t` (s since the epoch), or null if none yet. */
  const scrapedAfter = async (series: string, t: number): Promise<number | null> => {
    const r = await query(`${series}[1m]`);
    if (r.length !== 1) return null;
    const next = (r[0].values ?? []).find(([ts]) => ts > t);
    return next ? Number(next[1]) : null;
  };

  it('scrapes oe server and oe record; series, monotone counters, /pool/status agreement, a forced RCT failure', async () => {
    // The server, as `oe server` runs it; a small queue so that requests soon reach fresh batches.
    const pool = new EntropyPool({
      sources: [getSource(REAL), stuckSpec],
      maxQueuedBytes: 16 * 1024,
      backoffBaseMs: 600_000,
    });
    const server = await startEntropyServerWithMetrics(pool, { port: 0, sampler: sharedSamplerPool() });
    try {
      // The recorder, as a user runs it, until SIGINT.
      const record = spawn(
        process.execPath,
        ['--import', 'tsx', 'src/cli/run.ts', 'record', '--sources', REAL, '--quiet', '--metrics-port', '0'].concat([
          '--output',
          join(work, 'sessions'),
        ]),
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      children.push(record);
      let recordErr = '';
      record.stderr?.on('data', (d: Buffer) => {
        recordErr += d.toString();
      });
      const recordMetrics = await waitFor('oe record --metrics-port to listen', 120_000, async () => {
        if (record.exitCode !== null) throw new Error(`oe record exited ${record.exitCode}: ${recordErr}`);
        return /metrics on (http:\/\/\S+)\/metrics/.exec(recordErr)?.[1];
      });

      const promPort = await freePort();
      promUrl = `http://127.0.0.1:${promPort}`;
      const config = join(work, 'prometheus.yml');
      writeFileSync(
        config,
        [
          'global: { scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s }',
          'scrape_configs:',
          `  - { job_name: oe_server, static_configs: [{ targets: ['${new URL(server.url).host}'] }] }`,
          `  - { job_name: oe_record, static_configs: [{ targets: ['${new URL(recordMetrics).host}'] }] }`,
          '',
        ].join('\n'),
      );
      const prom = spawn(
        prometheus,
        [
          `--config.file=${config}`,
          `--storage.tsdb.path=${join(work, 'tsdb')}`,
          `--web.listen-address=127.0.0.1:${promPort}`,
          '--log.level=warn',
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      children.push(prom);
      let promErr = '';
      prom.stderr?.on('data', (d: Buffer) => {
        promErr += d.toString();
      });

      // Some traffic, so that both sources are sampled and health-tested.
      for (let i = 0; i < 4; i++) {
        const r = await fetch(`${server.url}/api/v1/random?length=2048`);
        expect(r.status, await r.text()).toBe(200);
      }
      for (const job of ['oe_server', 'oe_record']) {
        await waitFor(`two scrapes of ${job}`, 90_000, async () => {
          if (prom.exitCode !== null) throw new Error(`prometheus exited ${prom.exitCode}: ${promErr}`);
          const n = await scalar(`sum(count_over_time(up{job="${job}"}[10m]))`);
          const up = await scalar(`up{job="${job}"}`);
          return n !== null && n >= 2 && up === 1 ? true : null;
        });
      }

      // oe record's first flush comes after its start-up (and the size check's first seconds of the recording):
      // wait until Prometheus has scraped it.
      await waitFor('a scrape of oe record after its first flush', 120_000, async () => {
        if (record.exitCode !== null) throw new Error(`oe record exited ${record.exitCode}: ${recordErr}`);
        const n = await scalar(`oe_recorder_flushes_total{job="oe_record"}`);
        return n !== null && n >= 1 ? true : null;
      });

      // The series exist.
      const names = async (job: string) =>
        new Set((await query(`count by (__name__) ({job="${job}"})`)).map((s) => s.metric.__name__));
      const serverNames = await names('oe_server');
      for (const n of [
        'oe_source_state',
        'oe_source_samples_total',
        'oe_source_credited_bits_total',
        'oe_source_health_failures_total',
        'oe_source_quarantines_total',
        'oe_source_batches_total',
        'oe_source_batch_errors_total',
        'oe_source_batch_timeouts_total',
        'oe_source_crashes_total',
        'oe_source_batch_duration_seconds_bucket',
        'oe_pool_output_bytes_total',
        'oe_pool_refused_requests_total',
        'oe_pool_refused_bytes_total',
        'oe_pool_blocks_total',
        'oe_pool_credited_bits_used_total',
        'oe_pool_healthy',
        'oe_pool_queued_bytes',
        'oe_http_requests_total',
        'oe_http_request_duration_seconds_bucket',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(serverNames, n).toContain(n);
      }
      const recordNames = await names('oe_record');
      for (const n of [
        'oe_source_state',
        'oe_source_samples_total',
        'oe_source_health_failures_total',
        'oe_source_quarantines_total',
        'oe_source_batches_total',
        'oe_source_batch_errors_total',
        'oe_source_batch_timeouts_total',
        'oe_source_crashes_total',
        'oe_source_batch_duration_seconds_bucket',
        'oe_recorder_batches_total',
        'oe_recorder_flushes_total',
        'oe_recorder_parts_written_total',
        'oe_recorder_rows_written_total',
        'oe_recorder_written_bytes_total',
        'oe_recorder_flush_duration_seconds_bucket',
        'oe_recorder_merges_total',
        'oe_recorder_parts_merged_total',
        'oe_recorder_merged_bytes_total',
        'oe_recorder_merge_duration_seconds_bucket',
        'oe_recorder_files_open',
        'oe_recorder_session_files',
        'oe_recorder_session_bytes',
        'oe_recorder_disk_free_bytes',
        'process_cpu_seconds_total',
        'process_resident_memory_bytes',
        'process_open_fds',
        'nodejs_eventloop_lag_seconds',
      ]) {
        expect(recordNames, n).toContain(n);
      }
      expect(await scalar(`oe_pool_output_bytes_total{job="oe_server",conditioning="sha256"}`)).toBeGreaterThanOrEqual(
        4 * 2048,
      );

      // oe_source_samples_total at a scrape lies between the /pool/status readings taken around that scrape.
      const samplesNow = async () => {
        const body = (await (await fetch(`${server.url}/pool/status`)).json()) as {
          sources: { name: string; samples: number }[];
        };
        return body.sources.find((s) => s.name === REAL)?.samples ?? -1;
      };
      const series = `oe_source_samples_total{job="oe_server",source="${REAL}"}`;
      const before = await samplesNow();
      const t0 = Date.now() / 1000;
      const scraped = await waitFor('a scrape after the first /pool/status', 30_000, () => scrapedAfter(series, t0));
      const after = await samplesNow();
      expect(before).toBeGreaterThan(0);
      expect(scraped).toBeGreaterThanOrEqual(before);
      expect(scraped).toBeLessThanOrEqual(after);

      // The stuck source passes its start-up tests first (a request for its own bytes), then gets stuck: the
      // repetition count test fails, the source is quarantined, the request fails closed.
      const first = await fetch(`${server.url}/api/v1/random?length=32&source=stuck`);
      expect(first.status, await first.text()).toBe(200);
      stuckParams.at = 0;
      const refused = await waitFor('the stuck source to fail closed', 60_000, async () => {
        const r = await fetch(`${server.url}/api/v1/random?length=4096&source=stuck`);
        const body = (await r.json()) as { error?: string };
        return r.status === 503 ? body.error : null;
      });
      expect(refused).toMatch(/stuck quarantined: RCT failed/);
      const failedAt = Date.now() / 1000;
      const rct = await waitFor('a scrape after the RCT failure', 30_000, () =>
        scrapedAfter('oe_source_health_failures_total{job="oe_server",source="stuck",test="rct"}', failedAt),
      );
      expect(rct).toBeGreaterThanOrEqual(1);
      expect(await scalar(`oe_source_state{job="oe_server",source="stuck",state="quarantined"}`)).toBe(1);
      expect(await scalar(`oe_source_state{job="oe_server",source="stuck",state="healthy"}`)).toBe(0);
      expect(await scalar(`oe_source_quarantines_total{job="oe_server",source="stuck"}`)).toBeGreaterThanOrEqual(1);
      expect(
        await scalar(`oe_pool_refused_requests_total{job="oe_server",conditioning="sha256"}`),
      ).toBeGreaterThanOrEqual(1);
      expect(await scalar(`oe_source_state{job="oe_server",source="${REAL}",state="healthy"}`)).toBe(1);

      // Counters (and histogram sums and counts) only grew, in every scrape of both jobs.
      const ranges = await query('{__name__=~"oe_.*(_total|_count|_sum)"}[10m]');
      expect(ranges.length).toBeGreaterThan(50);
      for (const s of ranges) {
        const v = (s.values ?? []).map(([, x]) => Number(x));
        for (let i = 1; i < v.length; i++) expect(v[i], JSON.stringify(s.metric)).toBeGreaterThanOrEqual(v[i - 1]);
      }
      expect(ranges.some((s) => (s.values ?? []).length >= 2)).toBe(true);
      expect(await scalar(`sum(oe_recorder_rows_written_total{job="oe_record"})`)).toBeGreaterThan(0);
      expect(await scalar(`oe_recorder_rows_written_total{job="oe_record",table="samples"}`)).toBeGreaterThan(0);
      expect(await scalar(`oe_source_samples_total{job="oe_record",source="${REAL}"}`)).toBeGreaterThan(0);
      expect(await scalar(`oe_recorder_session_bytes{job="oe_record"}`)).toBeGreaterThan(0);

      record.kill('SIGINT');
      const code = await new Promise<number | null>((resolve) => {
        if (record.exitCode !== null) resolve(record.exitCode);
        else record.once('exit', (c) => resolve(c));
      });
      expect(code, recordErr).toBe(0);
      prom.kill('SIGTERM');
    } finally {
      await new Promise((r) => server.server.close(r));
      server.metrics.close();
      await pool.close();
      await closeSharedSamplerPool();
    }
  }, 300_000);
});
