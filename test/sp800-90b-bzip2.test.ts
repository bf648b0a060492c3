import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOCK_MAX, bzip2TextSize } from '../src/analyze/sp800-90b/bzip2-size.js';
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

/** The libbzip2 size of the same text (WASM build of the C library). */
async function reference(a: Uint8Array): Promise<number> {
  await loadBzip2();
  return bzip2Size(a);
}

beforeAll(async () => {
  await loadBzip2();
});

describe('bzip2TextSize equals libbzip2 (level 5) on the §5.1.11 text', () => {
  it('the two 1 M reference inputs (8-bit uniform, 4-bit geometric)', { timeout: 120_000 }, async () => {
    for (const data of [uniform8(), geom4()]) expect(bzip2TextSize(data)).toBe(await reference(data));
  });

  it('random inputs of 1 to 3 blocks, 1- to 8-bit alphabets', { timeout: 120_000 }, async () => {
    let seed = 1;
    for (const n of [1, 2, 3, 7, 50, 999, 20_000, 170_000, 300_000]) {
      for (const bits of [1, 2, 5, 8]) {
        const a = randomBytes(n, bits, seed++);
        expect(bzip2TextSize(a), `n=${n} bits=${bits}`).toBe(await reference(a));
      }
    }
  });

  it('texts whose length puts the end next to a block boundary (the last block takes the rest)', {
    timeout: 120_000,
  }, async () => {
    for (let d = -2; d <= 4; d++) {
      const a = textOfLength(BLOCK_MAX + d, 100 + d);
      expect(bzip2TextSize(a), `length BLOCK_MAX${d >= 0 ? '+' : ''}${d}`).toBe(await reference(a));
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
    for (const a of cases) expect(bzip2TextSize(a)).toBe(await reference(a));
  });

  it.runIf(spawnSync('bzip2', ['--help']).error === undefined)(
    'the bzip2 command (the libbzip2 NIST links) agrees on the 8-bit reference',
    { timeout: 60_000 },
    () => {
      const data = uniform8();
      const out = spawnSync('bzip2', ['-5', '-c'], { input: compressionText(data), maxBuffer: 1 << 24 });
      expect(out.status).toBe(0);
      expect(bzip2TextSize(data)).toBe(out.stdout.length);
    },
  );
});
