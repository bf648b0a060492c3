import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessCommand } from '../src/cli/commands/assess.js';
import { lowByte } from '../src/collect/extract.js';
import { recordSession } from '../src/collect/recorder/index.js';
import type { Sampler } from '../src/collect/sampler.js';
import type { SourceSpec } from '../src/collect/types.js';

const FIX = join(import.meta.dirname, 'fixtures', 'sp800-90b');

describe('oe assess --session/--source', () => {
  it('assesses a recorded source’s byte stream: NIST’s value for the same bytes', { timeout: 120_000 }, async () => {
    // a session whose one source replays NIST's rand4_short samples as the low byte of its values
    const bytes = new Uint8Array(readFileSync(join(FIX, 'rand4_short.bin')));
    let pos = 0;
    const sampler: Sampler = {
      async sample(spec, n) {
        const values = new BigInt64Array(n);
        for (let i = 0; i < n; i++)
          values[i] = BigInt(1000 + bytes[(pos + i) % bytes.length]) * 256n + BigInt(bytes[(pos + i) % bytes.length]);
        pos += n;
        const now = BigInt(Date.now()) * 1_000_000n;
        return { source: spec.name, values, unit: 'tsc' as const, startNs: now, endNs: now + 1_000_000n };
      },
    };
    const spec: SourceSpec = {
      name: 'replay',
      category: 'timing',
      kind: 'physical',
      description: 'replays a fixture (test only)',
      physics: 'none: test data',
      requirements: [],
      fast: true,
      sampler: 'test',
      batchSize: 4096,
      credit: 0,
      extract: lowByte,
    };
    const dir = mkdtempSync(join(tmpdir(), 'oe-assess-session-'));
    const r = await recordSession({
      sources: [spec],
      output: dir,
      id: 's1',
      maxSamples: bytes.length,
      maxRate: Number.POSITIVE_INFINITY,
      telemetryIntervalMs: 0,
      sampler,
      skipProbe: true,
    });
    expect(r.manifest.total_samples).toBe(bytes.length);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((s: string) => {
      out.push(String(s));
      return true;
    }) as typeof process.stdout.write;
    try {
      await (assessCommand.handler as (a: unknown) => Promise<void>)({
        session: 's1',
        source: 'replay',
        dir,
        iid: false,
        json: true,
        threads: 1,
      });
    } finally {
      process.stdout.write = write;
    }
    const doc = JSON.parse(out.join(''));
    expect(doc.input).toMatchObject({ session: 's1', source: 'replay', samples: bytes.length });
    expect(Math.abs(doc.hAssessed - 3.2154882678767365)).toBeLessThan(1e-6);
  });
});
