import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import { incompressible, MIN_GAIN_RATIO, PartEncoding, PROBE_EVERY } from '../src/collect/recorder/encoding.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { readSourceSamples } from '../src/collect/session/index.js';
import { closeDb, type ParquetColumnSizes, queryColumns, sqlString } from '../src/db/index.js';

const root = mkdtempSync(join(tmpdir(), 'oe-enc-'));
afterAll(async () => {
  await closeDb();
  rmSync(root, { recursive: true, force: true });
});

/** A column of 1000 values. */
const col = (compressed: number, uncompressed: number, dictionary = false) => ({
  values: 1000,
  compressed,
  uncompressed,
  dictionary,
});

describe('incompressible', () => {
  it('holds when zstd saved under 5 % and the value column is DELTA or a dictionary of values that hardly repeat', () => {
    const sizes = (value: ReturnType<typeof col>): ParquetColumnSizes => ({
      columns: { value, byte: col(1000, 1000, true), seq: col(50, 60), batch: col(20, 15, true) },
    });
    expect(incompressible(sizes(col(8000, 8000)))).toBe(true);
    // Just at the line: stored = MIN_GAIN_RATIO × raw.
    const raw = 8000 + 1000 + 60 + 15;
    const atLine = Math.ceil(MIN_GAIN_RATIO * raw) - (1000 + 50 + 20);
    expect(incompressible(sizes(col(atLine, 8000)))).toBe(true);
    expect(incompressible(sizes(col(atLine - 1, 8000)))).toBe(false);
    // A dictionary that brought the values under 8 bytes each (few distinct values): plain could be larger.
    expect(incompressible(sizes(col(1200, 1200, true)))).toBe(false);
    expect(incompressible(sizes(col(7999, 7999, true)))).toBe(false);
    // A dictionary of distinct values (a small part of a random source): 8 bytes each and the indices.
    expect(incompressible(sizes(col(9300, 9300, true)))).toBe(true);
    expect(incompressible({ columns: { byte: col(10, 10) } })).toBe(false);
    expect(
      incompressible({ columns: { value: { values: 0, compressed: 0, uncompressed: 0, dictionary: false } } }),
    ).toBe(false);
  });
});

describe('PartEncoding', () => {
  it('probes the first part and every PROBE_EVERY-th after it, and follows what the last probe showed', () => {
    const e = new PartEncoding();
    const random: ParquetColumnSizes = { columns: { value: col(8000, 8000) } };
    const timing: ParquetColumnSizes = { columns: { value: col(100, 800, true) } };
    const seen: string[] = [];
    for (let i = 0; i < 2 * PROBE_EVERY + 2; i++) {
      const n = e.next();
      seen.push(n.probe ? 'probe' : n.plain ? 'plain' : 'zstd');
      if (n.probe) e.learn(i < PROBE_EVERY ? random : timing);
    }
    expect(seen[0]).toBe('probe');
    expect(seen.slice(1, PROBE_EVERY)).toEqual(new Array(PROBE_EVERY - 1).fill('plain'));
    expect(seen[PROBE_EVERY]).toBe('probe');
    expect(seen.slice(PROBE_EVERY + 1, 2 * PROBE_EVERY)).toEqual(new Array(PROBE_EVERY - 1).fill('zstd'));
    expect(seen[2 * PROBE_EVERY]).toBe('probe');
  });
});

describe('the recorder writes a random source plain and a timing source with zstd', () => {
  /** Per part file of a source: its codecs. */
  async function codecs(dir: string, source: string): Promise<Map<string, string>> {
    const c = (
      await queryColumns(
        `SELECT regexp_extract(file_name, 'part-[0-9-]+') AS part, string_agg(DISTINCT compression, ',' ORDER BY compression) AS z
         FROM parquet_metadata(${sqlString(join(dir, 'samples', `source=${source}`, '*.parquet'))}) GROUP BY ALL ORDER BY part`,
      )
    ).columns;
    return new Map((c.part as string[]).map((p, i) => [p, (c.z as string[])[i]]));
  }

  it('adaptive (default): getrandom plain between probes, clock_jitter always zstd, every row read back', async () => {
    const { manifest, dir } = await recordSession({
      sources: [getSource('getrandom'), getSource('clock_jitter')],
      output: root,
      durationSec: 30,
      maxSamples: 300_000,
      maxRate: 60_000,
      flushIntervalMs: 15,
      mergeIntervalMs: 0,
      telemetryIntervalMs: 0,
    });
    expect(manifest.status).toBe('complete');
    const random = await codecs(dir, 'getrandom');
    expect(random.size).toBeGreaterThan(PROBE_EVERY + 1);
    for (const [part, z] of random) {
      const n = Number(part.slice(5));
      expect(`${part} ${z}`).toBe(`${part} ${n % PROBE_EVERY === 0 ? 'ZSTD' : 'UNCOMPRESSED'}`);
    }
    expect(new Set((await codecs(dir, 'clock_jitter')).values())).toEqual(new Set(['ZSTD']));
    for (const source of ['getrandom', 'clock_jitter']) {
      const s = await readSourceSamples(dir, source);
      expect(s.value?.length).toBe(300_000);
      expect(s.seq).toEqual(BigInt64Array.from({ length: 300_000 }, (_, i) => BigInt(i)));
    }
  });

  it("partEncoding 'compressed' writes every part with zstd; a wrong value is a usage error", async () => {
    const { dir } = await recordSession({
      sources: [getSource('getrandom')],
      output: root,
      maxSamples: 5000,
      maxRate: 20_000,
      flushIntervalMs: 20,
      mergeIntervalMs: 0,
      telemetryIntervalMs: 0,
      partEncoding: 'compressed',
    });
    expect(new Set((await codecs(dir, 'getrandom')).values())).toEqual(new Set(['ZSTD']));
    await expect(
      recordSession({
        sources: [getSource('getrandom')],
        output: root,
        maxSamples: 10,
        partEncoding: 'zip' as 'compressed',
      }),
    ).rejects.toThrow(/partEncoding must be 'adaptive' or 'compressed', got zip/);
  });
});
