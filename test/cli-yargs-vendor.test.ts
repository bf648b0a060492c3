/**
 * The yargs bundle the build makes (scripts/vendor-yargs.mjs → dist/vendor/yargs.js, loaded by
 * src/cli/yargs.ts) behaves as the package: the same help text, values and error messages for a
 * parser configured the way src/cli/main.ts configures oe's.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { bundleYargs } from '../scripts/vendor-yargs.mjs';
import { loadYargs, VENDORED_YARGS, type Yargs } from '../src/cli/yargs.js';

const cache = join(import.meta.dirname, '..', '.vitest-cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'vendor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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

describe('the bundled yargs', () => {
  it('is what loadYargs takes when it exists, and the package otherwise', async () => {
    expect(VENDORED_YARGS.pathname).toMatch(/\/vendor\/yargs\.js$/);
    const missing = await loadYargs(pathToFileURL(join(dir, 'absent.js')));
    expect(typeof missing.yargs).toBe('function');
    expect(missing.hideBin(['node', 'oe', 'scan'])).toEqual(['scan']);
  });

  it('parses, fails and prints help exactly as the package does', async () => {
    const file = await bundleYargs(join(dir, 'yargs.js'));
    const vendored = await loadYargs(pathToFileURL(file));
    const pkg = await loadYargs(pathToFileURL(join(dir, 'absent.js')));
    expect(vendored.yargs).not.toBe(pkg.yargs);
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
});
