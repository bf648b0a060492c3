/**
 * The `oe` command line: parses arguments with yargs and calls library functions. Every error ends
 * here: an OeError prints one line and exits with its code (a library error about one of its options
 * is shown with the command's flag for it, see `libraryFlags`); anything else is an internal error
 * (stack only with OE_DEBUG=1).
 */
import type { MiddlewareFunction } from 'yargs';
import { EXIT_CODES, errorMessage, isOeError, OeError } from '../errors.js';
import { VERSION } from '../version.js';
import { commandsFor, type LibraryFlags, type WithLibraryFlags } from './commands/index.js';
import { loadYargs, type Yargs } from './yargs.js';

const oneLine = (s: string) => s.replace(/\s*\n\s*/g, ' ').trim();

/** `samplesPerRound` → `--samples-per-round`: the flag a library option has unless the command says otherwise. */
function kebabFlag(option: string): string {
  return `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The message of an OeError as the command line shows it: a library option named by its flag. */
export function cliMessage(e: OeError, flags: LibraryFlags = {}): string {
  const msg = oneLine(e.message);
  if (e.option === undefined || !msg.startsWith(e.option)) return msg;
  return `${flags[e.option] ?? kebabFlag(e.option)}${msg.slice(e.option.length)}`;
}

export function reportError(e: unknown, flags?: LibraryFlags): number {
  if (isOeError(e)) {
    process.stderr.write(`oe: ${cliMessage(e, flags)}\n`);
    return e.exitCode;
  }
  process.stderr.write(`oe: internal error: ${oneLine(errorMessage(e))}\n`);
  if (process.env.OE_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  return EXIT_CODES.FAILED;
}

/** What yargs knows of the options declared (a yargs method its type declarations leave out). */
export interface DeclaredOptions {
  getOptions(): {
    array: string[];
    number: string[];
    string: string[];
    boolean: string[];
    choices: Record<string, unknown>;
    key: Record<string, unknown>;
  };
}

/**
 * Flags given more than once in `argv`, with their counts (`--no-x` counts as `--x`, `--maxRate` as
 * `--max-rate`). yargs merges repeats (into an array, or even a sum: `--n 1 --n 1` arrives as 2), so
 * they are refused unless the option takes several values.
 */
export function repeatedFlags(argv: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const a of argv) {
    if (a === '--') break;
    const m = /^--(?:no-)?([^=]+)/.exec(a);
    if (!m) continue;
    const name = m[1].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [k, n] of counts) if (n < 2) counts.delete(k);
  return counts;
}

/**
 * yargs renders the running command's whole help text after every successful parse (kept for a later
 * `showHelp()`, which oe never calls): about 50 ms of text wrapping per run. `--help` itself does not
 * use that cache. Reached through yargs' internal methods, so it is skipped if they change.
 */
function skipHelpCache(parser: unknown): void {
  const usage = (
    parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } }
  )
    .getInternalMethods?.()
    ?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** A closed stdout (e.g. `oe stream | head`) ends quietly. */
function exitOnEpipe(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') process.exit(0);
}

/** Runs `oe` on `args` (default: the process's arguments) with `cli` (default: loadYargs()). */
export async function main(args?: string[], cli?: Yargs): Promise<void> {
  const { yargs, hideBin } = cli ?? (await loadYargs());
  const argv = args ?? hideBin(process.argv);
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
      // yargs reports its own checks (and errors thrown while coercing a value) as YError: bad usage.
      if (err && !isOeError(err) && err.name === 'YError') throw new OeError('USAGE', oneLine(err.message));
      if (err) throw err;
      throw new OeError('USAGE', oneLine(msg ?? 'invalid arguments'));
    })
    .middleware(((_args: unknown, y: DeclaredOptions) => {
      const arrays = new Set(y.getOptions().array);
      for (const [flag, n] of repeatedFlags(argv)) {
        if (!arrays.has(flag)) throw new OeError('USAGE', `--${flag} was given ${n} times; give it once`);
      }
    }) as unknown as MiddlewareFunction)
    .help()
    .alias('h', 'help');
  skipHelpCache(parser);
  const { modules, running } = await commandsFor(argv);
  for (const c of modules) parser = parser.command(c);
  try {
    await parser.parseAsync();
  } catch (e) {
    process.exitCode = reportError(e, (running as WithLibraryFlags | undefined)?.libraryFlags);
  }
}
