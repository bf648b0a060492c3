/**
 * A small seeded PRNG for resampling nulls (statistics, not measurements): xoshiro128** (Blackman &
 * Vigna 2018) seeded through splitmix32, so that the same seed gives the same null shifts everywhere.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    this.s2 >>>= 0;
    return result;
  }

  /** A uniform integer in [lo, hi] (inclusive), without modulo bias (rejection sampling). */
  nextInt(lo: number, hi: number): number {
    const range = hi - lo + 1;
    if (!(range >= 1) || range > 2 ** 32) throw new RangeError(`bad range [${lo}, ${hi}]`);
    const limit = 2 ** 32 - (2 ** 32 % range);
    let v = this.nextUint32();
    while (v >= limit) v = this.nextUint32();
    return lo + (v % range);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
