/**
 * The README's first line, run literally (`npm install && npx oe record …`, only the duration shortened) in a
 * fresh copy of this checkout: `npm install` builds the addon and the TypeScript once, and `npx oe` (which npm
 * answers by linking the package into its exec cache and running its install and prepare scripts again) must
 * not build anything a second time. Then a changed native source and a changed TypeScript source are rebuilt
 * by the next `npm install`.
 *
 * How builds are seen without trusting the build script's own messages: a bash DEBUG trap lists every file
 * under build/ and dist/ (path, inode, mtime) just before each command of the line starts and once more at
 * the end, so the files each command wrote or replaced are known. The copy gets this checkout's node_modules
 * as hard links (no network: npm runs offline with its own empty cache), but no build/ and no dist/.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const work = mkdtempSync(join(tmpdir(), 'oe-first-run-'));
const copy = join(work, 'oe');
const snaps = join(work, 'snapshots');

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

/** One snapshot per command of the line, taken just before it ran (`final` after the last one). */
interface Snapshot {
  before: string;
  files: Map<string, string>;
}

/**
 * Runs `line` in the copy with a DEBUG trap that snapshots build/ and dist/ before each command; returns the
 * result and the snapshots in order (the last one, `final`, taken after the line).
 */
function runWithSnapshots(line: string, timeoutMs: number) {
  rmSync(snaps, { recursive: true, force: true });
  mkdirSync(snaps);
  const snap = `{ find build dist -type f -printf '%p %i %T@\\n' 2>/dev/null || true; } | sort`;
  const script = `set -euo pipefail
n=0
snap() { n=$((n+1)); { printf '%s\\n' "$1"; ${snap}; } > "${snaps}/$(printf %03d $n)"; }
trap 'snap "$BASH_COMMAND"' DEBUG
${line}
trap - DEBUG
snap final
`;
  const r = spawnSync('bash', ['-c', script], {
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
    },
  });
  const snapshots: Snapshot[] = readdirSync(snaps)
    .sort()
    .map((f) => {
      const [before, ...rows] = readFileSync(join(snaps, f), 'utf8').split('\n');
      const files = new Map<string, string>();
      for (const row of rows.filter((x) => x !== '')) {
        const i = row.indexOf(' ');
        files.set(row.slice(0, i), row.slice(i + 1));
      }
      return { before, files };
    })
    // the trap also fires for its own `trap - DEBUG`; that command changes nothing
    .filter((s) => !s.before.startsWith('trap '));
  return { r, snapshots };
}

/** Files added or replaced (new inode or mtime) between two snapshots. */
function written(a: Snapshot, b: Snapshot): string[] {
  return [...b.files].filter(([p, id]) => a.files.get(p) !== id).map(([p]) => p);
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const firstBlock = /^```sh\n([\s\S]*?)^```/m.exec(readme)?.[1] ?? '';
const firstLine = firstBlock.split('\n')[0].replace(/\s+#.*$/, '');

beforeAll(() => copyCheckout());
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
      const { r, snapshots } = runWithSnapshots(line, 14 * 60_000);
      const detail = `${snapshots.map((s) => s.before).join(' | ')}\n--- stderr ---\n${r.stderr.slice(-3000)}`;
      expect(r.status, detail).toBe(0);
      expect(
        readdirSync(join(copy, 'sessions')).some((d) => d.includes('clock_jitter')),
        detail,
      ).toBe(true);
      expect(snapshots.map((s) => s.before)).toEqual(['npm install', line.slice('npm install && '.length), 'final']);
      const [beforeInstall, beforeNpx, after] = snapshots;
      // npm install built both (so the check sees a build when there is one)…
      const installWrote = written(beforeInstall, beforeNpx);
      expect(installWrote).toContain('build/Release/oe_native.node');
      expect(installWrote).toContain('dist/cli/main.js');
      // …and npx oe wrote nothing under build/ or dist/.
      expect(written(beforeNpx, after)).toEqual([]);
    },
    15 * 60_000,
  );

  it(
    'rebuilds what changed on the next npm install',
    () => {
      appendFileSync(join(copy, 'native', 'src', 'oe_support.cc'), '\n// changed by test/first-run.test.ts\n');
      appendFileSync(join(copy, 'src', 'version.ts'), '\n// changed by test/first-run.test.ts\n');
      const { r, snapshots } = runWithSnapshots('npm install', 10 * 60_000);
      expect(r.status, r.stderr.slice(-3000)).toBe(0);
      const wrote = written(snapshots[0], snapshots[1]);
      expect(wrote).toContain('build/Release/oe_native.node');
      expect(wrote).toContain('dist/version.js');
      // Incremental: the unchanged sources' objects were not compiled again.
      expect(wrote).not.toContain('build/Release/obj.target/oe_native/native/src/clock_jitter.o');
    },
    11 * 60_000,
  );
});
