import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { getSource } from '../src/collect/catalog.js';
import {
  incompressible,
  MIN_GAIN_RATIO,
  MIN_PROBE_VALUES,
  PartEncoding,
  PROBE_EVERY,
} from '../src/collect/recorder/encoding.js';
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
  it('holds when the value column takes at least MIN_GAIN_RATIO of what it would take plain', () => {
    const sizes = (value: ReturnType<typeof col>): ParquetColumnSizes => ({
      columns: { value, byte: col(500, 1000, true), seq: col(50, 60), batch: col(20, 15, true) },
    });
    // DELTA_BINARY_PACKED (no dictionary): plain is the same encoding uncompressed.
    expect(incompressible(sizes(col(8000, 8000)))).toBe(true);
    const atLine = Math.ceil(MIN_GAIN_RATIO * 8000);
    expect(incompressible(sizes(col(atLine, 8000)))).toBe(true);
    expect(incompressible(sizes(col(atLine - 1, 8000)))).toBe(false);
    expect(incompressible(sizes(col(2000, 2500)))).toBe(false);
    // A dictionary: plain takes about 8 bytes per value. Few distinct values (a timing source) stay compressed.
    expect(incompressible(sizes(col(1200, 1500, true)))).toBe(false);
    // A dictionary of distinct values (a small part of a random source): the values whole, the counter-like
    // indices shrunk by zstd.
    expect(incompressible(sizes(col(8050, 9300, true)))).toBe(true);
    expect(incompressible(sizes(col(atLine - 1, 9300, true)))).toBe(false);
    expect(incompressible({ columns: { byte: col(10, 10) } })).toBe(false);
    expect(
      incompressible({ columns: { value: { values: 0, compressed: 0, uncompressed: 0, dictionary: false } } }),
    ).toBe(false);
  });
});

describe('PartEncoding', () => {
  const sized = (values: number, compressed: number, dictionary: boolean): ParquetColumnSizes => ({
    columns: { value: { values, compressed, uncompressed: 8 * values, dictionary } },
  });
  const random = sized(MIN_PROBE_VALUES, 8 * MIN_PROBE_VALUES, false);
  const timing = sized(MIN_PROBE_VALUES, MIN_PROBE_VALUES / 10, true);

  it('probes the first part and every PROBE_EVERY-th after it, and follows what the last probe showed', () => {
    const e = new PartEncoding();
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

  it('probes again at the next part while a probe holds fewer than MIN_PROBE_VALUES values', () => {
    const e = new PartEncoding();
    const small = sized(MIN_PROBE_VALUES - 1, 8 * (MIN_PROBE_VALUES - 1), false);
    for (let i = 0; i < 3; i++) {
      expect(e.next()).toEqual({ plain: false, probe: true });
      e.learn(small);
    }
    expect(e.next()).toEqual({ plain: false, probe: true });
    e.learn(random);
    for (let i = 1; i < PROBE_EVERY; i++) expect(e.next()).toEqual({ plain: true, probe: false });
    expect(e.next().probe).toBe(true);
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
    // Probes (zstd) until one holds MIN_PROBE_VALUES values, then plain parts, and every PROBE_EVERY-th a probe.
    const random = [...(await codecs(dir, 'getrandom')).entries()];
    const firstPlain = random.findIndex(([, z]) => z === 'UNCOMPRESSED');
    expect(firstPlain).toBeGreaterThan(0);
    expect(firstPlain).toBeLessThan(5);
    expect(random.length).toBeGreaterThan(firstPlain + PROBE_EVERY);
    random.forEach(([part, z], n) => {
      const probe = n < firstPlain || (n - (firstPlain - 1)) % PROBE_EVERY === 0;
      expect(`${part} ${z}`).toBe(`${part} ${probe ? 'ZSTD' : 'UNCOMPRESSED'}`);
    });
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
