export interface Reduced8 {
  symbols: Uint8Array;
  /**
   * `rank`: at most 256 distinct measurements, each mapped to its rank (lossless: the estimate is the
   * measurement's own min-entropy); `low-byte`: more than 256 distinct values, each reduced to value mod 256
   * (where timing jitter lives; information in the higher bits is not assessed).
   */
  method: 'rank' | 'low-byte';
  /** Distinct measurements, or null when there are more than 256. */
  distinct: number | null;
}

/**
 * Raw int64 measurements reduced to 8-bit symbols for the SP 800-90B estimators (which take samples of at most
 * 8 bits, §6.4): lossless ranking when the alphabet fits, otherwise the low byte.
 */
export function reduceTo8Bits(values: BigInt64Array): Reduced8 {
  const n = values.length;
  const distinct = new Map<bigint, number>();
  for (let i = 0; i < n && distinct.size <= 256; i++) if (!distinct.has(values[i])) distinct.set(values[i], 0);
  const symbols = new Uint8Array(n);
  if (distinct.size <= 256) {
    const sorted = [...distinct.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    sorted.forEach((v, i) => {
      distinct.set(v, i);
    });
    for (let i = 0; i < n; i++) symbols[i] = distinct.get(values[i]) as number;
    return { symbols, method: 'rank', distinct: sorted.length };
  }
  const view = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  for (let i = 0; i < n; i++) symbols[i] = view[i * 8]; // little-endian low byte = value mod 256
  return { symbols, method: 'low-byte', distinct: null };
}
