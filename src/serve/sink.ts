import type { Writable } from 'node:stream';

/**
 * Writes `data` to a stream and waits for 'drain' when the stream asks for it. Rejects if the stream
 * errors or closes first (a reader that went away: EPIPE), so callers never wait forever.
 */
export function writeWithBackpressure(sink: Writable, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    if (sink.destroyed || sink.writableEnded) {
      reject(Object.assign(new Error('write after the stream was closed'), { code: 'EPIPE' }));
      return;
    }
    const onError = (e: Error) => {
      cleanup();
      reject(e);
    };
    const onClose = () => {
      cleanup();
      reject(Object.assign(new Error('the reader closed the stream'), { code: 'EPIPE' }));
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const cleanup = () => {
      sink.off('error', onError);
      sink.off('close', onClose);
      sink.off('drain', onDrain);
    };
    sink.on('error', onError);
    sink.on('close', onClose);
    const ok = sink.write(data, (err) => {
      if (err) onError(err);
      else if (ok) onDrain();
    });
    if (!ok) sink.on('drain', onDrain);
  });
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) {
      resolve();
      return;
    }
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
