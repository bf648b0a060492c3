import { existsSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { closeSharedSamplerPool } from '../../collect/sampler-pool.js';
import { closeDb } from '../../db/index.js';
import { wideHostWarning } from '../../serve/listen.js';
import { startUiServer } from '../../ui/server/server.js';
import { integerOption, sessionsDirsOption, textOption } from '../options.js';

interface UiArgs {
  host: string;
  port: number;
  dir: string[];
}

export const uiCommand: CommandModule<object, UiArgs> = {
  command: 'ui',
  describe:
    'Web workbench (loopback by default): sessions, analyses with plots, comparisons, live sources (docs/UI.md)',
  builder: (y) =>
    y
      .option('host', textOption('host', 'Address to bind (loopback by default)', { default: '127.0.0.1' }))
      .option('port', integerOption('port', 'TCP port (0 = any free port)', { min: 0, max: 65535, default: 8043 }))
      .option(
        'dir',
        sessionsDirsOption('Sessions folder (repeatable; recordings started from the page go to the first)'),
      )
      .example('$0 ui', 'serve ./sessions on http://127.0.0.1:8043')
      .example('$0 ui --dir sessions --dir /data/other-machine --port 0', 'two folders, any free port'),
  handler: async (args) => {
    const dirs = args.dir;
    const ui = await startUiServer({ dirs, host: args.host, port: args.port });
    if (ui.frontEnd) process.stderr.write(`oe: warning: ${ui.frontEnd}; only the API (docs/UI.md) is served\n`);
    const warning = wideHostWarning(args.host);
    if (warning) process.stderr.write(`oe: ${warning}\n`);
    for (const d of dirs.filter((x) => !existsSync(x)))
      process.stderr.write(`oe: note: ${d} does not exist yet (a recording started from the page creates it)\n`);
    process.stderr.write(`oe ui on ${ui.url}/ (sessions from ${dirs.join(', ')}); Ctrl+C stops it\n`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    process.stderr.write('oe ui: stopping (finishing a running recording or analysis)\n');
    await ui.close();
    await closeSharedSamplerPool();
    await closeDb();
  },
};
