import { recordSession } from './src/collect/recorder/index.js';
import { selectSources } from './src/collect/catalog.js';
import { probeSource } from './src/collect/availability.js';
import { closeSharedSamplerPool } from './src/collect/sampler-pool.js';
import { queryColumns } from './src/db/index.js';
import { rmSync } from 'node:fs';
const sources = selectSources(undefined).filter((s) => probeSource(s) === null);
const SEC = Number(process.env.SEC ?? 180);
const MERGE = Number(process.env.MERGE ?? 20000);
rmSync('/tmp/exp/mem', { recursive: true, force: true });
const t0 = performance.now();
let merges = 0;
const timer = setInterval(async () => {
  const m = process.memoryUsage();
  let duck = '';
  try {
    const r = await queryColumns(`SELECT sum(memory_usage_bytes)::DOUBLE AS used, sum(temporary_storage_bytes)::DOUBLE AS tmp FROM duckdb_memory()`);
    duck = `duck ${((r.columns.used as Float64Array)[0] / 2 ** 20).toFixed(1)}`;
  } catch (e) { duck = String(e).slice(0, 60); }
  console.log(`${((performance.now() - t0) / 1000).toFixed(0)}s rss ${(m.rss / 2 ** 20).toFixed(0)} heap ${(m.heapUsed / 2 ** 20).toFixed(0)}/${(m.heapTotal / 2 ** 20).toFixed(0)} ext ${(m.external / 2 ** 20).toFixed(0)} ab ${(m.arrayBuffers / 2 ** 20).toFixed(0)} ${duck} merges ${merges}`);
}, 10_000);
await recordSession({ sources, durationSec: SEC, output: '/tmp/exp/mem', mergeIntervalMs: MERGE, telemetryIntervalMs: 1000, events: { merge: () => merges++ } });
clearInterval(timer);
await closeSharedSamplerPool();
