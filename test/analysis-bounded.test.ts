import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EntropyWindow,
  type TelemetryMetricSeries,
  telemetryRelation,
  telemetrySeries,
  WindowLevels,
} from '../src/analyze/entropy-over-time.js';
import { readTelemetry, tableRelation } from '../src/collect/session/reader.js';
import type { TelemetryColumns } from '../src/contracts/telemetry.js';
import { queryColumns, writeParquet } from '../src/db/index.js';
import { analyzeSession } from '../src/jobs/session-analysis.js';
import { streamedTelemetry, streamedTelemetryRelations } from '../src/jobs/session-telemetry.js';
import { BatchTimesCursor, readBatchTimesSummary, sampleTime } from '../src/jobs/session-times.js';
import { recordTestSession, uniformGen } from './analysis-helpers.js';
import { shaBytes } from './stats-helpers.js';

/**
 * The time join as it was defined over a series held whole (binary search for the first point at or
 * after the window's start): the reference the streamed WindowLevels must reproduce exactly.
 */
function levelsByBinarySearch(t: Float64Array, v: Float64Array, windows: EntropyWindow[]): Float64Array {
  const out = new Float64Array(windows.length).fill(Number.NaN);
  windows.forEach((w, k) => {
    if (w.start === null || w.end === null) return;
    let lo = 0;
    let hi = t.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (t[mid] < w.start) lo = mid + 1;
      else hi = mid;
    }
    let sum = 0;
    let n = 0;
    for (let i = lo; i < t.length && t[i] <= w.end; i++) {
      sum += v[i];
      n++;
    }
    if (n > 0) out[k] = sum / n;
    else if (lo > 0) out[k] = v[lo - 1];
  });
  return out;
}

describe('time join of telemetry to windows, streamed', () => {
  it('equals the join over the whole series, pushed in any chunking, including windows without points', () => {
    const r = shaBytes(4000, 'levels');
    // 500 points with uneven gaps and some ties, values from the hash
    const t = new Float64Array(500);
    for (let i = 1; i < t.length; i++) t[i] = t[i - 1] + (r[i] % 7 === 0 ? 0 : r[i] / 64);
    const v = Float64Array.from(t, (_, i) => r[1000 + i] - 128 + r[2000 + i] / 256);
    // windows: before the first point, between points, touching ends, after the last point, and unknown
    const windows: EntropyWindow[] = [];
    const span = t[t.length - 1];
    for (let k = 0; k < 60; k++) {
      const start = -3 + (k * (span + 6)) / 60;
      windows.push({ index: k, start, end: start + ((span + 6) / 60) * (r[3000 + k] / 255), n: 100, minEntropy: 7 });
    }
    windows.push({ index: 60, start: t[10], end: t[10], n: 1, minEntropy: null });
    windows.push({ index: 61, start: null, end: null, n: 5, minEntropy: 7 });
    const want = levelsByBinarySearch(t, v, windows);
    expect(want.some(Number.isNaN)).toBe(true);
    for (const size of [1, 7, 64, 500]) {
      const j = new WindowLevels(windows);
      for (let i = 0; i < t.length; i += size) j.push(t.subarray(i, i + size), v.subarray(i, i + size));
      expect(Array.from(j.finish())).toEqual(Array.from(want));
    }
    const j = new WindowLevels(windows);
    j.push(Float64Array.of(5), Float64Array.of(1));
    expect(() => j.push(Float64Array.of(4), Float64Array.of(1))).toThrow(/time order/);
  });
});

