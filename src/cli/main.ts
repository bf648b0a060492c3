/**
 * The `oe` command line: parses arguments with yargs and calls library functions. Every error ends
 * here: an OeError prints one line and exits with its code; anything else is an internal error
 * (stack only with OE_DEBUG=1).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT_CODES, errorMessage, isOeError, OeError } from '../errors.js';
import { VERSION } from '../version.js';
import { commandsFor } from './commands/index.js';

export function reportError(e: unknown): number {
  if (isOeError(e)) {
    process.stderr.write(`oe: ${e.message}\n`);
    return e.exitCode;
  }
  process.stderr.write(`oe: internal error: ${errorMessage(e)}\n`);
  if (process.env.OE_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return EXIT_CODES.FAILED;
}

/** A closed stdout (e.g. `oe stream | head`) ends quietly. */
function exitOnEpipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
}

export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  // Installed once, however often main() runs in one process (tests call it repeatedly).
  if (!process.stdout.listeners('error').includes(exitOnEpipe)) process.stdout.on('error', exitOnEpipe);
  let parser = yargs(argv)
    .scriptName('oe')
    .usage('$0 <command> [options]\n\nHarvest, record and study hardware entropy.')
    .version(VERSION)
    .strict()
    .demandCommand(1, 'Name a command (see oe --help).')
    .recommendCommands()
    .wrap(Math.min(110, process.stdout.columns || 100))
    .fail((msg, err) => {
      if (err) throw err;
      throw new OeError('USAGE', msg ?? 'invalid arguments');
    })
    .help()
    .alias('h', 'help');
  for (const c of await commandsFor(argv)) parser = parser.command(c);
  try {
    await parser.parseAsync();
  } catch (e) {
    process.exitCode = reportError(e);
  }
}
