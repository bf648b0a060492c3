/**
 * Seeded shuffles for the permutation tests (SP 800-90B §5.1). Every permutation round r gets its
 * own generator, xoshiro128** seeded through SplitMix32 from (seed, r), so a round's shuffle does not
 * depend on which thread runs it: the same seed gives the same counts whatever the thread count.
 * The round's permutation is Fisher–Yates with j = upTo(i) for i = n−1 … 1; the loop itself runs in
 * WebAssembly (permutation-kernel.wat), with these same draws.
 */

function splitmix32(state: Uint32Array): number {
  state[0] = (state[0] + 0x9e3779b9) >>> 0;
  let z = state[0];
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

export class RoundRng {
  /** xoshiro128** state (exposed so the shuffle loop can run the generator inline). */
  readonly state = new Uint32Array(4);
  private get s(): Uint32Array {
    return this.state;
  }
  constructor(seed: number, round: number) {
    const sm = new Uint32Array(1);
    sm[0] = (seed >>> 0) ^ Math.imul(round + 1, 0x27d4eb2f);
    const hi = Math.floor(seed / 4294967296) >>> 0;
    sm[0] = (sm[0] + Math.imul(hi, 0x165667b1)) >>> 0;
    for (let i = 0; i < 4; i++) this.s[i] = splitmix32(sm);
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
