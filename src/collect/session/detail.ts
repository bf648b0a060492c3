import { OeError } from '../../errors.js';
import type { SessionManifest } from './manifest.js';
import { openSession, type TelemetrySummaryRow, telemetrySummaryRows } from './reader.js';
import { countSamplesOnDisk, type DisplayStatus, displayStatus } from './store.js';

/**
 * One metric of a session's telemetry summary (schemas/sessions.schema.json#/$defs/telemetry_metric):
 * a TelemetrySummaryRow with the JSON's name for the mean rate.
 */
export type TelemetryMetricSummary = Omit<TelemetrySummaryRow, 'meanRate'> & { mean_rate: number | null };

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
  const telemetry: TelemetryMetricSummary[] = (await telemetrySummaryRows(dir)).map(({ meanRate, ...metric }) => ({
    ...metric,
    mean_rate: meanRate,
  }));
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
