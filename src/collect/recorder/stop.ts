/**
 * When a recording ends and why: the duration, the caller's signal, max-samples everywhere, or a fatal
 * write error. The first reason wins; the abort signal tells every loop to stop.
 */
import { errorMessage, isOeError, OeError } from '../../errors.js';

export class RecordingStop {
  private readonly controller = new AbortController();
  /** Why it ended: duration, max-samples, stopped, error, or the caller's abort reason (SIGINT, …). */
  reason: string | null = null;
  /** The write error that ended the recording, if any. */
  fatal: OeError | null = null;
  /**
   * Why the recording was stopped on purpose before it could do what was asked (the size check): not
   * a write error, so the last flush and the merge still run, but the session is marked failed with it.
   */
  refusal: OeError | null = null;
  private durationTimer: NodeJS.Timeout | null = null;
  private readonly onAbort = (): void => {
    const r = this.signalIn?.reason;
    this.request(typeof r === 'string' ? r : r instanceof Error && r.message ? r.message : 'aborted');
  };

  constructor(
    private readonly signalIn: AbortSignal | undefined,
    durationSec: number | null,
  ) {
    if (signalIn?.aborted) this.onAbort();
    else signalIn?.addEventListener('abort', this.onAbort, { once: true });
    if (durationSec !== null) this.endAt(performance.now() + durationSec * 1000);
  }

  /** Requests the stop at `t` (performance.now() time), re-arming past setTimeout's 2^31-1 ms limit. */
  private endAt(t: number): void {
    const left = t - performance.now();
    if (left <= 0) this.request('duration');
    else this.durationTimer = setTimeout(() => this.endAt(t), Math.min(left, 2 ** 31 - 1));
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  request(reason: string): void {
    if (!this.reason) this.reason = reason;
    this.controller.abort();
  }

  /** Ends the recording with a write error (the first one is kept). */
  fail(e: unknown): void {
    this.fatal ??= isOeError(e) ? e : new OeError('IO', errorMessage(e));
    this.request('error');
  }

  /** Stops the recording with a reason that makes it fail without being a write error (see `refusal`). */
  refuse(e: OeError, reason: string): void {
    if (this.reason) return;
    this.refusal = e;
    this.request(reason);
  }

  /** Stops for good and detaches from the caller's signal; `fallback` is the reason if none was given. */
  dispose(fallback: string): void {
    if (!this.reason) this.reason = fallback;
    this.controller.abort();
    if (this.durationTimer) clearTimeout(this.durationTimer);
    this.signalIn?.removeEventListener('abort', this.onAbort);
  }
}
