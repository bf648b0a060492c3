import * as ss from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import {
  EntropyWindowAccumulator,
  entropyWindows,
  seriesPerWindow,
  type TelemetryMetricSeries,
  telemetryRelation,
} from '../src/analyze/entropy-over-time.js';
import { mostCommonValue } from '../src/analyze/sp800-90b/most-common-value.js';
import { spearman } from '../src/analyze/stats/spearman.js';
import { shaBytes } from './stats-helpers.js';

describe('entropy over time', () => {
  it('count windows: MCV of each slice; chunked streaming gives the same windows', () => {
    const b = shaBytes(25_000, 'w');
    const w = entropyWindows(b, null, { by: 'count', samples: 10_000 });
    expect(w.map((x) => x.n)).toEqual([10_000, 10_000, 5000]);
    expect(w[1].minEntropy).toBe(mostCommonValue(b.subarray(10_000, 20_000)).hMin);
    const acc = new EntropyWindowAccumulator({ by: 'count', samples: 10_000 });
    for (let o = 0; o < b.length; o += 3333) acc.push(b.subarray(o, Math.min(b.length, o + 3333)));
    expect(acc.finish()).toEqual(w);
  });

  it('time windows follow the recorded times', () => {
    const b = shaBytes(100, 't');
    const times = Float64Array.from({ length: 100 }, (_, i) => 1000 + i * 0.1);
    const w = entropyWindows(b, times, { by: 'time', seconds: 1 });
    expect(w).toHaveLength(10);
    expect(w.every((x) => x.n === 10)).toBe(true);
    expect(w[3].start).toBeCloseTo(1003, 9);
  });

  it('Spearman ρ agrees with simple-statistics, with ties', () => {
    const x = [1, 2, 2, 3, 5, 8, 8, 8, 13, 1];
    const y = [2, 1, 4, 3, 7, 9, 6, 9, 10, 0];
    expect(spearman(x, y)?.rho).toBeCloseTo(ss.sampleRankCorrelation(x, y), 12);
    // p from t = ρ√((n−2)/(1−ρ²)) on n − 2 df: check against the t distribution's closed form for 2 df,
    // P(|T| ≥ t) = 1 − t/√(2 + t²)
    const r = spearman([1, 2, 3, 4], [1, 3, 2, 4]); // ρ = 0.8
    const t = 0.8 * Math.sqrt(2 / (1 - 0.64));
    expect(r?.rho).toBeCloseTo(0.8, 12);
    expect(r?.pValue).toBeCloseTo(1 - t / Math.sqrt(2 + t * t), 12);
    expect(spearman([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])).toBeNull();
  });

  it('relates window min-entropy to telemetry series by time, with BH and headlines', () => {
    // 20 windows, 1 s each, min-entropy rising over time
    const windows = Array.from({ length: 20 }, (_, i) => ({
      index: i,
      start: i,
      end: i + 0.999,
      n: 1000,
      minEntropy: 5 + i * 0.1,
    }));
    const mk = (domain: string, name: string, v: (t: number) => number, kind = 'gauge'): TelemetryMetricSeries => {
      const t = Float64Array.from({ length: 40 }, (_, k) => k * 0.5);
      return {
        domain,
        name,
        unit: 'u',
        source: 'procfs',
        kind,
        measure: kind === 'counter' ? 'rate' : 'value',
        t,
        v: Float64Array.from(t, v),
      };
    };
    const load = mk('scheduling', 'loadavg_1m', (t) => 10 - t); // falls while min-entropy rises
    const noise = mk('memory', 'available_bytes', (t) => Number(shaBytes(1, `n${t}`)[0]));
    const flat = mk('frequency', 'cpu_hz_avg', () => 2e9);
    const per = seriesPerWindow(load, windows);
    expect(per[0]).toBeCloseTo((10 + 9.5) / 2, 12); // points at t = 0 and 0.5 fall inside [0, 0.999]
    const rel = telemetryRelation(windows, [flat, noise, load]);
    expect(rel.headline.load.series).toBe('scheduling/loadavg_1m (procfs)');
    expect(rel.headline.load.result?.rho).toBeCloseTo(-1, 12);
    expect(rel.headline.load.result?.qValue).toBeLessThan(1e-6);
    expect(rel.headline.frequency.result).toBeNull();
    expect(rel.headline.frequency.reason).toContain('constant');
    expect(rel.headline.temperature.reason).toBe('not recorded in this session');
    expect(rel.headline.memory_pressure.series).toBe('memory/available_bytes (procfs)');
    expect(rel.untested.map((u) => u.series)).toEqual(['frequency/cpu_hz_avg (procfs)']);
    expect(rel.excludedShortWindows).toBe(0);
    // an edge window with few samples (biased-low MCV) is left out of the correlation
    const withEdge = [...windows, { index: 20, start: 20, end: 20.1, n: 10, minEntropy: 0.5 }];
    const rel2 = telemetryRelation(withEdge, [load]);
    expect(rel2.excludedShortWindows).toBe(1);
    expect(rel2.headline.load.result?.n).toBe(20);
  });
});
