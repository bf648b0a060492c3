/**
 * Helpers for the SP 800-90B tests: parse NIST ea_non_iid / ea_iid verbose output (`-v -v`) and
 * regenerate the reference inputs of shared/reference/sp800-90b/gen_inputs.py (CPython's Mersenne
 * Twister seeded with an integer, getrandbits(8) and random()).
 */

export interface ReferenceValue {
  track: 'literal' | 'bitstring';
  estimator: string;
  key: string;
  value: number;
}

/** Every "Literal|Bitstring <Estimator> Estimate: <key> = <number>" line, plus the final H lines. */
export function parseVerbose(text: string): { values: ReferenceValue[]; finals: Record<string, number> } {
  const values: ReferenceValue[] = [];
  const finals: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const m = /^(Literal|Bitstring) (.+?) Estimate: (.+?) = (\S+)$/.exec(line);
    if (m) {
      values.push({
        track: m[1] === 'Literal' ? 'literal' : 'bitstring',
        estimator: m[2],
        key: m[3],
        value: Number(m[4]),
      });
      continue;
    }
    const f = /^(H_original|H_bitstring|H_bitstring Per Symbol|Assessed min entropy)(?: =|:) (\S+)$/.exec(line);
    if (f) finals[f[1]] = Number(f[2]);
  }
  return { values, finals };
}

/** CPython's random.Random(seed) for a small non-negative integer seed: MT19937 with init_by_array([seed]). */
export class PythonRandom {
  private mt = new Uint32Array(624);
  private mti = 625;
  constructor(seed: number) {
    this.initByArray([seed >>> 0]);
  }
  private initGenrand(s: number): void {
    const mt = this.mt;
    mt[0] = s >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.mti = 624;
  }
  private initByArray(key: number[]): void {
    this.initGenrand(19650218);
    const mt = this.mt;
    let i = 1;
    let j = 0;
    for (let k = Math.max(624, key.length); k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1664525)) + key[j] + j) >>> 0;
      i++;
      j++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
      if (j >= key.length) j = 0;
    }
    for (let k = 623; k > 0; k--) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      mt[i] = ((mt[i] ^ Math.imul(prev, 1566083941)) - i) >>> 0;
      i++;
      if (i >= 624) {
        mt[0] = mt[623];
        i = 1;
      }
    }
    mt[0] = 0x80000000;
  }
  /** genrand_uint32 */
  next(): number {
    const mt = this.mt;
    if (this.mti >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0);
      }
      this.mti = 0;
    }
    let y = mt[this.mti++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }
  getrandbits8(): number {
    return this.next() >>> 24;
  }
  random(): number {
    const a = this.next() >>> 5;
    const b = this.next() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }
}

/** a_uniform8.bin of gen_inputs.py (first `n` samples). */
export function uniform8(n = 1_000_000): Uint8Array {
  const r = new PythonRandom(42);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r.getrandbits8();
  return out;
}

/** b_geom4.bin of gen_inputs.py (first `n` samples): P(k) ∝ 0.75^k, inverse CDF with bisect_right. */
export function geom4(n = 1_000_000): Uint8Array {
  const r = new PythonRandom(43);
  const w = Array.from({ length: 16 }, (_, k) => 0.75 ** k);
  const s = w.reduce((a, b) => a + b, 0);
  const cdf: number[] = [];
  let acc = 0;
  for (const x of w) {
    acc += x / s;
    cdf.push(acc);
  }
  cdf[15] = 1;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const u = r.random();
    let lo = 0;
    let hi = 16;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (u < cdf[mid]) hi = mid;
      else lo = mid + 1;
    }
    out[i] = lo;
  }
  return out;
}
