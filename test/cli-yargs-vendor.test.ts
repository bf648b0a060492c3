/**
 * The yargs bundle the build makes (scripts/vendor-yargs.mjs → dist/vendor/yargs/, loaded by
 * src/cli/yargs.ts) behaves as the package: on a small oe-like parser and on oe's own command line
 * (help texts, usage errors, suggestions, in English and in German), the same bytes and exit codes.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_PATH, bundleYargs, YARGS_DIR } from '../scripts/vendor-yargs.mjs';
import { loadYargs, VENDORED_YARGS_PATH, type Yargs } from '../src/cli/yargs.js';
import { runOeInProcess } from './cli-helpers.js';

const root = join(import.meta.dirname, '..');
const cache = join(root, '.vitest-cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'vendor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const bundled = bundleYargs(join(dir, 'yargs'));
const absent = pathToFileURL(join(dir, 'absent.js'));

/** Parses `argv` with a small oe-like parser; returns the handler's values, or the failure, and the help text. */
async function run(y: Yargs, argv: string[]): Promise<{ result: string; help: string }> {
  let result = '';
  const parser = y
    .yargs(argv)
    .scriptName('oe')
    .usage('$0 <command> [options]')
    .strict()
    .demandCommand(1, 'Name a command')
    .recommendCommands()
    .wrap(100)
    .exitProcess(false)
    .fail((msg, err) => {
      throw new Error(err ? `err: ${err.message}` : `msg: ${msg}`);
    })
    .command(
      'scan',
      'List sources',
      (b) =>
        b
          .option('budget', { type: 'number', default: 150, describe: 'Sampler time per source in ms' })
          .option('sources', { type: 'string', describe: 'Sources: all, names, patterns (jitter_*)' })
          .option('tag', { type: 'string', array: true, describe: 'key:value' })
          .option('view', { choices: ['summary', 'detailed'], default: 'summary' }),
      (a) => {
        result = JSON.stringify({ budget: a.budget, sources: a.sources, tag: a.tag, view: a.view });
      },
    )
    .command(
      'device <path>',
      'Serve a FIFO',
      (b) => b.positional('path', { type: 'string' }),
      (a) => {
        result = `device ${a.path}`;
      },
    )
    .help();
  try {
    await parser.parseAsync();
  } catch (e) {
    result = (e as Error).message;
  }
  return { result, help: await parser.getHelp() };
}

class Exit extends Error {}

/**
 * `oe …` in this process with `cli` as its yargs, under the locale `lang`. yargs prints help through
 * console.log, which vitest captures: here it goes to stdout as in a real run. `--help` and `--version`
 * end in process.exit(0), which is caught here (as an Exit error, so main() reports it the same way
 * for both copies) and recorded as `exited`.
 */
async function oe(cli: Yargs, lang: string, argv: string[]) {
  const saved = {
    exit: process.exit,
    log: console.log,
    error: console.error,
    LANG: process.env.LANG,
    LC_ALL: process.env.LC_ALL,
  };
  let exited: number | undefined;
  console.log = (...a: unknown[]) => process.stdout.write(`${format(...a)}\n`);
  console.error = (...a: unknown[]) => process.stderr.write(`${format(...a)}\n`);
  process.env.LANG = lang;
  process.env.LC_ALL = lang;
  process.exit = ((code?: number) => {
    exited = code ?? 0;
    throw new Exit(`exit ${exited}`);
  }) as typeof process.exit;
  try {
    return { ...(await runOeInProcess(argv, cli)), exited };
  } finally {
    process.exit = saved.exit;
    console.log = saved.log;
    console.error = saved.error;
    for (const k of ['LANG', 'LC_ALL'] as const) {
      if (saved[k] === undefined) delete process.env[k];
      else process.env[k] = saved[k];
    }
  }
}

