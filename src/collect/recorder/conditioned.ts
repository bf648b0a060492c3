/**
 * The conditioned-output loop (`oe record --conditioning MODE`): an EntropyPool over the recorded
 * sources and the same sampler is asked for CONDITIONED_REQUEST bytes back to back while the session
 * runs; the bytes wait here until the part writer takes them into `conditioned/`.
 */
import { errorMessage } from '../../errors.js';
import { concatBytes } from '../../util/typed-arrays.js';
import type { Conditioning } from '../conditioning/index.js';
import { EntropyPool } from '../entropy-pool.js';
import type { Sampler } from '../sampler.js';
import type { SourceSpec } from '../types.js';
import { CONDITIONED_REQUEST } from './options.js';

/** What the part writer takes from: the bytes buffered since the last take, and their stream position. */
export interface ConditionedBuffer {
  take(): { seqStart: number; bytes: Uint8Array } | null;
}

export class ConditionedOutput implements ConditionedBuffer {
  /** Bytes received from the pool. */
  bytes = 0;
  errors = 0;
  lastError: string | null = null;
  private pending: Uint8Array[] = [];
  private seq = 0;
  private readonly pool: EntropyPool;

  constructor(
    private readonly mode: Conditioning,
    specs: readonly SourceSpec[],
    sampler: Sampler,
    batchTimeoutMs: number,
  ) {
    // The pool samples the sources itself (its own health-tested harvest), sharing the workers.
    this.pool = new EntropyPool({ sources: specs, sampler, batchTimeoutMs, requestTimeoutMs: 2000, probe: () => null });
  }

  /** Requests output until `stop` aborts, then closes the pool. */
  async run(stop: AbortSignal): Promise<void> {
    while (!stop.aborted) {
      try {
        const b = await this.pool.getBytes(CONDITIONED_REQUEST, this.mode);
        this.pending.push(b);
        this.bytes += b.length;
      } catch (e) {
        // Fail closed is the pool's job: no unbacked byte is recorded; note the error and retry.
        this.errors++;
        this.lastError = errorMessage(e);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  take(): { seqStart: number; bytes: Uint8Array } | null {
    if (this.pending.length === 0) return null;
    const bytes = concatBytes(this.pending);
    this.pending = [];
    const seqStart = this.seq;
    this.seq += bytes.length;
    return { seqStart, bytes };
  }
}
