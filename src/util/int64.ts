/**
 * 64-bit integer columns (DuckDB BIGINT → BigInt64Array) as doubles without creating a BigInt per element:
 * reading `a[i]` of a BigInt64Array allocates a heap BigInt, which for tens of millions of samples costs
 * more in garbage collection than the arithmetic that uses them.
 */
import { endianness } from 'node:os';

const LITTLE = endianness() === 'LE';

/**
 * `out[i] = Number(values[i])` for every i, exactly: each value is hi·2³² + lo (hi signed, lo unsigned
 * 32 bits); hi·2³² is exact, and the one addition rounds the exact sum to nearest, as Number() does.
 * `out` must hold values.length numbers (a fresh array when omitted).
 */
export function int64ToFloat64(
  values: BigInt64Array,
  out: Float64Array = new Float64Array(values.length),
): Float64Array {
  const n = values.length;
  if (out.length < n) throw new RangeError(`int64ToFloat64: out holds ${out.length} numbers, needs ${n}`);
  if (!LITTLE) {
    for (let i = 0; i < n; i++) out[i] = Number(values[i]);
    return out;
  }
  const w = new Int32Array(values.buffer, values.byteOffset, 2 * n);
  for (let i = 0, k = 0; i < n; i++, k += 2) out[i] = w[k + 1] * 4294967296 + (w[k] >>> 0);
  return out;
}

/**
 * out[off + i] = start + i × step for i < n, written through the 32-bit halves (little-endian) instead of
 * creating a BigInt per element: ~20× faster for the seq column. Values stay below 2^53.
 */
export function fillRange(out: BigInt64Array, off: number, n: number, start: number, step: number): void {
  if (!LITTLE) {
    for (let i = 0; i < n; i++) out[off + i] = BigInt(start + i * step);
    return;
  }
  const w = new Int32Array(out.buffer, out.byteOffset + off * 8, n * 2);
  for (let i = 0; i < n; i++) {
    const v = start + i * step;
    w[2 * i] = v | 0;
    w[2 * i + 1] = Math.floor(v / 4294967296);
  }
}
