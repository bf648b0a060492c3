import type { Writable } from 'node:stream';
import type { Conditioning } from '../collect/conditioning/index.js';
import type { EntropyPool } from '../collect/entropy-pool.js';
import { optionError } from '../errors.js';
import { sleep, writeWithBackpressure } from './sink.js';
import { StreamEncoder, type StreamFormat } from './stream-encoder.js';

export interface StreamOptions {
  /** Total bytes of entropy to emit (before encoding); undefined = until aborted or the reader leaves. */
  bytes?: number;
  /** Bytes of entropy per second; undefined or 0 = as fast as the pool delivers. */
  rate?: number;
  conditioning?: Conditioning;
  format?: StreamFormat;
  /** Draw from this source only (pool.getSourceBytes). */
  source?: string;
  signal?: AbortSignal;
  /** Largest chunk asked of the pool at once (default 4096). */
  chunkBytes?: number;
}

export interface StreamResult {
  /** Entropy bytes emitted (before encoding). */
  bytes: number;
  /** Bytes written to the sink (after encoding). */
  written: number;
  /** Why it ended. */
  ended: 'complete' | 'aborted';
  seconds: number;
}

/**
 * Streams pool output to `sink` in the requested encoding. The rate limit is a schedule, not a sleep
 * after each chunk: byte k is due at start + k/rate, so generation and write time count against it.
 * Write errors (EPIPE: the reader went away) reject with the underlying error.
 */
export async function streamEntropy(
  pool: EntropyPool,
  sink: Writable,
  options: StreamOptions = {},
): Promise<StreamResult> {
  const total = options.bytes;
  if (total !== undefined && (!Number.isSafeInteger(total) || total < 0)) {
    throw optionError('bytes', `must be a non-negative integer, got ${total}`);
  }
  const rate = options.rate ?? 0;
  if (!(Number.isFinite(rate) && rate >= 0)) throw optionError('rate', `must be a non-negative number, got ${rate}`);
  const mode = options.conditioning ?? 'sha256';
  const enc = new StreamEncoder(options.format ?? 'raw');
  const maxChunk = options.chunkBytes ?? 4096;
  // With a rate, about ten chunks a second keep the output smooth.
  const chunk = rate > 0 ? Math.max(1, Math.min(maxChunk, Math.floor(rate / 10))) : maxChunk;
  const start = performance.now();
  let emitted = 0;
  let written = 0;
  let ended: StreamResult['ended'] = 'complete';
  while (total === undefined || emitted < total) {
    if (options.signal?.aborted) {
      ended = 'aborted';
      break;
    }
    const n = total === undefined ? chunk : Math.min(chunk, total - emitted);
    const bytes = options.source ? await pool.getSourceBytes(options.source, n, mode) : await pool.getBytes(n, mode);
    const data = enc.push(bytes);
    if (data.length > 0) await writeWithBackpressure(sink, data);
    emitted += n;
    written += data.length;
    if (rate > 0) await sleep(start + (emitted / rate) * 1000 - performance.now(), options.signal);
  }
  const tail = enc.end();
  if (tail.length > 0) {
    await writeWithBackpressure(sink, tail);
    written += tail.length;
  }
  return { bytes: emitted, written, ended, seconds: (performance.now() - start) / 1000 };
}
