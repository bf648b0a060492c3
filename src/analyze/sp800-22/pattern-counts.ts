import type { BitSequence } from './bits.js';

const cache = new WeakMap<Uint8Array, Map<number, Uint32Array>>();

/**
 * Counts of every m-bit pattern over the n overlapping windows of the sequence extended circularly
 * by its first m − 1 bits (the counts ν of SP 800-22 §2.11 and §2.12); index = window value, first
 * bit most significant. Counts for m − 1 are the sums of adjacent pairs (the circular m-window at i
 * starts with the (m−1)-window at i), so a cached larger m is folded instead of rescanning.
 */
export function circularPatternCounts(seq: BitSequence, m: number): Uint32Array {
  if (m < 1 || m > 24) throw new RangeError(`pattern length must be 1..24, got ${m}`);
  let perSeq = cache.get(seq.bits);
  if (!perSeq) {
    perSeq = new Map();
    cache.set(seq.bits, perSeq);
  }
  const hit = perSeq.get(m);
  if (hit) return hit;
  let larger = 0;
  for (const k of perSeq.keys()) if (k > m && (larger === 0 || k < larger)) larger = k;
  let counts: Uint32Array;
  if (larger) {
    counts = perSeq.get(larger)!;
    for (let k = larger; k > m; k--) counts = foldPatternCounts(counts);
  } else {
    counts = scan(seq, m);
  }
  perSeq.set(m, counts);
  return counts;
}

/** Counts of (m−1)-bit circular patterns from those of m-bit patterns. */
export function foldPatternCounts(counts: Uint32Array): Uint32Array {
  const out = new Uint32Array(counts.length >>> 1);
  for (let v = 0; v < out.length; v++) out[v] = counts[2 * v] + counts[2 * v + 1];
  return out;
}

function scan(seq: BitSequence, m: number): Uint32Array {
  const { n, bits } = seq;
  const size = 2 ** m;
  const mask = size - 1;
  const counts = new Uint32Array(size);
  let w = 0;
  for (let i = 0; i < m - 1; i++) w = (w << 1) | bits[i % n];
  for (let i = 0; i < n; i++) {
    const j = i + m - 1;
    w = ((w << 1) | bits[j < n ? j : j % n]) & mask;
    counts[w]++;
  }
  return counts;
}
