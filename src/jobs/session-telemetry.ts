/**
 * A recorded session's telemetry for the session-analysis job, streamed one series at a time: the
 * telemetry table grows by ~5,700 rows a recorded minute (95 metrics once a second), so it is never held
 * whole. Each series is read in time order, in chunks, and joined to every source's entropy windows as it
 * passes (WindowLevels: a sum and a count per window), so memory is bounded by the windows (≤ 200 per
 * source), whatever the session's length.
 */
import {
  type EntropyWindow,
  type TelemetryRelation,
  type TelemetrySeriesMeta,
  telemetryRelationOfLevels,
  WindowLevels,
} from '../analyze/entropy-over-time.js';
import { tableRelation } from '../collect/session/reader.js';
import { queryColumns, streamColumns } from '../db/index.js';

/** A session's telemetry series (what they are), whose points are read when the windows are known. */
export interface StreamedTelemetry {
  kind: 'streamed';
  dir: string;
  /** In (domain, name, source, unit) order, as telemetrySeries orders them. */
  series: TelemetrySeriesMeta[];
}

/** Telemetry rows read per query chunk. */
const TELEMETRY_CHUNK_ROWS = 16_384;

const KEY = ['domain', 'name', 'source', 'unit'] as const;

/**
 * The session's telemetry series: one row per (domain, name, source, unit), its kind that of its first
 * point (a counter is studied by its rate, a gauge by its value).
 */
export async function streamedTelemetry(dir: string): Promise<StreamedTelemetry> {
  const r = await queryColumns(
    `SELECT domain, name, source, unit, arg_min(kind, t) AS kind FROM ${tableRelation(dir, 'telemetry')} GROUP BY ALL`,
  );
  const c = r.columns as Record<(typeof KEY)[number] | 'kind', string[]>;
  const key = (i: number) => `${c.domain[i]}\u0000${c.name[i]}\u0000${c.source[i]}\u0000${c.unit[i]}`;
  const order = Array.from({ length: r.rowCount }, (_, i) => i).sort((a, b) =>
    key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0,
  );
  return {
    kind: 'streamed',
    dir,
    series: order.map((i) => ({
      domain: c.domain[i],
      name: c.name[i],
      unit: c.unit[i],
      source: c.source[i],
      kind: c.kind[i],
      measure: c.kind[i] === 'counter' ? 'rate' : 'value',
    })),
  };
}

/** One series' finite points in time order (t: seconds since the epoch), chunk by chunk. */
async function* seriesPoints(
  dir: string,
  s: TelemetrySeriesMeta,
): AsyncGenerator<{ t: Float64Array; v: Float64Array; count: number }> {
  const where = KEY.map((k, i) => `${k} IS NOT DISTINCT FROM $${i + 1}`).join(' AND ');
  const sql = `SELECT epoch_us(t) AS t, CASE WHEN kind = 'counter' THEN rate ELSE value END AS v
                 FROM ${tableRelation(dir, 'telemetry')} WHERE ${where} ORDER BY t`;
  const t = new Float64Array(TELEMETRY_CHUNK_ROWS);
  const v = new Float64Array(TELEMETRY_CHUNK_ROWS);
  for await (const c of streamColumns(sql, [s.domain, s.name, s.source, s.unit], {
    chunkRows: TELEMETRY_CHUNK_ROWS,
  })) {
    const ts = c.columns.t as BigInt64Array;
    const vs = c.columns.v as Float64Array;
    for (let i = 0; i < c.rowCount; ) {
      let count = 0;
      for (; i < c.rowCount && count < t.length; i++) {
        if (!Number.isFinite(vs[i])) continue;
        t[count] = Number(ts[i]) / 1e6;
        v[count++] = vs[i];
      }
      yield { t, v, count };
    }
  }
}

/**
 * The telemetry relation of each source's windows (in the order given; null where a source has no
 * windows), every series read once and joined to all sources' windows as it streams past.
 */
export async function streamedTelemetryRelations(
  telemetry: StreamedTelemetry,
  windowsPerSource: (EntropyWindow[] | null)[],
): Promise<(TelemetryRelation | null)[]> {
  const levels: { series: TelemetrySeriesMeta; level: Float64Array }[][] = windowsPerSource.map(() => []);
  for (const s of telemetry.series) {
    const joins = windowsPerSource.map((w) => (w ? new WindowLevels(w) : null));
    for await (const p of seriesPoints(telemetry.dir, s)) for (const j of joins) j?.push(p.t, p.v, p.count);
    joins.forEach((j, k) => {
      if (j) levels[k].push({ series: s, level: j.finish() });
    });
  }
  return windowsPerSource.map((w, k) => (w ? telemetryRelationOfLevels(w, levels[k]) : null));
}
