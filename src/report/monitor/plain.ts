/** Plain-text rendering of monitor frames, for when stdout is not a terminal (logs, pipes, CI). */

import type { TelemetrySnapshot } from '../../collect/telemetry/index.js';
import type { MonitorFrame } from '../../jobs/monitor.js';

/** One line per source for a frame, prefixed with the tick and an ISO time, tab-separated fields. */
export function frameLines(frame: MonitorFrame): string[] {
  const at = frame.at.toISOString();
  return frame.sources.map((s) =>
    s.health === 'unavailable'
      ? `${at}\ttick=${frame.tick}\t${s.name}\tunavailable\t${s.reason ?? ''}`
      : `${at}\ttick=${frame.tick}\t${s.name}\t${s.health}\tmin_entropy=${s.minEntropy.toFixed(3)}\tshannon=${s.shannon.toFixed(3)}\trate=${s.rate.toFixed(0)}/s\ttotal=${s.total}${s.reason ? `\t${s.reason}` : ''}`,
  );
}

/** A one-line summary of the host's state from a telemetry_v1 snapshot (only what was readable). */
export function telemetryLine(t: TelemetrySnapshot): string {
  const parts: string[] = [];
  if (t.loadavg_1m !== null) parts.push(`load ${t.loadavg_1m.toFixed(2)}`);
  const find = (pred: (d: string, n: string) => boolean) => t.metrics.find((m) => pred(m.domain, m.name));
  const avail = find((d, n) => d === 'memory' && /available/.test(n));
  if (avail) parts.push(`mem available ${(avail.value / 1024 ** (avail.unit === 'bytes' ? 3 : 2)).toFixed(1)} GiB`);
  const freq = find((d, n) => d === 'frequency' || /freq/.test(n));
  if (freq) parts.push(`freq ${freq.value} ${freq.unit}`);
  const temp = find((d) => d === 'thermal' || d === 'temperature');
  if (temp) parts.push(`temp ${temp.value} ${temp.unit}`);
  return `telemetry: ${parts.length > 0 ? parts.join(' · ') : 'nothing readable'}`;
}
