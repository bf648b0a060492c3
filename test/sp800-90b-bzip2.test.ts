import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BLOCK_MAX,
  bzip2TextSize,
  compressedTextSize,
  nativeBzip2TextSize,
} from '../src/analyze/sp800-90b/bzip2-size.js';
import { bzip2Size, compressionText, loadBzip2 } from './bzip2-reference.js';
import { geom4, uniform8 } from './sp800-90b-reference.js';

/** A small LCG, so the inputs are the same every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s >>> 8;
  };
}

function randomBytes(n: number, bits: number, seed: number): Uint8Array {
  const r = lcg(seed);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = r() & ((1 << bits) - 1);
  return a;
}

/** Values whose text is exactly `len` characters: one-digit tokens, with a two-digit one first when needed. */
function textOfLength(len: number, seed: number): Uint8Array {
  const r = lcg(seed);
  const two = len % 2 === 0;
  const n = two ? len / 2 : (len + 1) / 2;
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = r() % 10;
  if (two) a[0] = 10 + (r() % 90);
  return a;
}

/** Values of `bits` bits from the generator's top bits (its low bits have short periods). */
function goodBytes(n: number, bits: number, seed: number): Uint8Array {
  const r = lcg(seed);
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) a[i] = r() >>> (24 - bits);
  return a;
}

/** The libbzip2 size of the same text (WASM build of the C library). */
async function reference(a: Uint8Array): Promise<number> {
  await loadBzip2();
  return bzip2Size(a);
}

beforeAll(async () => {
  await loadBzip2();
});

/**
 * Both implementations: bzip2-size.ts and its C++ form in the addon (native/src/bzip2_size.cc), which the
 * permutation rounds use (compressedTextSize). The addon is built wherever the tests run (npm ci builds it).
 */
const native = nativeBzip2TextSize();
const impls: Array<[string, (a: Uint8Array) => number]> = [
  ['TypeScript', bzip2TextSize],
  // the C++ one for ≥ 2 values (compressedTextSize hands 0–1 values to bzip2TextSize)
  ['C++', compressedTextSize],
];

/** Every implementation gives libbzip2's size for each input. */
async function expectAllEqual(cases: Uint8Array[], label: (i: number) => string = (i) => `case ${i}`): Promise<void> {
  for (let i = 0; i < cases.length; i++) {
    const want = await reference(cases[i]);
    for (const [name, size] of impls) expect(size(cases[i]), `${name}, ${label(i)}`).toBe(want);
  }
}

describe('the C++ bzip2 size (addon)', () => {
  it('is built into the addon and is what compressedTextSize uses', () => {
    expect(native).not.toBeNull();
    const a = goodBytes(5000, 8, 1);
    expect(compressedTextSize(a)).toBe(bzip2TextSize(a));
    // fewer than 2 values: the TypeScript path (the C++ one declines them)
    expect((native as (a: Uint8Array) => number)(new Uint8Array([7]))).toBe(-1);
    expect(compressedTextSize(new Uint8Array([7]))).toBe(bzip2TextSize(new Uint8Array([7])));
    expect(compressedTextSize(new Uint8Array(0))).toBe(14);
  });
});

