/**
 * Extractions from raw int64 measurements to one byte per measurement. Each is pure and documented
 * so that a session's `byte` column can be recomputed from its `value` column. They read the
 * little-endian byte view (x86-64 and arm64 Linux are little-endian) instead of converting BigInts.
 */

function byteView(values: BigInt64Array): Uint8Array {
  return new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
}

/** The low 8 bits of each measurement: where timing jitter lives. */
export function lowByte(values: BigInt64Array): Uint8Array {
  const bytes = byteView(values);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = bytes[i * 8];
  return out;
}

/** XOR of the eight bytes of each measurement: keeps variation from any byte of a wide value. */
export function xorFold(values: BigInt64Array): Uint8Array {
  const bytes = byteView(values);
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const o = i * 8;
    out[i] =
      bytes[o] ^ bytes[o + 1] ^ bytes[o + 2] ^ bytes[o + 3] ^ bytes[o + 4] ^ bytes[o + 5] ^ bytes[o + 6] ^ bytes[o + 7];
  }
  return out;
}

/**
 * Low byte of the first difference x[i] - x[i-1] (exact: the low byte of a difference is the
 * difference of the low bytes mod 256); the first output is the low byte of x[0].
 */
export function deltaLowByte(values: BigInt64Array): Uint8Array {
  const bytes = byteView(values);
  const out = new Uint8Array(values.length);
  let prev = 0;
  for (let i = 0; i < values.length; i++) {
    const b = bytes[i * 8];
    out[i] = (b - prev) & 0xff;
    prev = b;
  }
  return out;
}
