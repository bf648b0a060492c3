// Child process for test/sensor.test.ts: runs audio_noise in a process whose environment (OE_ALSA_PCM,
// XDG_CONFIG_HOME with an asoundrc) the test chose, since alsa-lib reads its configuration once per process.
// Prints one JSON object: the probe, a raw addon call with explicit params, sampleDirect and a pool batch
// through the catalog entry (values and extracted bytes).
import { probeSource } from '../src/collect/availability.js';
import { getSource } from '../src/collect/catalog.js';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';

const n = Number(process.argv[2]);
const spec = getSource('audio_noise');
const result: Record<string, unknown> = { probe: probeSource(spec) };
const raw = new BigInt64Array(n);
const r = loadNative().sample('audio_noise', raw, { rate: 48000, settleMs: 0 }, null, 5000);
result.raw = { filled: r.filled, unit: r.unit, values: Array.from(raw.subarray(0, r.filled), Number) };
const d = sampleDirect(spec, n);
result.direct = { unit: d.unit, values: Array.from(d.values, Number), bytes: Array.from(spec.extract(d.values)) };
const pool = new SamplerPool({ threads: 1 });
try {
  const b = await pool.sample(spec, n, { timeoutMs: 10_000 });
  result.pool = { unit: b.unit, values: Array.from(b.values, Number) };
} finally {
  await pool.close();
}
process.stdout.write(JSON.stringify(result));
