import { createRequire } from 'node:module';
import { OeError } from '../../errors.js';

/**
 * bzip2 compressed sizes for the §5.1.11 compression test. NIST's tool calls libbzip2's
 * BZ2_bzBuffToBuffCompress(level 5, workFactor 0); the `libbzip2-wasm` package is libbzip2 itself
 * compiled to WebAssembly, so the sizes are byte-for-byte those of the C library (checked against
 * the `bzip2 -5` command and the tool's unpermuted statistic in the tests).
 */
interface Bz2Module {
  /** Embind's std::string parameter takes a string or a Uint8Array (copied into the WASM heap). */
  compressBZ2(
    input: string | Uint8Array,
    blockSize: number,
    workFactor: number,
  ): { error: number; errorMsg: string; output: string };
}
interface Bz2Factory {
  then(cb: (m: Bz2Module) => void): void;
}

let ready: Promise<void> | undefined;
let instance: Bz2Module | undefined;

/** Loads the WebAssembly module once per thread. */
export function loadBzip2(): Promise<void> {
  if (!ready) {
    ready = new Promise((resolve, reject) => {
      try {
        const require = createRequire(import.meta.url);
        const factory = require('libbzip2-wasm') as () => Bz2Factory;
        const m = factory();
        m.then((mod) => {
          // the emscripten object is itself "thenable": hand it over without resolving through it
          instance = mod;
          resolve();
        });
      } catch (e) {
        reject(new OeError('UNAVAILABLE', `bzip2 (libbzip2-wasm) cannot be loaded: ${(e as Error).message}`));
      }
    });
  }
  return ready;
}

const DIGITS: Uint8Array[] = Array.from({ length: 256 }, (_, i) => new TextEncoder().encode(String(i)));
let textBuf = new Uint8Array(0);

/**
 * The §5.1.11 text: the sample values in decimal separated by single spaces, as ASCII bytes in a
 * reused buffer (valid until the next call; no per-round garbage).
 */
export function compressionText(raw: Uint8Array): Uint8Array {
  if (textBuf.length < raw.length * 4) textBuf = new Uint8Array(raw.length * 4);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    if (i > 0) textBuf[o++] = 32;
    const d = DIGITS[raw[i]];
    for (let k = 0; k < d.length; k++) textBuf[o++] = d[k];
  }
  return textBuf.subarray(0, o);
}

/** Size in bytes of bzip2 -5 of the §5.1.11 text. Call after `await loadBzip2()`. */
export function bzip2Size(raw: Uint8Array): number {
  if (!instance) throw new OeError('FAILED', 'bzip2 module not loaded: await loadBzip2() first');
  const r = instance.compressBZ2(compressionText(raw), 5, 0);
  if (r.error !== 0) throw new OeError('FAILED', `bzip2 failed: ${r.errorMsg}`);
  return r.output.length;
}
