import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, lstatSync, openSync, unlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Conditioning } from '../collect/conditioning/index.js';
import type { EntropyPool } from '../collect/entropy-pool.js';
import { errorMessage, isOeError, OeError } from '../errors.js';
import { sleep, writeWithBackpressure } from './sink.js';

export interface FifoOptions {
  conditioning?: Conditioning;
  source?: string;
  /** Bytes per write (default 4096). */
  chunkBytes?: number;
  /** Bytes per second; 0 = as fast as readers read. */
  rate?: number;
  signal?: AbortSignal;
  /** Progress and trouble, one line each (the CLI prints them; the library never does). */
  onEvent?: (event: FifoEvent) => void;
  /** How often to look for a reader, ms (default 50). */
  pollMs?: number;
}

export type FifoEvent =
  | { type: 'created' | 'reused'; path: string }
  | { type: 'reader'; readers: number }
  | { type: 'reader-gone'; bytes: number }
  | { type: 'waiting'; reason: string }
  | { type: 'removed'; path: string };

/**
 * Prepares `path` as a FIFO with mode 0600. A missing path is created with `mkfifo -m 600` (the mode
 * is set atomically, not after a umask window); an existing FIFO is reused and set to 0600; anything
 * else is refused. Returns whether the FIFO was created here (and so is removed at the end).
 */
export function prepareFifo(path: string): { created: boolean } {
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new OeError('IO', `cannot inspect ${path}: ${errorMessage(e)}`);
  }
  if (st) {
    if (!st.isFIFO()) throw new OeError('BAD_INPUT', `${path} exists and is not a FIFO; refusing to use it`);
    try {
      chmodSync(path, 0o600);
    } catch (e) {
      throw new OeError('IO', `cannot set mode 0600 on ${path}: ${errorMessage(e)}`);
    }
    return { created: false };
  }
  try {
    execFileSync('mkfifo', ['-m', '600', '--', path], { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (e) {
    const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
    throw new OeError('IO', `cannot create FIFO ${path}: ${stderr || errorMessage(e)}`);
  }
  return { created: true };
}

/** Opens the FIFO for writing once a reader has it open; null when aborted first. */
async function waitForReader(path: string, pollMs: number, signal?: AbortSignal): Promise<Socket | null> {
  for (;;) {
    if (signal?.aborted) return null;
    let fd: number;
    try {
      // Non-blocking: ENXIO while no reader has the FIFO open, so the event loop never blocks in open().
      fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENXIO') {
        await sleep(pollMs, signal);
        continue;
      }
      throw new OeError('IO', `cannot open FIFO ${path}: ${errorMessage(e)}`);
    }
    const st = lstatSync(path, { throwIfNoEntry: false });
    if (!st?.isFIFO()) {
      closeSync(fd);
      throw new OeError('IO', `${path} was replaced while in use`);
    }
    return new Socket({ fd, readable: false, writable: true });
  }
}

/**
 * Feeds pool output into the FIFO at `path` until `signal` aborts: waits for a reader, writes while
 * it reads, and waits for the next one when it leaves. Conditioned output fails closed: while no
 * healthy source can back it, nothing is written and readers simply wait. The FIFO is removed at the
 * end if it was created here.
 */
export async function runFifoDevice(pool: EntropyPool, path: string, options: FifoOptions = {}): Promise<void> {
  const { created } = prepareFifo(path);
  const emit = options.onEvent ?? (() => {});
  emit({ type: created ? 'created' : 'reused', path });
  const mode = options.conditioning ?? 'sha256';
  const chunk = options.chunkBytes ?? 4096;
  const rate = options.rate ?? 0;
  const signal = options.signal;
  let readers = 0;
  try {
    while (!signal?.aborted) {
      const sock = await waitForReader(path, options.pollMs ?? 50, signal);
      if (!sock) break;
      sock.on('error', () => {}); // handled through writeWithBackpressure
      emit({ type: 'reader', readers: ++readers });
      let sent = 0;
      const start = performance.now();
      try {
        while (!signal?.aborted) {
          let bytes: Uint8Array;
          try {
            bytes = options.source
              ? await pool.getSourceBytes(options.source, chunk, mode)
              : await pool.getBytes(chunk, mode);
          } catch (e) {
            if (isOeError(e) && (e.code === 'HEALTH' || e.code === 'TIMEOUT')) {
              emit({ type: 'waiting', reason: e.message });
              await sleep(1000, signal);
              continue;
            }
            throw e;
          }
          await writeWithBackpressure(sock, bytes);
          sent += bytes.length;
          if (rate > 0) await sleep(start + (sent / rate) * 1000 - performance.now(), signal);
        }
      } catch (e) {
        if (isOeError(e)) throw e;
        emit({ type: 'reader-gone', bytes: sent });
      } finally {
        sock.destroy();
      }
    }
  } finally {
    if (created) {
      try {
        unlinkSync(path);
        emit({ type: 'removed', path });
      } catch {
        // Already gone: nothing to clean up.
      }
    }
  }
}
