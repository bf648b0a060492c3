import { recordSession } from './src/collect/recorder/index.js';
import { getSource } from './src/collect/catalog.js';
import { closeSharedSamplerPool } from './src/collect/sampler-pool.js';
const t0 = performance.now();
const r = await recordSession({ sources: [getSource('clock_jitter')], durationSec: 60, maxSizeBytes: 150_000, maxRate: Infinity, output: '/tmp/exp/cli3',
  events: { flush: (e) => console.log('flush', (performance.now() - t0).toFixed(0), e.bytes, e.sampleRows, e.ms.toFixed(0)), merge: (e) => console.log('merge', e.dir, e.parts, e.rows, e.bytes, e.rewritten) } });
console.log(r.manifest.end_reason, r.manifest.size_bytes, r.manifest.duration_ms, r.manifest.files);
await closeSharedSamplerPool();
