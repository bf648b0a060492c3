/**
 * A session's recorded telemetry for the plots beside its min-entropy over time: the headline series
 * (load, CPU frequency, temperature, memory pressure, as the analysis's telemetry relation picks them),
 * averaged by DuckDB into at most MAX_POINTS time buckets per series, so an hour-long session costs the
 * page a few hundred points per series.
 */
import { listParts, tableRelation } from '../../collect/session/index.js';
import { queryColumns } from '../../db/index.js';
import type { TelemetryPlotSeries } from '../api-types.js';

export const MAX_POINTS = 300;

/** Series plotted by default: the candidates of the analysis's four headline quantities. */
const HEADLINE_SQL = `(domain = 'scheduling' AND name = 'loadavg_1m') OR (domain = 'pressure' AND name IN
  ('cpu_some_avg10', 'memory_some_avg10')) OR (domain = 'frequency' AND name = 'cpu_hz_avg') OR
  (domain = 'thermal' AND unit = 'C') OR (domain = 'memory' AND name = 'available_bytes')`;

export async function telemetryForPlot(dir: string): Promise<TelemetryPlotSeries[]> {
  if (listParts(dir).every((p) => p.table !== 'telemetry')) return [];
  const rel = tableRelation(dir, 'telemetry');
  const r = await queryColumns(
    `WITH s AS (SELECT * FROM ${rel} WHERE ${HEADLINE_SQL}),
          b AS (SELECT epoch_us(min(t)) AS t0, greatest(1, epoch_us(max(t)) - epoch_us(min(t))) AS span FROM s)
     SELECT domain, name, source, unit, any_value(kind) AS kind,
            least(${MAX_POINTS - 1}, floor((epoch_us(t) - b.t0) * ${MAX_POINTS} / b.span))::BIGINT AS k,
            avg(epoch_us(t)) / 1e6 AS ts,
            avg(CASE WHEN kind = 'counter' THEN rate ELSE value END) AS v
       FROM s, b GROUP BY domain, name, source, unit, k ORDER BY domain, name, source, unit, k`,
  );
  const c = r.columns;
  const out = new Map<string, TelemetryPlotSeries>();
  for (let i = 0; i < r.rowCount; i++) {
    const domain = (c.domain as string[])[i];
    const name = (c.name as string[])[i];
    const source = (c.source as string[])[i];
    const unit = (c.unit as string[])[i];
    const key = `${domain}\u0000${name}\u0000${source}\u0000${unit}`;
    let s = out.get(key);
    if (!s) {
      const measure = (c.kind as string[])[i] === 'counter' ? 'rate' : 'value';
      s = { domain, name, source, unit, measure, t: [], v: [] };
      out.set(key, s);
    }
    const v = (c.v as Float64Array)[i];
    s.t.push((c.ts as Float64Array)[i]);
    s.v.push(Number.isFinite(v) ? v : null);
  }
  return [...out.values()];
}
