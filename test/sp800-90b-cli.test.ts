import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { assessCommand } from '../src/cli/commands/assess.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { OeError } from '../src/errors.js';
import { uniform8 } from './sp800-90b-reference.js';

const ROOT = join(import.meta.dirname, '..');
const FIX = join(import.meta.dirname, 'fixtures', 'sp800-90b');
const oe = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/run.ts'), 'assess', ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    timeout: 120_000,
  });

describe('oe assess', () => {
  it('--json matches the schema and NIST’s assessed value; --nist-json writes the tool’s own format', {
    timeout: 120_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-assess-'));
    const nist = join(dir, 'r.json');
    const r = oe(join(FIX, 'rand4_short.bin'), '--json', '--nist-json', nist, '--threads', '2');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const validate = schemaValidator('assess');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(Math.abs(doc.hAssessed - 3.2154882678767365)).toBeLessThan(1e-6);
    const n = JSON.parse(readFileSync(nist, 'utf8'));
    const ref = JSON.parse(readFileSync(join(FIX, 'a_uniform8_noniid.json'), 'utf8'));
    expect(Object.keys(n).sort()).toEqual(Object.keys(ref).sort());
    expect(n.testCases.map((t: { testCaseDesc: string }) => t.testCaseDesc)).toEqual(
      ref.testCases.map((t: { testCaseDesc: string }) => t.testCaseDesc),
    );
    const overall = n.testCases.at(-1);
    expect(Object.keys(overall).sort()).toEqual(Object.keys(ref.testCases.at(-1)).sort());
    expect(Math.abs(overall.hAssessed - 3.2154882678767365)).toBeLessThan(1e-6);
    expect(overall.dataWordSize).toBe(4);
  });

  it('lists every estimator and the final values in text', { timeout: 120_000 }, () => {
    const r = oe(join(FIX, 'rand1_short.bin'), '--threads', '1');
    expect(r.status, r.stderr).toBe(0);
    for (const name of [
      'Most Common Value',
      'Collision',
      'Markov',
      'Compression',
      't-Tuple',
      'LRS',
      'LZ78Y Prediction',
    ])
      expect(r.stdout).toContain(name);
    expect(r.stdout).toMatch(/assessed min-entropy: 0\.611716/);
  });

  it('--iid --restart validates with the most common value (ea_restart -i) and reports the mode', {
    timeout: 120_000,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-assess-'));
    const matrix = join(dir, 'restart.bin');
    writeFileSync(matrix, uniform8());
    const r = oe(join(FIX, 'rand8_short.bin'), '--iid', '--restart', matrix, '--json', '--threads', '2');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(schemaValidator('assess')(doc)).toBe(true);
    expect(doc.restart.mode).toBe('iid');
    // a_uniform8_iid.out: literal most common value 7.8675215086146038 (rows and columns share its counts).
    expect(Math.abs(doc.restart.hR - 7.8675215086146038)).toBeLessThan(1e-9);
    expect(doc.restart.hRestart).toBe(Math.min(doc.restart.hR, doc.restart.hC, doc.hAssessed));
  });

  it('--iid --repeat K: failure rate per statistic in the JSON (schema) and the text', { timeout: 180_000 }, () => {
    const file = join(FIX, 'rand4_short.bin');
    const r = oe(file, '--iid', '--repeat', '3', '--seed', '5', '--json', '--threads', '2');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    const validate = schemaValidator('assess');
    expect(validate(doc), JSON.stringify(validate.errors)).toBe(true);
    expect(doc.iid.repeats.runs).toBe(3);
    expect(doc.iid.repeats.seeds[0]).toBe(5);
    expect(doc.iid.repeats.statistics).toHaveLength(19);
    const t = oe(file, '--iid', '--repeat', '2', '--seed', '5', '--threads', '2');
    expect(t.status, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/repeated 2 times \(seeds 5, \d+; rounds \d+, \d+\)/);
    expect(t.stdout).toMatch(/any statistic\s+failed \d of 2 \(95 % CI/);
  });

  it('bad input: one-line errors with the documented exit codes', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'oe-assess-'));
    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, new Uint8Array(0));
    const wide = join(dir, 'wide.bin');
    writeFileSync(wide, Uint8Array.from([1, 2, 200, 3]));
    // through the CLI edge: exit status and a single stderr line
    for (const [args, code, msg] of [
      [[empty], 4, /empty/],
      [[wide, '--bits', '4'], 4, /does not fit/],
      [[wide, '--bits', '9'], 2, /--bits must be an integer in \[1, 8\]/],
      [[wide, '--repeat', '3'], 2, /--repeat needs --iid/],
    ] as Array<[string[], number, RegExp]>) {
      const r = oe(...args);
      expect(r.status, args.join(' ')).toBe(code);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(msg);
    }
    // the handler's errors in-process (same OeError → exit code mapping)
    const run = (args: Record<string, unknown>) =>
      (assessCommand.handler as (a: unknown) => Promise<void>)({ iid: false, json: false, dir: 'sessions', ...args });
    const cases: Array<[Record<string, unknown>, number, RegExp]> = [
      [{ file: join(dir, 'missing.bin') }, 3, /does not exist/],
      [{ file: wide, seed: '-1' }, 2, /--seed/],
      [{ session: 'x' }, 2, /--source/],
      [{}, 2, /FILE/],
    ];
    for (const [args, code, msg] of cases) {
      const err = await run(args).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, JSON.stringify(args)).toBeInstanceOf(OeError);
      expect((err as OeError).exitCode).toBe(code);
      expect((err as OeError).message).toMatch(msg);
    }
  });
});