describe('bzip2TextSize equals libbzip2 (level 5) on the §5.1.11 text', () => {
  it('the two 1 M reference inputs (8-bit uniform, 4-bit geometric)', { timeout: 120_000 }, async () => {
    await expectAllEqual([uniform8(), geom4()]);
  });

  it('random inputs of 1 to 3 blocks, 1- to 8-bit alphabets', { timeout: 120_000 }, async () => {
    let seed = 1;
    for (const n of [1, 2, 3, 7, 50, 999, 20_000, 170_000, 300_000]) {
      for (const bits of [1, 2, 5, 8]) {
        const a = randomBytes(n, bits, seed++);
        await expectAllEqual([a], () => `n=${n} bits=${bits}`);
      }
    }
  });

  it('texts whose length puts the end next to a block boundary (the last block takes the rest)', {
    timeout: 120_000,
  }, async () => {
    for (let d = -2; d <= 4; d++) {
      const a = textOfLength(BLOCK_MAX + d, 100 + d);
      await expectAllEqual([a], () => `length BLOCK_MAX${d >= 0 ? '+' : ''}${d}`);
    }
  });

  it('runs of 2–3 equal digits across block boundaries, and repetitive data (the prefix-doubling path)', {
    timeout: 120_000,
  }, async () => {
    const cases: Uint8Array[] = [];
    // "111 " tokens shifted by 0–3 characters put the boundary on each character of a run
    for (let shift = 0; shift < 4; shift++) {
      const a = new Uint8Array(300_000).fill(111);
      for (let i = 0; i < shift; i++) a[i] = 5;
      cases.push(a);
    }
    for (const v of [0, 7, 11, 100, 255]) cases.push(new Uint8Array(200_000).fill(v));
    const r = lcg(9);
    const runs = new Uint8Array(300_000);
    for (let i = 0; i < runs.length; i++) runs[i] = [111, 222, 100, 0, 11][r() % 5];
    cases.push(runs);
    const periodic = new Uint8Array(300_000);
    for (let i = 0; i < periodic.length; i++) periodic[i] = i % 7 === 0 ? 1 : 0;
    cases.push(periodic);
    const cycle = new Uint8Array(300_000);
    for (let i = 0; i < cycle.length; i++) cycle[i] = (i * 37) & 255;
    cases.push(cycle);
    await expectAllEqual(cases);
  });

  it('every short input of 2–40 random values, 1- to 8-bit', { timeout: 120_000 }, async () => {
    const cases: Uint8Array[] = [];
    for (let n = 2; n <= 40; n++) for (const bits of [1, 3, 8]) cases.push(goodBytes(n, bits, 1000 + n * 8 + bits));
    await expectAllEqual(cases, (i) => `short ${i}`);
  });

  it('random 1- to 8-bit inputs of up to 3 blocks (well-mixed bits)', { timeout: 240_000 }, async () => {
    const cases: Uint8Array[] = [];
    for (const bits of [1, 2, 3, 4, 6, 7, 8]) cases.push(goodBytes(bits <= 2 ? 700_000 : 380_000, bits, 50 + bits));
    await expectAllEqual(cases, (i) => `bits ${[1, 2, 3, 4, 6, 7, 8][i]}`);
  });

  it('low-entropy and degenerate inputs', { timeout: 240_000 }, async () => {
    const r = lcg(77);
    const cases: Uint8Array[] = [];
    // one value with rare others (p = 0.99, 0.999), the rare ones 1- to 3-digit
    for (const p of [0.99, 0.999]) {
      const a = new Uint8Array(400_000);
      for (let i = 0; i < a.length; i++) a[i] = r() / 2 ** 24 < p ? 200 : r() & 255;
      cases.push(a);
    }
    // long runs of one value (geometric lengths, mean 50)
    const runs = new Uint8Array(400_000);
    for (let i = 0, v = 0; i < runs.length; i++) {
      if (r() % 50 === 0) v = r() & 255;
      runs[i] = v;
    }
    cases.push(runs);
    // ramps 0…255 (sorted data) and a 1000-value random block repeated (ties far beyond the quick sort's depth)
    cases.push(Uint8Array.from({ length: 300_000 }, (_, i) => i & 255));
    const unit = goodBytes(1000, 8, 5);
    cases.push(Uint8Array.from({ length: 300_000 }, (_, i) => unit[i % 1000]));
    // rotations that agree on 60–70 tokens and then differ: random stretches of 63–67 values, each
    // written twice with one value changed in the copy
    const near = new Uint8Array(300_000);
    for (let i = 0; i < near.length; ) {
      const len = 63 + (r() % 5);
      const s = goodBytes(len, 8, r());
      for (let k = 0; k < len && i < near.length; k++) near[i++] = s[k];
      for (let k = 0; k < len && i < near.length; k++) near[i++] = k === len - 1 ? s[k] ^ 1 : s[k];
    }
    cases.push(near);
    // two values, alternating with rare flips; a 2-value alphabet whose values have 3 digits
    const alt = new Uint8Array(600_000);
    for (let i = 0; i < alt.length; i++) alt[i] = (i & 1) ^ (r() % 1000 === 0 ? 1 : 0);
    cases.push(alt);
    cases.push(Uint8Array.from(goodBytes(400_000, 1, 8), (b) => (b ? 255 : 100)));
    // every value once, then all equal but the last
    cases.push(Uint8Array.from({ length: 256 }, (_, i) => i));
    const tail = new Uint8Array(200_000).fill(3);
    tail[tail.length - 1] = 4;
    cases.push(tail);
    await expectAllEqual(cases, (i) => `low-entropy case ${i}`);
  });

  it.runIf(spawnSync('bzip2', ['--help']).error === undefined)(
    'the bzip2 command (the libbzip2 NIST links) agrees on the 8-bit reference',
    { timeout: 60_000 },
    () => {
      const data = uniform8();
      const out = spawnSync('bzip2', ['-5', '-c'], { input: compressionText(data), maxBuffer: 1 << 24 });
      expect(out.status).toBe(0);
      for (const [name, size] of impls) expect(size(data), name).toBe(out.stdout.length);
    },
  );
});
