import type { CommandModule } from 'yargs';
import { analyzeCommand } from './analyze.js';
import { assessCommand } from './assess.js';
import { benchCommand } from './bench.js';
import { compareCommand } from './compare.js';
import { deviceCommand } from './device.js';
import { monitorCommand } from './monitor.js';
import { recordCommand } from './record.js';
import { reportCommand } from './report.js';
import { scanCommand } from './scan.js';
import { serverCommand } from './server.js';
import { sessionsCommand } from './sessions.js';
import { streamCommand } from './stream.js';
import { telemetryCommand } from './telemetry.js';

/** Every `oe` command; each lives in its own file. */
// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types
export const commands: CommandModule<any, any>[] = [
  scanCommand,
  monitorCommand,
  streamCommand,
  deviceCommand,
  serverCommand,
  recordCommand,
  sessionsCommand,
  analyzeCommand,
  telemetryCommand,
  benchCommand,
  compareCommand,
  reportCommand,
  assessCommand,
];
