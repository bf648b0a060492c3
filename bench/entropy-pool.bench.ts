/**
 * Entropy pool benchmark (`npm run bench entropy-pool`). Everything is measured in this one run on
 * real sources (the default fast set, or OE_BENCH_SOURCES):
 *
 * 1. sha256 output rate in full-entropy bytes/s next to the credited harvest rate over the same
 *    interval; their ratio (output bits per credited bit harvested) cannot exceed 256/320 = 0.8.
 * 2. raw and vonneumann output rates, as ratios to the sha256 rate.
 * 3. Server requests/s for 1 KiB sha256 responses under a bounded loopback load generator, next to
 *    /health requests/s on the same server (the HTTP baseline without entropy).
 * 4. Memory over a long stream: RSS at start and end of OE_BENCH_STREAM_SECONDS (default 60 s).
 * 5. The pool's own ceiling: sha256 output when one real clock_jitter batch is replayed from memory
 *    instead of sampled (health tests, extraction and conditioning only), next to the live rate of 1.
 *
 * OE_BENCH_SECONDS (default 8) sets the length of each rate measurement.
 */
import { Agent, request } from 'node:http';
import { Writable } from 'node:stream';
import { getSource } from '../src/collect/catalog.js';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import type { Sampler } from '../src/collect/sampler.js';
import { closeSharedSamplerPool, sharedSamplerPool } from '../src/collect/sampler-pool.js';
import { startEntropyServer } from '../src/serve/http-server.js';
import { streamEntropy } from '../src/serve/stream.js';

const SECONDS = Number(process.env.OE_BENCH_SECONDS ?? 8);
const STREAM_SECONDS = Number(process.env.OE_BENCH_STREAM_SECONDS ?? 60);
const SOURCES = process.env.OE_BENCH_SOURCES;

const fmt = (x: number, d = 1) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
const mib = (b: number) => `${fmt(b / 2 ** 20)} MiB`;
const line = (s: string) => process.stdout.write(`${s}\n`);

async function rate(pool: EntropyPool, mode: 'sha256' | 'vonneumann' | 'raw', chunk: number, seconds: number) {
  const queued = () => pool.healthReport().sources.reduce((a, s) => a + s.queuedCreditBits, 0);
  const before = pool.healthReport().totals;
  const q0 = queued();
  const t0 = performance.now();
  let out = 0;
  while (performance.now() - t0 < seconds * 1000) {
    out += (await pool.getBytes(chunk, mode)).length;
  }
  const dt = (performance.now() - t0) / 1000;
  const after = pool.healthReport().totals;
  return {
    bytesPerSec: out / dt,
    creditedBitsInPerSec: (after.creditedBitsIn - before.creditedBitsIn) / dt,
    creditedBitsUsed: after.creditedBitsUsed - before.creditedBitsUsed,
    /** Credited bits the interval took out of what was queued before it began (negative: queues grew). */
    drawdown: q0 - queued(),
    blocks: after.blocks - before.blocks,
    seconds: dt,
  };
}

/** Bounded keep-alive load generator: `concurrency` clients, at most `maxRequests` or `seconds`. */
async function load(url: string, concurrency: number, maxRequests: number, seconds: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const deadline = performance.now() + seconds * 1000;
  let issued = 0;
  let ok = 0;
  let failed = 0;
  const one = () =>
    new Promise<void>((resolve) => {
      const req = request(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
      req.end();
    });
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < maxRequests && performance.now() < deadline) {
        issued++;
        await one();
      }
    }),
  );
  const dt = (performance.now() - t0) / 1000;
  agent.destroy();
  return { perSec: ok / dt, ok, failed, seconds: dt };
}

const pool = EntropyPool.auto({ sources: SOURCES });
line(`sources: ${pool.names().length} selected (${SOURCES ?? 'default fast set'}); ${SECONDS} s per rate`);
const t0 = performance.now();
const ready = await pool.ready();
line(
  `start-up: ${fmt((performance.now() - t0) / 1000)} s, ${ready.sources.filter((s) => s.healthy && s.creditPerByte > 0).length} healthy credited, ` +
    `${ready.sourcesHealthy} healthy of ${ready.sourcesTotal}`,
);

