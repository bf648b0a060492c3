/**
 * Nonsense on the command line, for every command: each case must end as one line on stderr
 * ("oe: …"), the exit status of its OeError code, nothing on stdout, no stack trace and never
 * "internal error". The first part is generated from every command's declared options (a value that
 * is not a number, a flag given twice or without its value, a choice that does not exist), so a new
 * option is covered the day it is declared; the second is a table of values that are well formed but
 * make no sense.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { COMMANDS, commandName } from '../src/cli/commands/index.js';
import type { DeclaredOptions } from '../src/cli/main.js';
import { runOeInProcess } from './cli-helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'oe-nonsense-'));
const fifo = join(scratch, 'never-created.fifo');
const emptyFile = join(scratch, 'empty.bin');
writeFileSync(emptyFile, '');
const badJson = join(scratch, 'bad.json');
writeFileSync(badJson, '{ not json');

/** Arguments a command needs before any flag (its required positionals), none of which start work. */
const BASE: Record<string, string[]> = {
  device: ['device', fifo],
  compare: ['compare', join(scratch, 'a.json'), join(scratch, 'b.json')],
};

async function expectUsage(args: string[], code = 2): Promise<string> {
  const r = await runOeInProcess(args);
  const what = args.join(' ');
  expect(r.code, `${what}\n${r.stderr}`).toBe(code);
  expect(r.stdout, what).toBe('');
  expect(r.stderr, what).toMatch(/^oe: [^\n]+\n$/);
  expect(r.stderr, what).not.toMatch(/internal error/);
  return r.stderr;
}

interface Declared {
  name: string;
  numbers: string[];
  strings: string[];
  choices: string[];
  variadic: boolean;
}

async function declaredOptions(): Promise<Declared[]> {
  const out: Declared[] = [];
  for (const c of COMMANDS) {
    const m = await c.load();
    const y = yargs([]);
    (m.builder as (y: unknown) => unknown)(y);
    const o = (y as unknown as DeclaredOptions).getOptions();
    const positional = new Set([...c.command.matchAll(/[<[](\w+)(\.\.)?[>\]]/g)].map((x) => x[1]));
    const flag = (k: string) => !positional.has(k) && k !== 'help' && k !== 'version';
    out.push({
      name: commandName(c.command),
      numbers: o.number.filter(flag),
      strings: o.string.filter((k) => flag(k) && !o.array.includes(k)),
      choices: Object.keys(o.choices).filter(flag),
      variadic: c.command.includes('..'),
    });
  }
  return out;
}

describe('nonsense flags, generated from every command’s options', async () => {
  const commands = await declaredOptions();

  it('covers every command and declares numeric options as numbers', () => {
    expect(commands.map((c) => c.name).sort()).toEqual(COMMANDS.map((c) => commandName(c.command)).sort());
    expect(commands.find((c) => c.name === 'scan')?.numbers).toContain('budget');
  });

  for (const c of commands) {
    it(`oe ${c.name}: bad numbers, repeated flags, missing values, unknown choices are usage errors`, async () => {
      const base = BASE[c.name] ?? [c.name];
      for (const n of c.numbers) {
        await expectUsage([...base, `--${n}`, 'abc']);
        await expectUsage([...base, `--${n}`, 'Infinity']);
        await expectUsage([...base, `--${n}`, '-1e9']);
        await expectUsage([...base, `--${n}`, '1', `--${n}`, '1']);
        await expectUsage([...base, `--${n}`]);
      }
      for (const s of c.strings) {
        await expectUsage([...base, `--${s}`, 'x', `--${s}`, 'x']);
        await expectUsage([...base, `--${s}`]);
      }
      for (const ch of c.choices) {
        await expectUsage([...base, `--${ch}`, 'no-such-choice']);
      }
      await expectUsage([...base, '--no-such-flag']);
      // Words no positional takes (a command with a variadic positional takes them all).
      if (!c.variadic) await expectUsage([...base, 'extra', 'words', 'here']);
    });
  }
});

