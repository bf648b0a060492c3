import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { EntropyPool } from '../src/collect/entropy-pool.js';
import { streamEntropy } from '../src/serve/stream.js';
import { StreamEncoder } from '../src/serve/stream-encoder.js';

const CLI = ['--import', 'tsx', 'src/cli/run.ts'];
/**
 * A credited source whose health does not hinge on an idle machine: start-up MCV estimate ~3 bit/sample against
 * its credit cap of 1 (wide APT/RCT margin) and small batches (8192 samples, well under the 5 s deadline with
 * both cores busy). clock_jitter (estimate close to its 0.1-bit cap, 262144-sample batches) failed its APT or
 * its batch deadline under load, and the pool rightly failed closed.
 */
const SOURCE = 'cpu_memory_beat';

function collect(): { sink: PassThrough; text: () => Buffer } {
  const sink = new PassThrough();
  const parts: Buffer[] = [];
  sink.on('data', (d: Buffer) => parts.push(d));
  return { sink, text: () => Buffer.concat(parts) };
}

describe('StreamEncoder', () => {
  it('base64 over arbitrary chunking is one valid document equal to one-shot encoding', () => {
    const data = randomBytes(10_007);
    for (const cut of [1, 2, 3, 4, 1000, 4096]) {
      const enc = new StreamEncoder('base64');
      const parts: Buffer[] = [];
      for (let o = 0; o < data.length; o += cut) parts.push(enc.push(data.subarray(o, o + cut)));
      parts.push(enc.end());
      expect(Buffer.concat(parts).toString('ascii')).toBe(`${data.toString('base64')}\n`);
    }
    const hex = new StreamEncoder('hex');
    expect(Buffer.concat([hex.push(data.subarray(0, 5)), hex.push(data.subarray(5, 9)), hex.end()]).toString()).toBe(
      `${data.subarray(0, 9).toString('hex')}\n`,
    );
  });
});

describe('streamEntropy over real sources', () => {
  const pool = EntropyPool.auto({ sources: SOURCE });
  afterAll(() => pool.close());

  it('emits exactly --bytes in every mode and format', async () => {
    for (const conditioning of ['sha256', 'vonneumann', 'raw'] as const) {
      for (const format of ['raw', 'hex', 'base64'] as const) {
        for (const bytes of [0, 1, 1001]) {
          const { sink, text } = collect();
          // 1000-byte chunks: not a multiple of 3, so base64 must carry bytes across chunks.
          const r = await streamEntropy(pool, sink, { bytes, conditioning, format, chunkBytes: 1000 });
          const out = text();
          const label = `${conditioning}/${format}/${bytes}`;
          expect(r.bytes, label).toBe(bytes);
          expect(r.written, label).toBe(out.length);
          if (format === 'raw') expect(out.length, label).toBe(bytes);
          else if (format === 'hex') {
            expect(out.toString(), label).toMatch(/^[0-9a-f]*\n$/);
            expect(out.length, label).toBe(2 * bytes + 1);
          } else {
            const s = out.toString();
            expect(s, label).toMatch(/^([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?\n$/);
            expect(Buffer.from(s, 'base64').length, label).toBe(bytes);
          }
        }
      }
    }
  });

  it('paces output by schedule (rate 4000 B/s: 400 bytes are not done before 100 ms)', async () => {
    const { sink, text } = collect();
    const t0 = performance.now();
    const r = await streamEntropy(pool, sink, { bytes: 400, rate: 4000 });
    expect(performance.now() - t0).toBeGreaterThanOrEqual(95);
    expect(text().length).toBe(400);
    expect(r.ended).toBe('complete');
  });

  it('stops when aborted and still closes the base64 document', async () => {
    const { sink, text } = collect();
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 150);
    const r = await streamEntropy(pool, sink, { rate: 2000, format: 'base64', signal: ac.signal });
    expect(r.ended).toBe('aborted');
    const s = text().toString();
    expect(Buffer.from(s, 'base64').length).toBe(r.bytes);
    expect(s.endsWith('\n')).toBe(true);
  });
});

describe('oe stream (CLI)', () => {
  it('writes exactly --bytes and exits 0', () => {
    const r = spawnSync(
      process.execPath,
      [...CLI, 'stream', '--bytes', '777', '--format', 'base64', '--sources', SOURCE],
      {
        encoding: 'utf8',
        timeout: 120_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(Buffer.from(r.stdout, 'base64').length).toBe(777);
  });

  it('ends quietly when the reader closes the pipe', async () => {
    const child = spawn(process.execPath, [...CLI, 'stream', '--sources', SOURCE], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    let got = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        got += d.length;
        if (got >= 100) {
          child.stdout.destroy();
          resolve();
        }
      });
      // An early exit (e.g. fail closed) is this test's failure with the reason, not a timeout.
      child.once('exit', (c) => reject(new Error(`oe stream exited ${c} after ${got} bytes: ${stderr}`)));
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(stderr).toBe('');
  });

  it('fails closed with exit 8 and no output when nothing credited backs sha256', () => {
    const r = spawnSync(process.execPath, [...CLI, 'stream', '--bytes', '32', '--sources', 'getrandom'], {
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(r.status).toBe(8);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^oe: sha256 output: no healthy entropy source .*getrandom uncredited reference source/);
  });
});