// 1. sha256 vs credited harvest, same interval.
const sha = await rate(pool, 'sha256', 65536, SECONDS);
const harvested = sha.creditedBitsInPerSec * sha.seconds;
line('');
line('1. sha256 output vs credited harvest (same interval)');
line(`   sha256 output        ${fmt(sha.bytesPerSec / 1024)} KiB/s of full-entropy bytes`);
line(`   credited harvest     ${fmt(sha.creditedBitsInPerSec / 8 / 1024)} KiB/s of credited min-entropy`);
line(
  `   ratio output/harvest ${fmt((sha.bytesPerSec * 8) / sha.creditedBitsInPerSec, 3)} (limit 256/320 = 0.800; above it only by draining queues)`,
);
line(
  `   ratio output/(harvest + queue drawdown) ${fmt((sha.bytesPerSec * 8 * sha.seconds) / (harvested + sha.drawdown), 3)} ` +
    `(drawdown ${fmt(sha.drawdown / 8 / 1024)} KiB of credit)`,
);
line(`   credited bits per block ${fmt(sha.creditedBitsUsed / Math.max(1, sha.blocks), 1)} (>= 320)`);

// 2. raw and von Neumann.
const raw = await rate(pool, 'raw', 65536, SECONDS);
const vn = await rate(pool, 'vonneumann', 65536, SECONDS);
line('');
line('2. unconditioned modes');
line(
  `   raw                  ${fmt(raw.bytesPerSec / 1024)} KiB/s  (${fmt(raw.bytesPerSec / sha.bytesPerSec, 1)}x sha256)`,
);
line(
  `   vonneumann           ${fmt(vn.bytesPerSec / 1024)} KiB/s  (${fmt(vn.bytesPerSec / sha.bytesPerSec, 1)}x sha256, ${fmt(vn.bytesPerSec / raw.bytesPerSec, 3)}x raw)`,
);

// 3. Server under loopback load.
const { server, url } = await startEntropyServer(pool, { host: '127.0.0.1', port: 0 });
const health = await load(`${url}/health`, 8, 20_000, SECONDS / 2);
const rnd = await load(`${url}/api/v1/random?length=1024&type=base64`, 8, 20_000, SECONDS);
await new Promise((r) => server.close(r));
line('');
line('3. server, 8 keep-alive clients on 127.0.0.1');
line(`   /health (baseline)   ${fmt(health.perSec, 0)} req/s  (${health.ok} ok, ${health.failed} failed)`);
line(
  `   /api/v1/random 1 KiB ${fmt(rnd.perSec, 0)} req/s  (${rnd.ok} ok, ${rnd.failed} failed; ${fmt(rnd.perSec / health.perSec, 3)}x baseline)`,
);
line(`   = ${fmt((rnd.perSec * 1024) / 1024)} KiB/s of full-entropy bytes over HTTP`);

// 4. Memory over a long stream.
const sink = new Writable({
  write(_chunk, _enc, cb) {
    cb();
  },
});
global.gc?.();
const rss0 = process.memoryUsage().rss;
const samples: number[] = [rss0];
const ac = new AbortController();
const timer = setInterval(() => samples.push(process.memoryUsage().rss), 5000);
setTimeout(() => ac.abort(), STREAM_SECONDS * 1000);
const streamed = await streamEntropy(pool, sink, { signal: ac.signal, chunkBytes: 4096 });
clearInterval(timer);
const rss1 = process.memoryUsage().rss;
line('');
line(`4. memory over a ${fmt(streamed.seconds)} s sha256 stream (${mib(streamed.bytes)} streamed)`);
line(
  `   RSS start ${mib(rss0)}, end ${mib(rss1)}, max ${mib(Math.max(...samples, rss1))} (end/start ${fmt(rss1 / rss0, 3)})`,
);

await pool.close();

// 5. Pool-internal ceiling: replay one real batch (no sampling cost) through the same pipeline.
const spec = getSource('clock_jitter');
const recorded = await sharedSamplerPool().sample(spec, spec.batchSize);
const replay: Sampler = {
  sample: async (s, n) => ({ ...recorded, source: s.name, values: recorded.values.slice(0, n) }),
  close: async () => {},
};
const replayPool = new EntropyPool({ sources: [spec], sampler: replay, probe: () => null });
const ceiling = await rate(replayPool, 'sha256', 65536, SECONDS / 2);
await replayPool.close();
line('');
line(`5. pool-internal ceiling (one real clock_jitter batch replayed, credit ${spec.credit} bit/byte)`);
line(
  `   sha256 output        ${fmt(ceiling.bytesPerSec / 1024)} KiB/s (${fmt(ceiling.bytesPerSec / sha.bytesPerSec, 1)}x the live pool in 1.)`,
);
await closeSharedSamplerPool();
