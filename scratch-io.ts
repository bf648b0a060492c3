import { renameSync, writeFileSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { recordSession } from './src/collect/recorder/index.js';
import { getSource } from './src/collect/catalog.js';
import { closeSharedSamplerPool } from './src/collect/sampler-pool.js';
for (let k = 0; k < 4; k++) {
  const root = mkdtempSync(join(tmpdir(), 'oe-io-'));
  const id = 'w'; const dir = join(root, id); let swapped = false;
  const err = await recordSession({ sources: [getSource('clock_jitter')], output: root, id, durationSec: 5, flushIntervalMs: 200, telemetryIntervalMs: 0 }, (prog) => {
    if (!swapped && prog.parts >= 1) { swapped = true; const src = join(dir, 'samples', 'source=clock_jitter'); renameSync(src, `${src}.moved`); writeFileSync(src, 'x'); }
  }).catch((e) => e);
  console.log(err.message.slice(0, 150)); if (err.cause) console.log('  cause:', String(err.cause?.cause?.stack ?? err.cause?.stack).split('\n').slice(0, 6).join(' | '));
}
await closeSharedSamplerPool();