/** Well-formed values that make no sense: [arguments, exit status, what the message must say]. */
const TABLE: [string[], number, RegExp][] = [
  [[], 2, /Name a command/],
  [['bogus'], 2, /Unknown argument: bogus/],
  [['scan', '--budget', '0'], 2, /--budget must be a number in \(0, 60000\], got 0/],
  [['scan', '--budget', '60001'], 2, /--budget/],
  [['scan', '--sources', ''], 2, /--sources is empty/],
  [['scan', '--sources', 'clock'], 2, /unknown source "clock"; did you mean clock_jitter\?/],
  [['scan', '--sources', 'zz_*'], 2, /pattern "zz_\*" matches no source/],
  [['scan', '--output', ''], 2, /--output is empty/],
  [['monitor', '--refresh', '0'], 2, /--refresh must be a number in \[0.1, 60\]/],
  [['monitor', '--ticks', '1.5'], 2, /--ticks must be an integer ≥ 1, got 1.5/],
  [['stream', '--bytes', '-1'], 2, /--bytes must be an integer in \[0, /],
  [['stream', '--rate', '-3'], 2, /--rate must be a number ≥ 0/],
  [['stream', '--conditioning', 'md5'], 2, /unknown conditioning "md5"/],
  [['stream', '--format', 'hex', '--fifo', fifo], 2, /--fifo writes raw bytes/],
  [['stream', '--source', ''], 2, /--source is empty/],
  [['device'], 2, /Not enough non-option arguments/],
  [['device', fifo, '--conditioning', 'none2'], 2, /unknown conditioning/],
  [['server', '--port', '70000'], 2, /--port must be an integer in \[0, 65535\], got 70000/],
  [['server', '--port', '80.5'], 2, /--port must be an integer/],
  [['server', '--host', ''], 2, /--host is empty/],
  [['ui', '--port', '70000'], 2, /--port must be an integer in \[0, 65535\], got 70000/],
  [['ui', '--dir', 'sessions', '--dir', ''], 2, /--dir is empty/],
  [['ui', '--host', ''], 2, /--host is empty/],
  [['record', '--duration', '0'], 2, /--duration must be greater than zero/],
  [['record', '--duration', '5 years'], 2, /--duration: "5 years" is not a duration/],
  [['record', '--duration', '-5s'], 2, /is not a duration/],
  [['record', '--flush-interval', '0'], 2, /--flush-interval must be greater than zero/],
  [['record', '--telemetry-interval', 'often'], 2, /--telemetry-interval: "often" is not a duration/],
  [['record', '--max-rate', '-1'], 2, /--max-rate must be a number ≥ 0/],
  [['record', '--max-samples', '0'], 2, /--max-samples must be an integer ≥ 1/],
  [['record', '--conditioning', 'md5', '--output', scratch], 2, /unknown conditioning/],
  [['record', '--sources', 'clock', '--output', scratch], 2, /unknown source "clock"/],
  [['record', '--tag', 'nocolon', '--duration', '1', '--output', scratch], 2, /--tag "nocolon" must be key:value/],
  [['sessions', '--dir', scratch, '--analyze'], 2, /--analyze needs a session id/],
  [['sessions', 'nosuch', '--dir', scratch], 3, /nosuch/],
  [['sessions', '--dir', ''], 2, /--dir is empty/],
  [['sessions', 'x', '--dir', scratch, '--analyze', '--window-sec', '0'], 2, /--window-sec must be a number > 0/],
  [['sessions', 'x', '--dir', scratch, '--analyze', '--window-samples', '1'], 2, /--window-samples/],
  [['sessions', 'x', '--dir', scratch, '--analyze', '--view', 'pretty'], 2, /Invalid values/],
  [['analyze', '--samples', '1'], 2, /--samples must be an integer ≥ 2, got 1/],
  [['analyze', '--max-lag', '0'], 2, /--max-lag must be an integer ≥ 1/],
  [['analyze', '--seed', '-1'], 2, /--seed must be an integer in \[0, 4294967295\]/],
  [['analyze', '--sources', 'nope'], 2, /unknown source "nope"/],
  [['telemetry', '--window-sec', '-1'], 2, /--window-sec must be a number ≥ 0/],
  [['bench', '--rounds', '0'], 2, /--rounds must be an integer ≥ 1/],
  [['bench', '--warmup-rounds', '-1'], 2, /--warmup-rounds/],
  [['bench', '--timeout-sec', '0.01'], 2, /--timeout-sec must be a number ≥ 0.1/],
  [['bench', '--profile', 'huge'], 2, /Invalid values/],
  [['bench', '--sources', 'clock'], 2, /unknown source "clock"/],
  [['compare', join(scratch, 'a.json')], 2, /at least two inputs/],
  [
    ['compare', join(scratch, 'a.json'), join(scratch, 'b.json'), '--alpha', '1'],
    2,
    /--alpha must be a number in \(0, 1\)/,
  ],
  [['compare', join(scratch, 'a.json'), join(scratch, 'b.json'), '--dir', scratch], 3, /a\.json/],
  [['compare', badJson, badJson, '--dir', scratch], 4, /bad\.json/],
  [['report', '--input', join(scratch, 'missing.bin')], 3, /missing\.bin/],
  [['report', '--input', emptyFile], 4, /empty/],
  [['report', '--input', emptyFile, '--sources', 'getrandom'], 2, /give one of --input FILE/],
  [['report', '--sequences', '0', '--input', emptyFile], 2, /--sequences must be an integer ≥ 1/],
  [['report', '--threads', '-1', '--input', emptyFile], 2, /--threads must be an integer in \[0, 1024\]/],
  [['report', '--format', 'hex', '--input', emptyFile], 2, /Invalid values/],
  [['report', '--session', 'nosuch', '--dir', scratch], 3, /nosuch/],
  [['assess'], 2, /give a FILE of samples/],
  [['assess', join(scratch, 'missing.bin')], 3, /missing\.bin does not exist/],
  [['assess', emptyFile], 4, /is empty/],
  [['assess', scratch], 4, /is not a file/],
  [['assess', emptyFile, '--bits', '9'], 2, /--bits must be an integer in \[1, 8\], got 9/],
  [['assess', emptyFile, '--seed', '-1'], 2, /--seed must be a non-negative integer/],
  [['assess', emptyFile, '--threads', '0'], 2, /--threads must be an integer in \[1, 1024\]/],
  [['assess', emptyFile, '--session', 'x', '--source', 'y'], 2, /either FILE or --session/],
  [['assess', '--session', 'x'], 2, /--session needs --source/],
  [['assess', '--session', 'nosuch', '--source', 'clock_jitter', '--dir', scratch], 3, /nosuch/],
];

describe('nonsense values: one line, the right exit status, the right words', () => {
  for (const [args, code, message] of TABLE) {
    it(`oe ${args.join(' ').replaceAll(scratch, '…')} → ${code}`, async () => {
      expect(await expectUsage(args, code)).toMatch(message);
    });
  }
});
