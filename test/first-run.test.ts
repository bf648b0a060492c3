/**
 * The README's first line, run literally (`npm install && npx oe record …`, only the duration shortened) in a
 * fresh copy of this checkout: `npm install` builds the addon and the TypeScript once, and `npx oe` (which npm
 * answers by linking the package into its exec cache and running its install and prepare scripts again) must
 * not build anything a second time. Then a changed native source and a changed TypeScript source are rebuilt
 * by the next `npm install`.
 *
 * How builds are seen without trusting the build script's own messages: npm runs every lifecycle script
 * through `script-shell`, set here to a wrapper that logs the npm command (install / exec), the script
 * and how many files under build/ and dist/ the script wrote. The copy gets this checkout's node_modules as
 * hard links (no network: npm runs offline with its own empty cache), but no build/ and no dist/.
 */
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'oe-first-run-'));
const copy = join(work, 'oe');
const log = join(work, 'scripts.log');

/** One logged lifecycle script: which npm command ran it, which script, how many build/dist files it wrote. */
interface ScriptRun {
  command: string;
  event: string;
  written: number;
}

function scriptRuns(): ScriptRun[] {
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const [command, event, written] = l.split(' ');
      return { command, event, written: Number(written) };
    });
}

/** This checkout's files as git sees them (tracked and untracked-not-ignored), so uncommitted work is tested too. */
function copyCheckout(): void {
  const r = spawnSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  for (const f of r.stdout.split('\0').filter((x) => x !== '')) {
    const dest = join(copy, f);
    mkdirSync(dirname(dest), { recursive: true });
    try {
      copyFileSync(join(root, f), dest);
    } catch (e) {
      // a file deleted in the work tree but still in the index: the fresh copy has no such file either
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  const cp = spawnSync('cp', ['-al', join(root, 'node_modules'), join(copy, 'node_modules')], { encoding: 'utf8' });
  expect(cp.status, cp.stderr).toBe(0);
  // npm rewrites its hidden lockfile: a real copy, so nothing is written through the hard links.
  const hidden = join(copy, 'node_modules', '.package-lock.json');
  rmSync(hidden, { force: true });
  copyFileSync(join(root, 'node_modules', '.package-lock.json'), hidden);
}

function wrapperShell(): string {
  const path = join(work, 'script-shell');
  writeFileSync(
    path,
    `#!/bin/sh
marker=$(mktemp "${work}/marker.XXXXXX")
/bin/sh "$@"
rc=$?
written=$(find "${copy}/build" "${copy}/dist" -type f -newer "$marker" 2>/dev/null | wc -l)
echo "\${npm_command:-?} \${npm_lifecycle_event:-?} $written" >> "${log}"
rm -f "$marker"
exit $rc
`,
  );
  chmodSync(path, 0o755);
  return path;
}

function bash(script: string, timeoutMs: number) {
  return spawnSync('bash', ['-c', `set -euo pipefail\n${script}`], {
    cwd: copy,
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: {
      ...process.env,
      FORCE_COLOR: '0',
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_offline: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
      npm_config_update_notifier: 'false',
      npm_config_script_shell: wrapperShell(),
    },
  });
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const firstBlock = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
const firstLine = firstBlock.split('\n')[0].replace(/\s+#.*$/, '');

beforeAll(() => {
  copyCheckout();
  writeFileSync(log, '');
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('the README first line on a fresh copy', () => {
  it('is npm install then npx oe record', () => {
    expect(firstLine).toMatch(/^npm install && npx oe record --duration \S+$/);
  });

  it(
    'builds once in npm install and not again in npx oe',
    () => {
      const line = firstLine.replace(/--duration\s+\S+/, '--duration 2s');
      expect(line).toContain('npx oe record');
      const r = bash(line, 14 * 60_000);
      const runs = scriptRuns();
      const detail = `${JSON.stringify(runs)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
      expect(r.status, detail).toBe(0);
      expect(
        readdirSync(join(copy, 'sessions')).some((d) => d.includes('clock_jitter')),
        detail,
      ).toBe(true);
      // npm install built both (the check can fail: a build is seen)…
      const installed = runs.filter((s) => s.command === 'install');
      expect(installed.find((s) => s.event === 'install')?.written, detail).toBeGreaterThan(0);
      expect(installed.find((s) => s.event === 'prepare')?.written, detail).toBeGreaterThan(0);
      // …and nothing npx ran wrote a file under build/ or dist/.
      const execRuns = runs.filter((s) => s.command === 'exec');
      expect(execRuns.length, detail).toBeGreaterThan(0);
      for (const s of execRuns) expect(s, detail).toMatchObject({ written: 0 });
    },
    15 * 60_000,
  );

  it(
    'rebuilds what changed on the next npm install',
    () => {
      writeFileSync(log, '');
      appendFileSync(join(copy, 'native', 'src', 'oe_support.cc'), '\n// changed by test/first-run.test.ts\n');
      appendFileSync(join(copy, 'src', 'version.ts'), '\n// changed by test/first-run.test.ts\n');
      const r = bash('npm install', 10 * 60_000);
      const runs = scriptRuns();
      const detail = `${JSON.stringify(runs)}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
      expect(r.status, detail).toBe(0);
      expect(runs.find((s) => s.event === 'install')?.written, detail).toBeGreaterThan(0);
      expect(runs.find((s) => s.event === 'prepare')?.written, detail).toBeGreaterThan(0);
    },
    11 * 60_000,
  );
});
