/**
 * Deliberately flawed byte streams for the verdict tests (test/sp800-22-decisions.test.ts) and the
 * calibration bench (bench/verdicts.bench.ts). Each flaw is a fixed, documented change to a given base
 * stream (true RNG bytes in the bench, the π/e/√2 fixtures in the tests), so a verdict on it is a
 * detection, not chance. Bits are MSB first, as oe reads bytes.
 */

export interface Flaw {
  name: string;
  /** What the flaw does, for the bench's table. */
  description: string;
  /** The flawed stream (a new array of the same length). `sequenceBytes` is the report's sequence size. */
  apply(base: Uint8Array, sequenceBytes: number): Uint8Array;
}

function mapBits(base: Uint8Array, f: (bit: number, i: number, previous: number) => number): Uint8Array {
  const out = new Uint8Array(base.length);
  let previous = 0;
  for (let i = 0; i < base.length * 8; i++) {
    const bit = f((base[i >>> 3] >>> (7 - (i & 7))) & 1, i, previous);
    out[i >>> 3] |= bit << (7 - (i & 7));
    previous = bit;
  }
  return out;
}

export const FLAWS: Flaw[] = [
  {
    name: 'bias-1/200',
    description: 'every 200th bit forced to 1: P(1) = 0.5025, z = 5 on 10⁶ bits',
    apply: (base) => mapBits(base, (bit, i) => (i % 200 === 199 ? 1 : bit)),
  },
  {
    name: 'stutter-1/16',
    description: 'every 16th bit repeats the one before it (runs too long)',
    apply: (base) => mapBits(base, (bit, i, previous) => (i % 16 === 15 ? previous : bit)),
  },
  {
    name: 'period-32768',
    description: "the base's first 4,096 bytes over and over (period 32,768 bits)",
    apply: (base) => base.map((_, i) => base[i % 4096]),
  },
  {
    name: 'lfsr-16',
    description: 'a maximal 16-bit Fibonacci LFSR (x^16 + x^14 + x^13 + x^11 + 1; linear complexity 16)',
    apply: (base) => {
      let s = 0xace1;
      return mapBits(base, () => {
        const bit = (s ^ (s >>> 2) ^ (s >>> 3) ^ (s >>> 5)) & 1;
        s = (s >>> 1) | (bit << 15);
        return bit;
      });
    },
  },
  {
    name: 'one-bad-sequence',
    description: "a quarter of the first sequence's bytes zero (one failing sequence among K)",
    apply: (base, sequenceBytes) => {
      const out = base.slice();
      out.fill(0, 0, Math.min(out.length, Math.floor(sequenceBytes / 4)));
      return out;
    },
  },
];
