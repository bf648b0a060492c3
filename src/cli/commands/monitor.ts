import type { CommandModule } from 'yargs';
import { telemetrySnapshot } from '../../collect/telemetry/index.js';
import { LiveMonitor } from '../../jobs/monitor.js';
import { frameLines, telemetryLine } from '../../report/monitor/plain.js';
import { integerOption, numberOption, sessionsDirOption, sourcesOption } from '../options.js';

interface MonitorArgs {
  refresh: number;
  sources?: string;
  telemetry: boolean;
  ticks?: number;
  output: string;
}

export const monitorCommand: CommandModule<object, MonitorArgs> = {
  command: 'monitor',
  describe: 'Live dashboard of every source: health, min-entropy, rate, charts (plain lines when not a terminal)',
  builder: (y) =>
    y
      .option(
        'refresh',
        numberOption('refresh', 'Seconds between updates (0.1 to 60)', { min: 0.1, max: 60, default: 1 }),
      )
      .option('sources', sourcesOption())
      .option('telemetry', {
        type: 'boolean',
        default: false,
        describe: 'Show a telemetry_v1 line (load, memory, frequency, temperature)',
      })
      .option('output', sessionsDirOption('output', 'Sessions folder for recordings started with r'))
      .option('ticks', integerOption('ticks', 'Stop after this many updates (default: until q or Ctrl+C)', { min: 1 }))
      .example("$0 monitor --sources '*_timing'", 'watch the sources whose name ends in _timing')
      .example('$0 monitor --ticks 3 | cat', 'three plain-text updates'),
  handler: async (args) => {
    const monitor = new LiveMonitor({ sources: args.sources });
    const refreshMs = args.refresh * 1000;
    try {
      if (process.stdout.isTTY && process.stdin.isTTY && args.ticks === undefined) {
        await runDashboard(monitor, refreshMs, args.output);
      } else {
        await runPlain(monitor, refreshMs, args.ticks, args.telemetry);
      }
    } finally {
      await monitor.close();
    }
  },
};

async function runDashboard(monitor: LiveMonitor, refreshMs: number, output: string): Promise<void> {
  // The terminal UI (ink, React) is loaded only for the dashboard, not for plain lines.
  const [{ render }, { createElement }, { Dashboard }] = await Promise.all([
    import('ink'),
    import('react'),
    import('../../report/monitor/app.js'),
  ]);
  const onRecord = async () => {
    const s = await monitor.toggleRecording(output);
    if (s.state === 'recording') return `recording ${s.source} into ${s.output}/ (r stops)`;
    if (s.state === 'saved') return `saved ${s.samples} samples of ${s.source} in ${s.dir}`;
    return s.reason;
  };
  const app = render(createElement(Dashboard, { driver: monitor, refreshMs, onRecord }), { exitOnCtrlC: true });
  await app.waitUntilExit();
}

async function runPlain(
  monitor: LiveMonitor,
  refreshMs: number,
  ticks: number | undefined,
  telemetry: boolean,
): Promise<void> {
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let i = 0; !stop && (ticks === undefined || i < ticks); i++) {
      const started = Date.now();
      const frame = await monitor.tick();
      const lines = frameLines(frame);
      if (telemetry) lines.push(telemetryLine(telemetrySnapshot()));
      process.stdout.write(`${lines.join('\n')}\n`);
      if (ticks !== undefined && i + 1 >= ticks) break;
      const wait = refreshMs - (Date.now() - started);
      if (wait > 0 && !stop) await new Promise((r) => setTimeout(r, wait));
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
