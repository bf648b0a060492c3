import { afterAll, describe, expect, it } from 'vitest';
import { analysisDocument } from '../src/analyze/source-analysis.js';
import { getSource } from '../src/collect/catalog.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { assertSchema } from '../src/contracts/schema.js';
import { analyzeLive } from '../src/jobs/live-analysis.js';
import { analysisJsonData } from '../src/report/analysis-json.js';

afterAll(async () => {
  await closeSharedSamplerPool();
});

describe('oe analyze: live sampling through the sampler pool', () => {
  it('samples a reference source and a timing source now, with telemetry snapshots, and analyses them', async () => {
    const specs = [getSource('getrandom'), getSource('clock_jitter')];
    const a = await analyzeLive(specs, {
      samples: 8192,
      entropy: 'mcv',
      telemetryIntervalMs: 100,
      dependence: { correlationShifts: 199, miShifts: 9 },
    });
    const by = Object.fromEntries(a.standard.sources.map((s) => [s.name, s]));
    expect(by.getrandom.samples).toBe(8192);
    // getrandom is the kernel CSPRNG: uniform bytes, no structure at this n
    expect(by.getrandom.verdict?.verdict).toBe('GOOD');
    expect(by.clock_jitter.samples).toBe(8192);
    const dep = a.standard.dependence;
    expect(dep && 'pairs' in dep && dep.pairs).toHaveLength(1);
    expect(a.experimental.telemetry_v1?.elapsed_ms).toBeGreaterThanOrEqual(0);
    assertSchema('analysis', analysisJsonData(analysisDocument([a], {})));
  }, 120_000);
});
