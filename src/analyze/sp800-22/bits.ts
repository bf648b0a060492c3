import { OeError } from '../../errors.js';

/**
 * A bit sequence for the SP 800-22 battery: one byte per bit (0 or 1), the layout STS uses for
 * `epsilon`, so tests index bits directly. `n` is the number of bits.
 */
export interface BitSequence {
  readonly n: number;
  /** bits[i] ∈ {0, 1}, i = 0 … n−1. */
  readonly bits: Uint8Array;
}

/** Wraps an array of 0/1 values (not copied). */
export function bitSequence(bits: Uint8Array): BitSequence {
  return { n: bits.length, bits };
}

/** Unpacks raw bytes into bits, most significant bit of each byte first (STS's binary input). */
export function bitsFromBytes(bytes: Uint8Array, nBits = bytes.length * 8): BitSequence {
  if (nBits > bytes.length * 8) throw new RangeError(`asked for ${nBits} bits from ${bytes.length} bytes`);
  const bits = new Uint8Array(nBits);
  const full = nBits >>> 3;
  for (let i = 0; i < full; i++) {
    const b = bytes[i];
    const o = i << 3;
    bits[o] = b >>> 7;
    bits[o + 1] = (b >>> 6) & 1;
    bits[o + 2] = (b >>> 5) & 1;
    bits[o + 3] = (b >>> 4) & 1;
    bits[o + 4] = (b >>> 3) & 1;
    bits[o + 5] = (b >>> 2) & 1;
    bits[o + 6] = (b >>> 1) & 1;
    bits[o + 7] = b & 1;
  }
  for (let i = full << 3; i < nBits; i++) bits[i] = (bytes[i >>> 3] >>> (7 - (i & 7))) & 1;
  return { n: nBits, bits };
}

/** Unpacks nBits bits starting at bit `offset` of `bytes` (MSB first), for sequences that do not start on a byte. */
export function bitsFromBytesAt(bytes: Uint8Array, offset: number, nBits: number): BitSequence {
  if (offset % 8 === 0) return bitsFromBytes(bytes.subarray(offset >>> 3), nBits);
  if (offset + nBits > bytes.length * 8)
    throw new RangeError(`bits ${offset}..${offset + nBits} exceed ${bytes.length} bytes`);
  const bits = new Uint8Array(nBits);
  for (let i = 0; i < nBits; i++) {
    const j = offset + i;
    bits[i] = (bytes[j >>> 3] >>> (7 - (j & 7))) & 1;
  }
  return { n: nBits, bits };
}

/**
 * Parses NIST's ASCII format: '0' and '1' characters, whitespace ignored. Any other character is a
 * BAD_INPUT error naming its offset.
 */
export function bitsFromAscii(text: string | Uint8Array): BitSequence {
  const src = typeof text === 'string' ? new TextEncoder().encode(text) : text;
  const bits = new Uint8Array(src.length);
  let n = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === 48 || c === 49) bits[n++] = c - 48;
    else if (c !== 32 && c !== 10 && c !== 13 && c !== 9 && c !== 11 && c !== 12) {
      throw new OeError('BAD_INPUT', `ASCII bit input has a character other than 0, 1 or whitespace at byte ${i}`);
    }
  }
  return { n, bits: bits.subarray(0, n) };
}

/** A sub-sequence view (no copy). */
export function bitSlice(seq: BitSequence, start: number, end: number): BitSequence {
  return { n: end - start, bits: seq.bits.subarray(start, end) };
}

/** Splits a sequence into `k` consecutive sequences of `length` bits (views). */
export function splitSequences(seq: BitSequence, k: number, length = Math.floor(seq.n / k)): BitSequence[] {
  if (k < 1 || length < 1 || k * length > seq.n) {
    throw new OeError('BAD_INPUT', `cannot split ${seq.n} bits into ${k} sequences of ${length} bits`);
  }
  const out: BitSequence[] = [];
  for (let i = 0; i < k; i++) out.push(bitSlice(seq, i * length, (i + 1) * length));
  return out;
}