let root: string;
let dir: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'oe-analysis-bounded-'));
  dir = await recordTestSession(
    root,
    'bounded',
    { a: uniformGen(11n), b: uniformGen(12n), c: uniformGen(13n) },
    { maxSamples: 30_000, telemetryIntervalMs: 50 },
  );
}, 120_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('session analysis reads batch rows and telemetry as they stream', () => {
  it('the batch cursor gives each batch the row a map of all rows gives, in and out of order', async () => {
    const all = await queryColumns(
      `SELECT batch, seq_start, n, start_ns, end_ns FROM ${tableRelation(dir, 'batches')} WHERE source = 'a' ORDER BY batch`,
    );
    expect(all.rowCount).toBeGreaterThan(3);
    const sum = await readBatchTimesSummary(dir, 'a');
    if (!sum) throw new Error('no batch rows');
    const ids = Array.from(all.columns.batch as BigInt64Array, Number);
    const start = (i: number) => Number((all.columns.start_ns as BigInt64Array)[i] - sum.originNs) / 1e9;
    expect(sum.rows).toBe(all.rowCount);
    expect(sum.covered).toBe(30_000);
    const row = (i: number) => ({
      seqStart: Number((all.columns.seq_start as BigInt64Array)[i]),
      n: (all.columns.n as Int32Array)[i],
      start: start(i),
      end: Number((all.columns.end_ns as BigInt64Array)[i] - sum.originNs) / 1e9,
    });
    const last = row(all.rowCount - 1);
    expect(sum.span).toEqual([sampleTime(row(0), 0), sampleTime(last, last.n - 1)]);
    const cursor = new BatchTimesCursor(dir, 'a', sum.originNs);
    try {
      for (const [lo, hi] of [
        [ids[0], ids[1]],
        [ids[2], ids[ids.length - 1]],
        [ids[1], ids[1]], // back below what was dropped: the stream restarts
        [ids[ids.length - 1] + 5, ids[ids.length - 1] + 9], // past the last row
      ]) {
        await cursor.cover(lo, hi);
        for (let i = 0; i < ids.length; i++) {
          if (ids[i] < lo || ids[i] > hi) continue;
          expect(cursor.get(ids[i])?.start).toBe(start(i));
          expect(cursor.get(ids[i])?.seqStart).toBe(Number((all.columns.seq_start as BigInt64Array)[i]));
        }
      }
      expect(cursor.get(ids[ids.length - 1] + 6)).toBeUndefined();
      expect(cursor.resorted).toBe(false); // the recorder stores them in batch order
    } finally {
      await cursor.close();
    }
  }, 60_000);

  it('batch rows stored out of batch order are read sorted, the same rows', async () => {
    const at = join(root, 'shuffled');
    mkdirSync(join(at, 'batches'), { recursive: true });
    const ids = [0, 1, 2, 5, 3, 4];
    await writeParquet(join(at, 'batches', 'part-00000.parquet'), [
      { name: 'source', type: 'VARCHAR', data: ids.map(() => 'x') },
      { name: 'batch', type: 'BIGINT', data: BigInt64Array.from(ids, BigInt) },
      { name: 'seq_start', type: 'BIGINT', data: BigInt64Array.from(ids, (i) => BigInt(i * 10)) },
      { name: 'n', type: 'INTEGER', data: Int32Array.from(ids, () => 10) },
      { name: 'start_ns', type: 'BIGINT', data: BigInt64Array.from(ids, (i) => BigInt(i) * 1_000_000_000n) },
      { name: 'end_ns', type: 'BIGINT', data: BigInt64Array.from(ids, (i) => BigInt(i) * 1_000_000_000n + 500n) },
    ]);
    const cursor = new BatchTimesCursor(at, 'x', 0n);
    try {
      await cursor.cover(0, 1);
      expect(cursor.get(1)?.seqStart).toBe(10);
      await cursor.cover(2, 5);
      for (const id of [2, 3, 4, 5]) expect(cursor.get(id)?.start).toBe(id);
      expect(cursor.get(1)).toBeUndefined(); // dropped: below the chunk's lowest batch
      expect(cursor.resorted).toBe(true);
    } finally {
      await cursor.close();
    }
  }, 60_000);

  it("the streamed telemetry join gives the relation of the whole series held in memory, in the analysis's JSON", async () => {
    const a = await analyzeSession(dir, { dependence: false });
    const t = await readTelemetry(dir);
    expect(t.rowCount).toBeGreaterThan(20);
    const whole: TelemetryMetricSeries[] = telemetrySeries({
      rowCount: t.rowCount,
      columns: t.columns as unknown as TelemetryColumns,
    });
    const streamed = await streamedTelemetry(dir);
    expect(streamed.series).toEqual(whole.map(({ t: _t, v: _v, ...meta }) => meta));
    const eot = a.experimental.entropy_over_time;
    expect(eot.map((e) => e.source)).toEqual(['a', 'b', 'c']);
    expect(eot[0].window.by).toBe('time');
    const rel = await streamedTelemetryRelations(
      streamed,
      eot.map((e) => e.windows),
    );
    eot.forEach((e, k) => {
      expect(e.telemetry).toEqual(telemetryRelation(e.windows, whole));
      expect(rel[k]).toEqual(e.telemetry);
    });
  }, 60_000);
});
