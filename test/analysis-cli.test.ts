import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertSchema } from '../src/contracts/schema.js';
import { laggedGen, recordTestSession, uniformGen, wavyGen } from './analysis-helpers.js';
import { runOeInProcess } from './cli-helpers.js';

let root: string;

function oe(...args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/run.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'oe-analysis-cli-'));
  await recordTestSession(root, 's1', { u: uniformGen(1n), l: laggedGen(1n, 2) }, { maxSamples: 8192 });
  await recordTestSession(root, 's2', { w: wavyGen(3n) }, { maxSamples: 8192 });
}, 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('oe sessions --analyze and oe analyze (CLI)', () => {
  it('analyses two sessions at once; --output writes schema-valid JSON; the table names the verdicts', () => {
    const out = join(root, 'analysis.json');
    const r = oe('sessions', 's1', 's2', '--dir', root, '--analyze', '--telemetry', '--output', out);
    expect(r.stderr).toContain('analysis written to');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('Analysis of session s1');
    expect(r.stdout).toContain('Analysis of session s2');
    expect(r.stdout).toMatch(/w\s+8192.*CRITICAL/);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    assertSchema('analysis', doc);
    expect(doc.analyses.map((a: { input: { id: string } }) => a.input.id)).toEqual(['s1', 's2']);
    expect(doc.analyses[0].standard.dependence.flagged).toEqual([{ a: 'l', b: 'u', by: ['correlation'] }]);

    // --json with --output: the JSON goes to the file only (stdout stays free for a pipe)
    const out2 = join(root, 'analysis-json.json');
    const j = oe('sessions', 's1', '--dir', root, '--analyze', '--json', '--output', out2);
    expect(j.status).toBe(0);
    expect(j.stdout).toBe('');
    assertSchema('analysis', JSON.parse(readFileSync(out2, 'utf8')));
  }, 180_000);

  it('oe record --analyze writes the analysis beside the session and prints its summary', () => {
    const out = join(root, 'recorded');
    const r = oe(
      'record',
      '--duration',
      '1',
      '--sources',
      'getrandom',
      '--output',
      out,
      '--analyze',
      '--quiet',
      '--no-space-check',
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain('analysis written to');
    expect(r.stdout).toContain('getrandom');
    const [id] = readdirSync(out);
    const doc = JSON.parse(readFileSync(join(out, id, 'analysis.json'), 'utf8'));
    assertSchema('analysis', doc);
    expect(doc.analyses[0].input.id).toBe(id);
  }, 180_000);

  it('bad input is one line and the right exit code', async () => {
    const run = async (...args: string[]) => {
      const r = await runOeInProcess(args);
      return { code: r.code, err: r.stderr };
    };
    const missing = await run('sessions', 'nope', '--dir', root, '--analyze');
    expect(missing.code).toBe(3);
    expect(missing.err.trim().split('\n')).toHaveLength(1);
    expect((await run('sessions', 's1', '--dir', root, '--analyze', '--window-sec', '0')).code).toBe(2);
    const badSamples = await run('analyze', '--samples', '1');
    expect(badSamples.code).toBe(2);
    expect(badSamples.err).toContain('--samples must be an integer');
  }, 60_000);
});
