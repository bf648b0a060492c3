// Child process for test/sensor-v4l2.test.ts: runs camera_noise in a process started with LD_PRELOAD of the fake
// V4L2 device (test/fixtures/v4l2-fake/fake-v4l2.c) and OE_V4L2_DEVICE pointing at it. argv[2] is a JSON list of
// steps; prints one JSON list with each step's outcome and the fake's call-count summary after the step. A step's `env`
// is set before it runs (the fake reads its configuration at every open of the device).
import { readFileSync } from 'node:fs';
import { probeSource } from '../src/collect/availability.js';
import { getSource } from '../src/collect/catalog.js';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';

type Step = { env?: Record<string, string> } & (
  | { kind: 'probe' }
  | { kind: 'raw'; n: number; params: Record<string, number>; timeoutMs?: number }
  | { kind: 'direct'; n: number }
  | { kind: 'pool'; n: number; timeoutMs: number }
);

const steps = JSON.parse(process.argv[2] ?? '[]') as Step[];
const spec = getSource('camera_noise');
const log = process.env.OE_FAKE_V4L2_LOG;
// null until the fake fd has been closed once (a sampler that never closes it leaves no summary).
const summary = () => {
  try {
    return log ? (JSON.parse(readFileSync(log, 'utf8')) as unknown) : null;
  } catch {
    return null;
  }
};
const out: Record<string, unknown>[] = [];
let pool: SamplerPool | undefined;
try {
  for (const step of steps) {
    const r: Record<string, unknown> = { kind: step.kind };
    Object.assign(process.env, step.env);
    try {
      if (step.kind === 'probe') r.reason = probeSource(spec);
      else if (step.kind === 'raw') {
        const buf = new BigInt64Array(step.n);
        const res = loadNative().sample('camera_noise', buf, step.params, null, step.timeoutMs ?? 0);
        r.unit = res.unit;
        r.values = Array.from(buf.subarray(0, res.filled), Number);
      } else if (step.kind === 'direct') {
        const d = sampleDirect(spec, step.n);
        r.unit = d.unit;
        r.values = Array.from(d.values, Number);
        r.bytes = Array.from(spec.extract(d.values));
      } else {
        // A generous grace: on a busy machine a sampler that honours its cancel cell may get the CPU back only
        // after the default 250 ms, and would be taken for a wedged one (its worker replaced).
        if (!pool) {
          pool = new SamplerPool({ threads: 1, graceMs: 5000 });
          // The worker thread starts before the timed batch, so its deadline measures the sampler only.
          await pool.warmUp();
        }
        const b = await pool.sample(spec, step.n, { timeoutMs: step.timeoutMs });
        r.unit = b.unit;
        r.values = Array.from(b.values, Number);
      }
    } catch (e) {
      r.error = e instanceof Error ? e.message : String(e);
    }
    r.summary = summary();
    out.push(r);
  }
} finally {
  await pool?.close();
}
process.stdout.write(JSON.stringify(out));
