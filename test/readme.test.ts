/**
 * Every command in the README's `sh` code blocks runs here, block by block in one scratch directory,
 * as a bash script with `set -euo pipefail`, so the documentation cannot rot. Rewrites keep it short:
 * `--duration X` → 2 s, `--window-sec N` → 1. `npx oe` runs this checkout's CLI; `npm install`, `npm ci`
 * and `npm test` are not re-run here (CI runs exactly those around this suite).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tsxLoader } from '../src/util/workers.js';

const root = join(import.meta.dirname, '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/^```sh\n([\s\S]*?)^```/gm)].map((m) => m[1]);
const work = mkdtempSync(join(tmpdir(), 'oe-readme-'));

// `oe` on PATH runs this checkout from source; exec keeps its pid, so `oe server &` … `kill $!` stops the server.
const bin = join(work, '.bin');
mkdirSync(bin);
writeFileSync(
  join(bin, 'oe'),
  `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} --import ${tsxLoader()} ${JSON.stringify(join(root, 'src/cli/run.ts'))} "$@"\n`,
);
chmodSync(join(bin, 'oe'), 0o755);

const prelude = `set -euo pipefail
npm() { case "$1" in install|ci|test) return 0 ;; *) command npm "$@" ;; esac; }
trap 'kill $(jobs -p) 2>/dev/null || true' EXIT
`;

/** Runs `npx oe` as this checkout and shortens what would take minutes; everything else runs as written. */
function shorten(script: string): string {
  return script
    .replace(/\bnpx oe\b/g, 'oe')
    .replace(/--duration\s+\S+/g, '--duration 2s')
    .replace(/--window-sec\s+\d+/g, '--window-sec 1');
}

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('README', () => {
  it('starts with the install-and-run command and the test command', () => {
    expect(blocks.length).toBeGreaterThan(3);
    const first = blocks[0].split('\n').filter((l) => l.trim() !== '');
    expect(first[0]).toMatch(/^npm install && npx oe record --duration 60\b/);
    expect(first[1]).toMatch(/^npm test\b/);
  });

  blocks.forEach((block, i) => {
    const first = block.split('\n')[0].replace(/\s+#.*$/, '');
    it(`block ${i + 1} runs: ${first}`, () => {
      const r = spawnSync('bash', ['-c', prelude + shorten(block)], {
        cwd: work,
        encoding: 'utf8',
        timeout: 240_000,
        maxBuffer: 256 * 1024 * 1024,
        env: { ...process.env, FORCE_COLOR: '0', PATH: `${bin}:${process.env.PATH}` },
      });
      expect(r.status, `${block}\n--- stderr ---\n${r.stderr.slice(-3000)}`).toBe(0);
    }, 300_000);
  });
});
