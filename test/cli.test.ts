import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { COMMANDS, commandName, commandsFor, type WithLibraryFlags } from '../src/cli/commands/index.js';
import { cliMessage, type DeclaredOptions } from '../src/cli/main.js';
import { checkWindowSec } from '../src/collect/telemetry/index.js';
import { isOeError, OeError, optionError } from '../src/errors.js';
import { startEntropyServer } from '../src/serve/http-server.js';

const root = join(import.meta.dirname, '..');
const oe = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(root, 'src/cli/run.ts'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('the command table', () => {
  it('lists every command with the usage and description its module declares', async () => {
    for (const c of COMMANDS) {
      const m = await c.load();
      expect(m.command, commandName(c.command)).toBe(c.command);
      expect(m.describe, commandName(c.command)).toBe(c.describe);
      expect(typeof m.handler).toBe('function');
    }
  });

  it('has every command of the seed, plus assess, compare, ui and validate', () => {
    expect(COMMANDS.map((c) => commandName(c.command)).sort()).toEqual(
      [
        'analyze',
        'assess',
        'bench',
        'compare',
        'device',
        'monitor',
        'record',
        'report',
        'scan',
        'server',
        'sessions',
        'stream',
        'telemetry',
        'ui',
        'validate',
      ].sort(),
    );
  });

  it('loads only the module of the command being run', async () => {
    const { modules, running } = await commandsFor(['telemetry', '--window-sec', '1']);
    const loaded = modules.filter((m) => m.builder && typeof m.builder === 'function');
    expect(loaded.map((m) => m.command)).toEqual(['telemetry']);
    expect(running?.command).toBe('telemetry');
  });
});

describe('the CLI edge', () => {
  it('--help lists every command', () => {
    const r = oe('--help');
    expect(r.status).toBe(0);
    for (const c of COMMANDS) expect(r.stdout).toContain(`oe ${c.command}`);
  });

  it('every command has --help', async () => {
    // All at once: each is a fresh node + tsx start-up, which on a busy machine takes seconds.
    const runs = await Promise.all(
      COMMANDS.map(
        (c) =>
          new Promise<{ command: string; status: number | null; stdout: string }>((resolve) => {
            const child = spawn(
              process.execPath,
              ['--import', 'tsx', join(root, 'src/cli/run.ts'), commandName(c.command), '--help'],
              { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] },
            );
            let stdout = '';
            child.stdout.on('data', (d: Buffer) => {
              stdout += d.toString();
            });
            child.on('close', (status) => resolve({ command: c.command, status, stdout }));
          }),
      ),
    );
    for (const r of runs) {
      expect(r.status, r.command).toBe(0);
      expect(r.stdout, r.command).toContain('--help');
    }
  }, 300_000);

  it('an unknown command or flag is one line on stderr and exit 2, no stack trace', () => {
    for (const args of [['bogus'], ['scan', '--no-such-flag'], []]) {
      const r = oe(...args);
      expect(r.status, args.join(' ')).toBe(2);
      const lines = r.stderr.trim().split('\n');
      expect(lines.at(-1)).toMatch(/^oe: /);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});

describe('library errors on the command line', () => {
  it('a library option is named by its flag: kebab case, or the flag the command declares', () => {
    const e = optionError('samplesPerRound', 'must be ≥ 1, got 0');
    expect(e.message).toBe('samplesPerRound must be ≥ 1, got 0');
    expect(e.code).toBe('USAGE');
    expect(cliMessage(e)).toBe('--samples-per-round must be ≥ 1, got 0');
    expect(cliMessage(optionError('durationSec', 'must be > 0'), { durationSec: '--duration' })).toBe(
      '--duration must be > 0',
    );
    // Errors about no option, and multi-line messages, are shown as one line as they are.
    expect(cliMessage(new OeError('IO', 'cannot write x:\n  disk full'))).toBe('cannot write x: disk full');
  });

  it("a command's libraryFlags name flags the command declares", async () => {
    let mapped = 0;
    for (const c of COMMANDS) {
      const m = (await c.load()) as WithLibraryFlags & { builder: (y: unknown) => unknown };
      if (!m.libraryFlags) continue;
      const y = yargs([]);
      m.builder(y);
      const declared = Object.keys((y as unknown as DeclaredOptions).getOptions().key);
      for (const flag of Object.values(m.libraryFlags)) {
        expect(declared, c.command).toContain(flag.replace(/^--/, ''));
        mapped++;
      }
    }
    expect(mapped).toBeGreaterThan(0);
    const record = (await COMMANDS.find((c) => c.command === 'record')!.load()) as WithLibraryFlags;
    expect(cliMessage(optionError('durationSec', 'must be positive'), record.libraryFlags)).toBe(
      '--duration must be positive',
    );
  });

  it('library checks speak of their own option names', async () => {
    expect(() => checkWindowSec(-1)).toThrow(/^windowSec must be/);
    const e = await startEntropyServer({} as never, { port: 70000 }).catch((x: unknown) => x);
    expect(isOeError(e) && e.option).toBe('port');
    expect((e as Error).message).toMatch(/^port must be an integer/);
  });
});
