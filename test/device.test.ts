import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { OeError } from '../src/errors.js';
import { prepareFifo } from '../src/serve/fifo-device.js';

const CLI = ['--import', 'tsx', 'src/cli/run.ts'];
const dir = mkdtempSync(join(tmpdir(), 'oe-device-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString();
      if (pattern.test(buf)) {
        child.stderr?.off('data', onData);
        resolve(buf);
      }
    };
    child.stderr?.on('data', onData);
    child.once('exit', (c) => reject(new Error(`exited ${c} before ${pattern}: ${buf}`)));
  });
}

/** A real reader process: `head -c N PATH`. */
function readWithHead(path: string, n: number): Buffer {
  const r = spawnSync('head', ['-c', String(n), path], { timeout: 30_000 });
  expect(r.status).toBe(0);
  return r.stdout;
}

describe.each([
  // cpu_memory_beat: credited with a wide health margin and small batches, so it stays healthy on a busy machine.
  ['oe device', (p: string) => ['device', p, '--sources', 'cpu_memory_beat']],
  ['oe stream --fifo', (p: string) => ['stream', '--fifo', p, '--sources', 'cpu_memory_beat']],
])('%s', (_name, argv) => {
  it('creates a 0600 FIFO, feeds readers as they come and go, removes it on SIGTERM', async () => {
    const path = join(dir, `fifo-${argv('x')[0]}`);
    const child = spawn(process.execPath, [...CLI, ...argv(path)], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitFor(child, /FIFO/);
    const st = lstatSync(path);
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    const a = readWithHead(path, 1000);
    expect(a.length).toBe(1000);
    const b = readWithHead(path, 5000);
    expect(b.length).toBe(5000);
    expect(a.equals(b.subarray(0, 1000))).toBe(false);
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});

describe('prepareFifo', () => {
  it('refuses an existing path that is not a FIFO and leaves it untouched', () => {
    const path = join(dir, 'regular-file');
    writeFileSync(path, 'keep me');
    expect(() => prepareFifo(path)).toThrow(`${path} exists and is not a FIFO; refusing to use it`);
    try {
      prepareFifo(path);
    } catch (e) {
      expect((e as OeError).code).toBe('BAD_INPUT');
    }
    expect(readFileSync(path, 'utf8')).toBe('keep me');
    mkdirSync(join(dir, 'a-dir'));
    expect(() => prepareFifo(join(dir, 'a-dir'))).toThrow(/is not a FIFO/);
  });

  it('creates a missing FIFO with mode 0600 and reuses an existing one of ours (mode set back to 0600)', () => {
    const path = join(dir, 'made');
    const made = prepareFifo(path);
    expect(made.created).toBe(true);
    const st = lstatSync(path);
    expect(st.isFIFO()).toBe(true);
    expect(st.mode & 0o777).toBe(0o600);
    expect(made).toEqual({ created: true, dev: st.dev, ino: st.ino });
    chmodSync(path, 0o644);
    expect(prepareFifo(path)).toEqual({ created: false, dev: st.dev, ino: st.ino });
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
  });

  it('refuses a symlink, even to a FIFO of ours', () => {
    const target = join(dir, 'link-target');
    prepareFifo(target);
    const link = join(dir, 'a-link');
    symlinkSync(target, link);
    expect(() => prepareFifo(link)).toThrow(`${link} exists and is not a FIFO; refusing to use it`);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  const asRoot = process.getuid?.() === 0;
  it.skipIf(!asRoot)('refuses a FIFO owned by another user and leaves its mode alone (needs root to chown)', () => {
    const path = join(dir, 'theirs');
    expect(spawnSync('mkfifo', ['-m', '622', path]).status).toBe(0);
    chownSync(path, 65534, 65534);
    expect(() => prepareFifo(path)).toThrow(
      `${path} is a FIFO owned by uid 65534, not by this user (uid 0); refusing to use it (its owner could read the stream)`,
    );
    const st = lstatSync(path);
    expect(st.mode & 0o777).toBe(0o622);
    expect(st.uid).toBe(65534);
    // Through the CLI: one line, exit 4 (bad input), the FIFO still there and unchanged.
    const r = spawnSync(process.execPath, [...CLI, 'device', path, '--sources', 'cpu_memory_beat'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(4);
    expect(r.stderr).toBe(
      `oe: ${path} is a FIFO owned by uid 65534, not by this user (uid 0); refusing to use it (its owner could read the stream)\n`,
    );
    expect(lstatSync(path).mode & 0o777).toBe(0o622);
  });
});
