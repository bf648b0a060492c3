/**
 * How raw int64 measurements become the samples of at most 8 bits that SP 800-90B's tools read (one
 * sample per byte, §3.1.1 / the tool's input format), for a validation package. A source's own
 * extraction (its catalog `extract`) is one such mapping; for wide measurements two documented
 * reductions keep N ≤ 8 bits of each value:
 * - `low-bits`: the N least significant bits (where timing jitter lives);
 * - `bit-positions`: N chosen bit positions, packed with the highest chosen position first, where the
 *   positions are the N most variable ones on a separate calibration stretch (chooseVariableBits), so
 *   that the choice is not fitted to the data being assessed.
 */

export interface BitStatistic {
  /** Bit position in the 64-bit two's-complement measurement (0 = least significant). */
  position: number;
  /** Fraction of calibration samples with this bit set. */
  pOne: number;
  /** −log2 max(p, 1 − p): the bit's own min-entropy (1 for a balanced bit, 0 for a constant one). */
  hMin: number;
}

/** Per-bit set fractions and min-entropies of the 64 bit positions over `values`. */
export function bitStatistics(values: BigInt64Array): BitStatistic[] {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const ones = new Float64Array(64);
  for (let i = 0; i < values.length; i++) {
    const lo = words[2 * i];
    const hi = words[2 * i + 1];
    for (let b = 0; b < 32; b++) {
      ones[b] += (lo >>> b) & 1;
      ones[32 + b] += (hi >>> b) & 1;
    }
  }
  const n = Math.max(1, values.length);
  return Array.from({ length: 64 }, (_, position) => {
    const pOne = ones[position] / n;
    return { position, pOne, hMin: -Math.log2(Math.max(pOne, 1 - pOne)) };
  });
}

/**
 * The `bits` most variable bit positions of `calibration` (largest per-bit min-entropy; ties to the lower
 * position), returned highest position first (the order in which bitPositions packs them).
 */
export function chooseVariableBits(calibration: BigInt64Array, bits: number): number[] {
  checkBits(bits);
  const stats = bitStatistics(calibration);
  return [...stats]
    .sort((a, b) => b.hMin - a.hMin || a.position - b.position)
    .slice(0, bits)
    .map((s) => s.position)
    .sort((a, b) => b - a);
}

/** The `bits` least significant bits of each value (value mod 2^bits). */
export function lowBits(values: BigInt64Array, bits: number): Uint8Array {
  checkBits(bits);
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const mask = (1 << bits) - 1;
  const out = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = bytes[i * 8] & mask;
  return out;
}

/** The given bit positions of each value, packed with positions[0] as the most significant bit. */
export function bitPositions(values: BigInt64Array, positions: readonly number[]): Uint8Array {
  checkBits(positions.length);
  for (const p of positions)
    if (!Number.isInteger(p) || p < 0 || p > 63) throw new RangeError(`bit position must be 0..63, got ${p}`);
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  const out = new Uint8Array(values.length);
  const k = positions.length;
  for (let i = 0; i < values.length; i++) {
    let x = 0;
    for (let j = 0; j < k; j++) {
      const p = positions[j];
      const w = p < 32 ? words[2 * i] : words[2 * i + 1];
      x |= ((w >>> (p & 31)) & 1) << (k - 1 - j);
    }
    out[i] = x;
  }
  return out;
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8)
    throw new RangeError(`bits per sample must be an integer from 1 to 8, got ${bits}`);
}
