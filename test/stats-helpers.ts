import { createHash } from 'node:crypto';

/**
 * Deterministic test data that is not produced by the code under test: SHA-256 in counter mode gives
 * bytes indistinguishable from uniform i.i.d. (the standard assumption about SHA-256), reproducibly.
 */
export function shaBytes(n: number, seed = 'oe-test'): Uint8Array {
  const out = new Uint8Array(n);
  let o = 0;
  for (let c = 0; o < n; c++) {
    const h = createHash('sha256').update(`${seed}:${c}`).digest();
    out.set(h.subarray(0, Math.min(32, n - o)), o);
    o += 32;
  }
  return out;
}

/** Uniform (0,1) doubles from shaBytes (53-bit mantissas from 7 bytes each). */
export function shaUniform(n: number, seed = 'oe-u'): Float64Array {
  const b = shaBytes(7 * n, seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v = 0;
    for (let j = 0; j < 7; j++) v = v * 256 + b[7 * i + j];
    out[i] = (v + 0.5) / 2 ** 56;
  }
  return out;
}

/** Standard normal draws by Box–Muller from shaUniform. */
export function shaNormal(n: number, seed = 'oe-n'): Float64Array {
  const u = shaUniform(2 * n, seed);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u[2 * i])) * Math.cos(2 * Math.PI * u[2 * i + 1]);
  return out;
}
