import type { CommandModule } from 'yargs';
import {
  captureTelemetryWindow,
  checkWindowSec,
  type TelemetryMetric,
  type TelemetrySnapshot,
  type TelemetryWindow,
  telemetrySnapshot,
} from '../../collect/telemetry/index.js';
import { formatBytes } from '../../report/progress.js';
import { jsonOption, numberOption, outputOption } from '../options.js';
import { writeJson } from '../output.js';

interface TelemetryArgs {
  'window-sec': number;
  output?: string;
  json: boolean;
}

/** A value in its unit, readable: bytes → KiB/MiB…, Hz → MHz/GHz, the rest with its unit. */
function fmtValue(v: number, unit: string): string {
  if (unit === 'bytes') return formatBytes(v);
  if (unit === 'Hz')
    return v >= 1e9 ? `${(v / 1e9).toFixed(2)} GHz` : v >= 1e6 ? `${(v / 1e6).toFixed(1)} MHz` : `${v} Hz`;
  if (unit === 'bool') return v ? 'yes' : 'no';
  const s = Number.isInteger(v) ? String(v) : v.toPrecision(5);
  return unit === 'count' ? s : `${s} ${unit}`;
}

function domainCounts(metrics: TelemetryMetric[]): string {
  const c = new Map<string, number>();
  for (const m of metrics) c.set(m.domain, (c.get(m.domain) ?? 0) + 1);
  return [...c].map(([d, n]) => `${d}=${n}`).join(' ');
}

function printSnapshot(s: TelemetrySnapshot): void {
  const la =
    s.loadavg_1m === null
      ? 'n/a'
      : `${s.loadavg_1m.toFixed(2)} ${s.loadavg_5m?.toFixed(2)} ${s.loadavg_15m?.toFixed(2)}`;
  const lines = [
    `telemetry_v1 snapshot  ${new Date(s.collected_unix_ms).toISOString()}  ${s.os}/${s.arch}, ${s.cpu_count} CPUs`,
    `loadavg  ${la}`,
    `metrics  ${s.metrics.length} (${domainCounts(s.metrics)}; ${s.metrics.filter((m) => m.kind === 'counter').length} counters)`,
  ];
  const firstPerDomain = new Map<string, TelemetryMetric>();
  for (const m of s.metrics) if (!firstPerDomain.has(m.domain)) firstPerDomain.set(m.domain, m);
  for (const m of firstPerDomain.values()) {
    lines.push(`  ${`${m.domain}.${m.name}`.padEnd(44)} ${fmtValue(m.value, m.unit)}  (${m.kind})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

function printWindow(w: TelemetryWindow): void {
  const lines = [
    `telemetry_v1 window  ${(w.elapsed_ms / 1000).toFixed(1)} s  ${w.deltas.length} metrics at both ends`,
    `loadavg  ${w.start.loadavg_1m ?? 'n/a'} → ${w.end.loadavg_1m ?? 'n/a'}`,
    'counters (rate per second):',
  ];
  const counters = w.deltas.filter((d) => d.kind === 'counter' && d.rate_per_s !== null && d.delta_value !== 0);
  counters.sort((a, b) => Math.abs(b.rate_per_s ?? 0) - Math.abs(a.rate_per_s ?? 0));
  for (const d of counters.slice(0, 8)) {
    lines.push(`  ${`${d.domain}.${d.name}`.padEnd(44)} ${fmtValue(d.rate_per_s as number, d.unit)}/s`);
  }
  lines.push('gauges (largest changes):');
  const gauges = w.deltas.filter((d) => d.kind === 'gauge' && d.delta_value !== 0);
  gauges.sort((a, b) => Math.abs(b.delta_value) - Math.abs(a.delta_value));
  for (const d of gauges.slice(0, 5)) {
    lines.push(
      `  ${`${d.domain}.${d.name}`.padEnd(44)} ${fmtValue(d.start_value, d.unit)} → ${fmtValue(d.end_value, d.unit)}`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

export const telemetryCommand: CommandModule<object, TelemetryArgs> = {
  command: 'telemetry',
  describe: 'Host telemetry (telemetry_v1): a snapshot, or a window with deltas and rates',
  builder: (y) =>
    y
      .option(
        'window-sec',
        numberOption('window-sec', 'Window length in seconds (0 = one snapshot; at most 86400)', {
          min: 0,
          default: 0,
        }),
      )
      .option('output', outputOption('Write the JSON to this file (schemas/telemetry_v1.schema.json)'))
      .option('json', jsonOption('telemetry_v1', 'Print the JSON on stdout')),
  handler: async (args) => {
    const sec = checkWindowSec(args['window-sec']);
    let data: TelemetrySnapshot | TelemetryWindow;
    if (sec === 0) data = telemetrySnapshot();
    else {
      const controller = new AbortController();
      const onSig = () => controller.abort();
      process.once('SIGINT', onSig);
      try {
        data = await captureTelemetryWindow(sec, { signal: controller.signal });
      } finally {
        process.off('SIGINT', onSig);
      }
    }
    if (args.json) writeJson(data, 'telemetry_v1');
    if (args.output) {
      writeJson(data, 'telemetry_v1', args.output);
      process.stderr.write(`telemetry_v1 written to ${args.output}\n`);
    }
    if (!args.json) {
      if ('deltas' in data) printWindow(data);
      else printSnapshot(data);
    }
  },
};
