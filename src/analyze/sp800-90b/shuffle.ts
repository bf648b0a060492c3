/**
 * Seeded shuffles for the permutation tests (SP 800-90B §5.1). Every permutation round r gets its
 * own generator, xoshiro128** seeded through SplitMix64 from (seed, r), so a round's shuffle does not
 * depend on which thread runs it: the same seed gives the same counts whatever the thread count.
 * The round's permutation is Fisher–Yates with j = upTo(i) for i = n−1 … 1; the loop itself runs in
 * WebAssembly (permutation-kernel.wat), with these same draws.
 */

const MASK64 = (1n << 64n) - 1n;
const GOLDEN64 = 0x9e3779b97f4a7c15n;

/** SplitMix64's output function (Steele, Lea & Flood 2014) on a 64-bit state. */
function mix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

/**
 * The k-th seed derived from `seed` for repeated permutation tests: `seed` itself for k = 0, else
 * the low 53 bits of SplitMix64's k-th output from state `seed`.
 */
export function derivedSeed(seed: number, k: number): number {
  if (k === 0) return seed;
  return Number(mix64((BigInt(seed) + BigInt(k) * GOLDEN64) & MASK64) & ((1n << 53n) - 1n));
}

export class RoundRng {
  /** xoshiro128** state (exposed so the shuffle loop can run the generator inline). */
  readonly state = new Uint32Array(4);
  private get s(): Uint32Array {
    return this.state;
  }
  /**
   * Round `round` of the test seeded `seed`: the state is two SplitMix64 outputs from a state that
   * mixes a hash of the seed with the round (distinct (seed, round) pairs share a state with
   * probability about 2^-64, so repeated tests with different seeds use independent shuffles).
   */
  constructor(seed: number, round: number) {
    let z = (mix64(BigInt(seed)) ^ (BigInt(round) * GOLDEN64)) & MASK64;
    for (let i = 0; i < 2; i++) {
      z = (z + GOLDEN64) & MASK64;
      const w = mix64(z);
      this.s[2 * i] = Number(w & 0xffffffffn);
      this.s[2 * i + 1] = Number(w >> 32n);
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }
  /** xoshiro128** next 32-bit output. */
  next(): number {
    const s = this.s;
    const x = Math.imul(s[1], 5);
    const result = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }
  /** Uniform integer in [0, bound] without modulo bias (Lemire's multiply-and-reject). */
  upTo(bound: number): number {
    const s = bound + 1;
    let m = this.next() * s;
    let hi = Math.floor(m / 4294967296);
    let lo = m - hi * 4294967296;
    if (lo < s) {
      const t = (4294967296 - s) % s;
      while (lo < t) {
        m = this.next() * s;
        hi = Math.floor(m / 4294967296);
        lo = m - hi * 4294967296;
      }
    }
    return hi;
  }
}
