import { OeError } from '../../errors.js';
import type { SessionManifest } from './manifest.js';
import { openSession, telemetrySummary } from './reader.js';
import { countSamplesOnDisk, type DisplayStatus, displayStatus } from './store.js';

/** One metric of a session's telemetry summary (schemas/sessions.schema.json#/$defs/telemetry_metric). */
export interface TelemetryMetricSummary {
  domain: string;
  name: string;
  unit: string;
  source: string;
  kind: string;
  n: number;
  first: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  /** Mean rate per second of a counter; null for gauges. */
  mean_rate: number | null;
}

/** `oe sessions <id> --json` (schemas/sessions.schema.json#/$defs/session). */
export interface SessionDetail {
  kind: 'session';
  id: string;
  status: Exclude<DisplayStatus, 'unreadable'>;
  samples_on_disk: number;
  verified: boolean;
  manifest: SessionManifest;
  telemetry_summary: TelemetryMetricSummary[];
}

/**
 * One session as `oe sessions <id> --json` prints it: the manifest, its display status, the samples on
 * disk (counted from the parts while it is recording) and a per-metric telemetry summary.
 */
export async function sessionDetail(dir: string, options: { verify?: boolean } = {}): Promise<SessionDetail> {
  const { manifest: m } = openSession(dir, { verify: options.verify ?? false });
  const status = displayStatus(m);
  if (status === 'unreadable') throw new OeError('BAD_INPUT', `${dir}: unreadable session`);
  const samplesOnDisk = m.status === 'recording' ? await countSamplesOnDisk(dir) : m.total_samples;
  const tel = await telemetrySummary(dir);
  const c = tel?.columns;
  const telemetry: TelemetryMetricSummary[] =
    tel && c
      ? Array.from({ length: tel.rowCount }, (_, i) => ({
          domain: (c.domain as string[])[i],
          name: (c.name as string[])[i],
          unit: (c.unit as string[])[i],
          source: (c.source as string[])[i],
          kind: (c.kind as string[])[i],
          n: Number((c.n as BigInt64Array)[i]),
          first: (c.first as Float64Array)[i],
          last: (c.last as Float64Array)[i],
          min: (c.min as Float64Array)[i],
          max: (c.max as Float64Array)[i],
          mean: (c.mean as Float64Array)[i],
          mean_rate: Number.isNaN((c.mean_rate as Float64Array)[i]) ? null : (c.mean_rate as Float64Array)[i],
        }))
      : [];
  return {
    kind: 'session',
    id: m.id,
    status,
    samples_on_disk: samplesOnDisk,
    verified: options.verify ?? false,
    manifest: m,
    telemetry_summary: telemetry,
  };
}