describe('the bundled yargs', () => {
  it('is built where src/cli/yargs.ts looks for it, with the catalogues and licenses beside it', async () => {
    expect(resolve(root, 'dist', 'cli', VENDORED_YARGS_PATH)).toBe(join(YARGS_DIR, BUNDLE_PATH));
    const file = await bundled;
    expect(file).toBe(join(dir, 'yargs', BUNDLE_PATH));
    // yargs' shim looks for its catalogues at ../../../locales from its own file.
    expect(existsSync(resolve(file, '../../../locales/de.json'))).toBe(true);
    const licenses = readFileSync(join(dir, 'yargs', 'LICENSES.txt'), 'utf8');
    for (const name of ['yargs', 'yargs-parser', 'cliui', 'y18n'])
      expect(licenses).toMatch(new RegExp(`^${name} \\d`, 'm'));
  });

  it('is what loadYargs takes when it exists, and the package otherwise', async () => {
    const vendored = await loadYargs(pathToFileURL(await bundled));
    const pkg = await loadYargs(absent);
    expect(vendored.yargs).not.toBe(pkg.yargs);
    expect(typeof pkg.yargs).toBe('function');
    expect(pkg.hideBin(['node', 'oe', 'scan'])).toEqual(['scan']);
    expect(vendored.hideBin(['node', 'oe', 'scan'])).toEqual(['scan']);
  });

  it('parses, fails and prints help exactly as the package does', async () => {
    const vendored = await loadYargs(pathToFileURL(await bundled));
    const pkg = await loadYargs(absent);
    const cases = [
      ['scan', '--budget', '5', '--sources', 'jitter_*', '--tag', 'a:b', '--tag', 'c:d'],
      ['scan', '--view', 'pretty'],
      ['scan', '--no-such-flag'],
      ['sca'],
      ['device'],
      ['device', '/tmp/x'],
      [],
      ['scan', '--budget'],
    ];
    for (const argv of cases) {
      const a = await run(vendored, argv);
      const b = await run(pkg, argv);
      expect(a, argv.join(' ')).toEqual(b);
      expect(a.result.length, argv.join(' ')).toBeGreaterThan(0);
    }
    expect((await run(vendored, ['scan', '--view', 'pretty'])).result).toMatch(/Invalid values/);
    expect((await run(vendored, ['scan'])).help).toContain('Sampler time per source in ms');
  });

  it('gives oe’s own help, usage errors and suggestions byte for byte, in English and in German', async () => {
    const vendored = await loadYargs(pathToFileURL(await bundled));
    const pkg = await loadYargs(absent);
    const cases = [
      ['--help'],
      ['--version'],
      ['scan', '--help'],
      ['record', '--help'],
      ['report', '--help'],
      ['sca'],
      [],
      ['scan', '--no-such-flag'],
      ['scan', '--budget', 'abc'],
      ['scan', '--budget'],
      ['device'],
      ['device', 'a', 'b', 'c'],
      ['report', '--format', 'hex', '--input', 'x'],
    ];
    for (const lang of ['C', 'de_DE.UTF-8']) {
      for (const argv of cases) {
        const what = `LANG=${lang} oe ${argv.join(' ')}`;
        const a = await oe(vendored, lang, argv);
        const b = await oe(pkg, lang, argv);
        expect(a, what).toEqual(b);
        expect(a.stdout + a.stderr, what).not.toBe('');
      }
    }
    const help = await oe(vendored, 'de_DE.UTF-8', ['scan', '--help']);
    expect(help.exited).toBe(0);
    expect(help.stdout).toContain('Optionen:'); // the German catalogue was found beside the bundle
    const unknown = await oe(vendored, 'C', ['scan', '--bogus']);
    expect(unknown).toMatchObject({ code: 2, stdout: '', stderr: 'oe: Unknown argument: bogus\n' });
    expect((await oe(vendored, 'C', ['sca'])).stderr).toMatch(/Did you mean scan\?/);
  });
});
