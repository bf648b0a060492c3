import { createRequire } from 'node:module';
import { OeError } from '../src/errors.js';

/**
 * The reference for src/analyze/sp800-90b/bzip2-size.ts: libbzip2 itself (the `libbzip2-wasm`
 * package, libbzip2 compiled to WebAssembly) compressing the §5.1.11 text at level 5 as NIST's tool
 * does with BZ2_bzBuffToBuffCompress(level 5, workFactor 0).
 */
interface Bz2Module {
  /** Embind's std::string parameter takes a string or a Uint8Array (copied into the WASM heap). */
  compressBZ2(
    input: string | Uint8Array,
    blockSize: number,
    workFactor: number,
  ): { error: number; errorMsg: string; output: string; delete?: () => void };
}
interface Bz2Factory {
  then(cb: (m: Bz2Module) => void): void;
}

let instance: Bz2Module | undefined;
let pending: Promise<void> | undefined;
let calls = 0;
/**
 * The package's C++ wrapper leaks its buffers inside the WebAssembly heap (a few MB per call, and a
 * WASM memory never shrinks), so the module is re-instantiated every few calls and the old heap
 * becomes garbage.
 */
const CALLS_PER_INSTANCE = 8;

function instantiate(): Promise<Bz2Module> {
  return new Promise((resolve, reject) => {
    try {
      const require = createRequire(import.meta.url);
      const factory = require('libbzip2-wasm') as () => Bz2Factory;
      // Emscripten registers process-wide handlers per instance, which would keep every old instance
      // (and its heap) alive: remove the ones this instantiation adds.
      const before = {
        uncaughtException: new Set(process.listeners('uncaughtException')),
        unhandledRejection: new Set(process.listeners('unhandledRejection')),
      };
      const m = factory();
      const added = (ev: 'uncaughtException' | 'unhandledRejection') =>
        process.listeners(ev as 'uncaughtException').filter((l) => !before[ev].has(l as never));
      for (const l of added('uncaughtException')) process.removeListener('uncaughtException', l);
      for (const l of added('unhandledRejection')) process.removeListener('unhandledRejection', l as never);
      // the emscripten object is itself "thenable": hand it over without resolving through it
      m.then((mod) => resolve({ compressBZ2: mod.compressBZ2.bind(mod) }));
    } catch (e) {
      reject(new OeError('UNAVAILABLE', `bzip2 (libbzip2-wasm) cannot be loaded: ${(e as Error).message}`));
    }
  });
}

/**
 * Makes a usable module ready on this thread: loads it the first time and replaces it once it has
 * served CALLS_PER_INSTANCE compressions. Await it before each bzip2Size call (cheap when nothing to do).
 */
export function loadBzip2(): Promise<void> {
  if (instance && calls < CALLS_PER_INSTANCE) return Promise.resolve();
  if (!pending)
    pending = instantiate().then(
      (m) => {
        instance = m;
        calls = 0;
        pending = undefined;
      },
      (e) => {
        pending = undefined;
        throw e;
      },
    );
  return pending;
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
  // The result is a C++ object owned by the WASM heap: read it, then free it (embind's delete).
  calls++;
  const r = instance.compressBZ2(compressionText(raw), 5, 0);
  try {
    if (r.error !== 0) throw new OeError('FAILED', `bzip2 failed: ${r.errorMsg}`);
    return r.output.length;
  } finally {
    r.delete?.();
  }
}
