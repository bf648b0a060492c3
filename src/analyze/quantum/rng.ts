/**
 * Seeded normal draws for the Monte-Carlo intervals of quantum_proxy_v3 (model uncertainty, never
 * entropy), on top of the project's seeded generator (dependence/prng `SeededRandom`, xoshiro128**).
 */
import { SeededRandom } from '../dependence/prng.js';

export class SeededRng {
  private readonly r: SeededRandom;
  private spare: number | undefined;

  constructor(seed: number) {
    this.r = new SeededRandom(seed);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.r.nextUint32() >>> 5;
    const lo = this.r.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Standard normal by the Box–Muller transform (both values of each pair are used). */
  normal(): number {
    if (this.spare !== undefined) {
      const s = this.spare;
      this.spare = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const rad = Math.sqrt(-2 * Math.log(u));
    this.spare = rad * Math.sin(2 * Math.PI * v);
    return rad * Math.cos(2 * Math.PI * v);
  }
}
