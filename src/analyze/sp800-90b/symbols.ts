import { OeError } from '../../errors.js';

/** Samples prepared the way SP 800-90B's reference tool reads them (one sample per byte). */
export interface PreparedSymbols {
  /** Bits per symbol: given, or the highest bit set anywhere in the data. */
  wordSize: number;
  /** Number of distinct symbols, k. */
  alphabetSize: number;
  /** Largest symbol value present. */
  maxSymbol: number;
  /** The samples as read (the values; used by the IID excursion, covariance and compression tests). */
  raw: Uint8Array;
  /** The samples translated to 0..k−1 in increasing order of value when fewer than maxSymbol+1 values occur. */
  symbols: Uint8Array;
  /** Whether `symbols` was translated. */
  translated: boolean;
  /** Warnings (e.g. symbols narrower than the declared width). */
  warnings: string[];
}

/**
 * Reads samples like the tool: infers the word size when `bits` is not given, rejects samples wider
 * than `bits`, and maps the symbols down to 0..k−1 when not every value below the maximum occurs.
 */
export function prepareSymbols(data: Uint8Array, bits?: number): PreparedSymbols {
  if (data.length === 0) throw new OeError('BAD_INPUT', 'no samples: the input is empty');
  if (bits !== undefined && (!Number.isInteger(bits) || bits < 1 || bits > 8))
    throw new OeError('USAGE', `bits per symbol must be an integer from 1 to 8, got ${bits}`);
  let mask = 0;
  for (let i = 0; i < data.length; i++) mask |= data[i];
  let used = 8;
  while (used > 0 && (mask & (1 << (used - 1))) === 0) used--;
  const warnings: string[] = [];
  let wordSize: number;
  if (bits === undefined) wordSize = Math.max(1, used);
  else {
    if (used > bits)
      throw new OeError(
        'BAD_INPUT',
        `samples are ${used} bits wide but --bits is ${bits}: data does not fit within the described width`,
      );
    if (used < bits) warnings.push(`symbols appear to be narrower (${used} bits) than described (${bits} bits)`);
    wordSize = bits;
  }
  const present = new Uint8Array(256);
  let maxSymbol = 0;
  for (let i = 0; i < data.length; i++) present[data[i]] = 1;
  const map = new Uint8Array(256);
  let k = 0;
  for (let s = 0; s < 256; s++)
    if (present[s]) {
      map[s] = k++;
      maxSymbol = s;
    }
  const translated = k < maxSymbol + 1;
  let symbols = data;
  if (translated) {
    symbols = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) symbols[i] = map[data[i]];
  }
  return { wordSize, alphabetSize: k, maxSymbol, raw: data, symbols, translated, warnings };
}

/** The samples as a bitstring, most significant of the `wordSize` bits first (SP 800-90B §6.3, "bitstring"). */
export function toBitstring(raw: Uint8Array, wordSize: number): Uint8Array {
  if (wordSize === 1) return raw;
  const out = new Uint8Array(raw.length * wordSize);
  let o = 0;
  for (let i = 0; i < raw.length; i++) {
    const v = raw[i];
    for (let j = wordSize - 1; j >= 0; j--) out[o++] = (v >> j) & 1;
  }
  return out;
}
