/**
 * Seeded shuffles for the permutation tests (SP 800-90B §5.1). Every permutation round r gets its
 * own generator, xoshiro128** seeded through SplitMix32 from (seed, r), so a round's shuffle does not
 * depend on which thread runs it: the same seed gives the same counts whatever the thread count.
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

/** Fisher–Yates shuffle of two arrays with the same permutation, in place. */
export function shuffleTogether(a: Uint8Array, b: Uint8Array, rng: RoundRng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.upTo(i);
    const x = a[i];
    a[i] = a[j];
    a[j] = x;
    const y = b[i];
    b[i] = b[j];
    b[j] = y;
  }
}

/**
 * Fisher–Yates shuffle in place (the same permutation shuffleTogether applies for the same generator
 * state), with the generator and Lemire's bounded draw inlined: this loop is most of a round's cost
 * once the cheap statistics are decided.
 */
export function shuffle(a: Uint8Array, rng: RoundRng): void {
  const st = rng.state;
  let s0 = st[0];
  let s1 = st[1];
  let s2 = st[2];
  let s3 = st[3];
  for (let i = a.length - 1; i > 0; i--) {
    const bound = i + 1;
    let j: number;
    for (;;) {
      const x5 = Math.imul(s1, 5);
      const out = Math.imul((x5 << 7) | (x5 >>> 25), 9) >>> 0;
      const t = s1 << 9;
      s2 ^= s0;
      s3 ^= s1;
      s1 ^= s2;
      s0 ^= s3;
      s2 ^= t;
      s3 = (s3 << 11) | (s3 >>> 21);
      const m = out * bound;
      j = Math.floor(m / 4294967296);
      const lo = m - j * 4294967296;
      if (lo >= bound || lo >= (4294967296 - bound) % bound) break;
    }
    const x = a[i];
    a[i] = a[j];
    a[j] = x;
  }
  st[0] = s0;
  st[1] = s1;
  st[2] = s2;
  st[3] = s3;
}
