import { recordSession } from './src/collect/recorder/index.js';
import { selectSources } from './src/collect/catalog.js';
import { probeSource } from './src/collect/availability.js';
import { closeSharedSamplerPool } from './src/collect/sampler-pool.js';
const sources = selectSources(undefined).filter((s) => probeSource(s) === null);
const e = await recordSession({ sources, durationSec: 1e9, output: '/tmp/exp/cal', sizeCheck: { calibrationSec: Number(process.env.CAL ?? 4) }, onEstimate: (x) => console.log(x) }).catch((x) => x.message);
console.log(e);
await closeSharedSamplerPool();
