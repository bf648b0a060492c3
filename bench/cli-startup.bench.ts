/**
 * CLI start-up: `oe --help` and `oe telemetry` with the lazy command table (only the command being run
 * is imported) next to the baseline of importing every command module up front, as the CLI did before.
 * Needs `npm run build` (it runs the compiled CLI). Reports medians of alternating runs and their ratio.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'oe.js');
const eager = `const t = await import(${JSON.stringify(join(root, 'dist/cli/commands/index.js'))});
for (const c of t.COMMANDS) await c.load();
process.argv = [process.argv[0], 'oe', '--help'];
const m = await import(${JSON.stringify(join(root, 'dist/cli/main.js'))});
await m.main(['--help']);`;

function wall(args: string[]): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t) / 1e6;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const runs = 9;
const lazyHelp: number[] = [];
const eagerHelp: number[] = [];
const lazyTelemetry: number[] = [];
for (let i = 0; i < runs; i++) {
  lazyHelp.push(wall([bin, '--help']));
  eagerHelp.push(wall(['--input-type=module', '-e', eager]));
  lazyTelemetry.push(wall([bin, 'telemetry']));
}
const [lh, eh, lt] = [median(lazyHelp), median(eagerHelp), median(lazyTelemetry)];
process.stdout.write(`oe --help, lazy command table:        ${lh.toFixed(0)} ms (median of ${runs})\n`);
process.stdout.write(`oe --help, every module imported:     ${eh.toFixed(0)} ms (baseline)\n`);
process.stdout.write(`oe telemetry (snapshot), lazy:        ${lt.toFixed(0)} ms\n`);
process.stdout.write(`ratio lazy / eager for --help: ${(lh / eh).toFixed(2)}\n`);
