/**
 * Von Neumann debiasing, as openentropy defines it: each input byte is read as the bit pairs
 * (7,6), (5,4), (3,2), (1,0), most significant first; a pair 10 emits 1, 01 emits 0, 00 and 11 emit
 * nothing; emitted bits are packed into bytes most significant bit first.
 *
 * It removes bias only from independent, identically distributed bits. Timing bits are neither, so
 * this mode makes no entropy claim (docs/CONDITIONING.md). Bits left over at the end of a call are
 * kept for the next call, so the debiaser always delivers exactly as many bytes as asked
 * once enough input has been pushed.
 */

// For each input byte: how many bits it emits (0..4) and their values, right-aligned, first bit highest.
const EMIT_COUNT = new Uint8Array(256);
const EMIT_BITS = new Uint8Array(256);
for (let b = 0; b < 256; b++) {
  let n = 0;
  let v = 0;
  for (let shift = 6; shift >= 0; shift -= 2) {
    const pair = (b >> shift) & 3;
    if (pair === 2) {
      v = (v << 1) | 1;
      n++;
    } else if (pair === 1) {
      v <<= 1;
      n++;
    }
  }
  EMIT_COUNT[b] = n;
  EMIT_BITS[b] = v;
}

/** Streaming von Neumann debiaser; partial output bytes carry over between `push` calls. */
export class VonNeumannDebiaser {
  private acc = 0;
  private accBits = 0;

  /** Debiases `input`, returning every complete output byte. */
  push(input: Uint8Array): Uint8Array {
    // Each byte emits at most 4 bits, so the output is at most half the input plus the carry.
    const out = new Uint8Array((input.length >> 1) + 1);
    let o = 0;
    let acc = this.acc;
    let bits = this.accBits;
    for (let i = 0; i < input.length; i++) {
      const b = input[i];
      const n = EMIT_COUNT[b];
      if (n === 0) continue;
      acc = (acc << n) | EMIT_BITS[b];
      bits += n;
      if (bits >= 8) {
        bits -= 8;
        out[o++] = (acc >> bits) & 0xff;
        acc &= (1 << bits) - 1;
      }
    }
    this.acc = acc;
    this.accBits = bits;
    return out.subarray(0, o);
  }
}

/** One-shot von Neumann debiasing of `input` (a trailing partial byte is dropped). */
export function vonNeumann(input: Uint8Array): Uint8Array {
  return new VonNeumannDebiaser().push(input);
}
