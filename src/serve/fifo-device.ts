import { execFileSync } from 'node:child_process';
import { closeSync, constants, fchmodSync, fstatSync, lstatSync, openSync, unlinkSync } from 'node:fs';
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

/** The FIFO `prepareFifo` vetted: whether it was created here (and so is removed at the end), and its identity. */
export interface PreparedFifo {
  created: boolean;
  dev: number;
  ino: number;
}

/**
 * Prepares `path` as a FIFO with mode 0600 owned by this user. A missing path is created with
 * `mkfifo -m 600` (the mode is set atomically, not after a umask window); an existing FIFO is reused
 * only if this user owns it (its owner could otherwise set the mode back and read the stream); a
 * symlink or anything else is refused. The check and the chmod go through one descriptor opened
 * without following symlinks, so the path cannot be swapped between them.
 */
export function prepareFifo(path: string): PreparedFifo {
  let st: ReturnType<typeof lstatSync> | undefined;
  try {
    st = lstatSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT')
      throw new OeError('IO', `cannot inspect ${path}: ${errorMessage(e)}`);
  }
  if (st && !st.isFIFO()) throw new OeError('BAD_INPUT', `${path} exists and is not a FIFO; refusing to use it`);
  if (!st) {
    try {
      execFileSync('mkfifo', ['-m', '600', '--', path], { stdio: ['ignore', 'ignore', 'pipe'] });
    } catch (e) {
      const stderr = (e as { stderr?: Buffer }).stderr?.toString().trim();
      throw new OeError('IO', `cannot create FIFO ${path}: ${stderr || errorMessage(e)}`);
    }
  }
  let fd: number;
  try {
    // Opening a FIFO for reading with O_NONBLOCK returns at once, reader or not.
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new OeError('BAD_INPUT', `${path} is a symlink; refusing to use it`);
    throw new OeError('IO', `cannot open FIFO ${path}: ${errorMessage(e)}`);
  }
  try {
    const f = fstatSync(fd);
    if (!f.isFIFO()) throw new OeError('BAD_INPUT', `${path} exists and is not a FIFO; refusing to use it`);
    const me = process.getuid?.();
    if (me !== undefined && f.uid !== me) {
      throw new OeError(
        'BAD_INPUT',
        `${path} is a FIFO owned by uid ${f.uid}, not by this user (uid ${me}); refusing to use it (its owner could read the stream)`,
      );
    }
    if ((f.mode & 0o777) !== 0o600) fchmodSync(fd, 0o600);
    return { created: !st, dev: f.dev, ino: f.ino };
  } catch (e) {
    if (e instanceof OeError) throw e;
    throw new OeError('IO', `cannot set mode 0600 on ${path}: ${errorMessage(e)}`);
  } finally {
    closeSync(fd);
  }
}

/** Opens the FIFO for writing once a reader has it open; null when aborted first. */
async function waitForReader(
  path: string,
  fifo: PreparedFifo,
  pollMs: number,
  signal?: AbortSignal,
): Promise<Socket | null> {
  for (;;) {
    if (signal?.aborted) return null;
    let fd: number;
    try {
      // Non-blocking: ENXIO while no reader has the FIFO open, so the event loop never blocks in open().
      fd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENXIO') {
        await sleep(pollMs, signal);
        continue;
      }
      throw new OeError('IO', `cannot open FIFO ${path}: ${errorMessage(e)}`);
    }
    // The very FIFO prepareFifo vetted, not one swapped in at the same path since.
    const st = fstatSync(fd);
    if (st.dev !== fifo.dev || st.ino !== fifo.ino) {
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
  const fifo = prepareFifo(path);
  const { created } = fifo;
  const emit = options.onEvent ?? (() => {});
  emit({ type: created ? 'created' : 'reused', path });
  const mode = options.conditioning ?? 'sha256';
  const chunk = options.chunkBytes ?? 4096;
  const rate = options.rate ?? 0;
  const signal = options.signal;
  let readers = 0;
  try {
    while (!signal?.aborted) {
      const sock = await waitForReader(path, fifo, options.pollMs ?? 50, signal);
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
