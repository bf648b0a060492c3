import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nativeKernels } from '../src/analyze/sp800-90b/native-kernels.js';
import { PermutationKernel } from '../src/analyze/sp800-90b/permutation-kernel.js';
import { PERMUTATION_KERNEL_WASM } from '../src/analyze/sp800-90b/permutation-kernel.wasm.js';
import {
  collisionTimes,
  covariance,
  directionalRuns,
  excursion,
  fusedStatistics,
  medianRuns,
  periodicity,
} from '../src/analyze/sp800-90b/permutation-statistics.js';
import { RoundRng } from '../src/analyze/sp800-90b/shuffle.js';

/** Fisher–Yates as the seeding module specifies it: j = rng.upTo(i) for i = n−1 … 1. */
function referenceShuffle(a: Uint8Array, b: Uint8Array | null, rng: RoundRng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.upTo(i);
    [a[i], a[j]] = [a[j], a[i]];
    if (b) [b[i], b[j]] = [b[j], b[i]];
  }
}

function bytes(n: number, seed: number, mask = 255): Uint8Array {
  let s = seed >>> 0;
  const a = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    a[i] = (s >>> 13) & mask;
  }
  return a;
}

describe('permutation kernel (WebAssembly)', () => {
  it('shuffles exactly as Fisher–Yates with RoundRng.upTo, one array or two together (WebAssembly and C++)', () => {
    expect(nativeKernels()).not.toBeNull();
    for (const n of [1, 2, 3, 17, 1000, 70_000]) {
      const symbols = bytes(n, n, 15);
      const values = bytes(n, n + 1);
      for (const [round, useNative] of [0, 1, 9999].flatMap((r) => [[r, true] as const, [r, false] as const])) {
        const k1 = new PermutationKernel(n, false, useNative);
        k1.load(symbols, symbols);
        k1.shuffle(new RoundRng(20261127, round));
        const a = symbols.slice();
        referenceShuffle(a, null, new RoundRng(20261127, round));
        expect(Buffer.compare(k1.data, a), `n=${n} round=${round}`).toBe(0);
        const k2 = new PermutationKernel(n, true, useNative);
        k2.load(symbols, values);
        k2.shuffle(new RoundRng(7, round));
        const s = symbols.slice();
        const v = values.slice();
        referenceShuffle(s, v, new RoundRng(7, round));
        expect(Buffer.compare(k2.data, s)).toBe(0);
        expect(Buffer.compare(k2.values, v)).toBe(0);
      }
    }
  });

  it('rejects a biased draw as upTo does and leaves the generator where upTo would', () => {
    // s1 = 0 makes the next output 0: for i = 2 (bound 3) the low word 0 is below (2^32 − 3) mod 3 = 1,
    // so that draw is rejected and the next one taken
    for (const [n, useNative] of [3, 500].flatMap((n) => [[n, true] as const, [n, false] as const])) {
      const a = bytes(n, 11);
      const k = new PermutationKernel(n, false, useNative);
      k.load(a, a);
      const rng = new RoundRng(1, 0);
      const ref = new RoundRng(1, 0);
      rng.state.set([1, 0, 5, 7]);
      ref.state.set([1, 0, 5, 7]);
      k.shuffle(rng);
      const b = a.slice();
      if (n === 3) {
        expect(ref.next()).toBe(0);
        ref.state.set([1, 0, 5, 7]);
      }
      referenceShuffle(b, null, ref);
      expect(Buffer.compare(k.data, b)).toBe(0);
      expect([...rng.state]).toEqual([...ref.state]);
    }
  });

  it('lag statistics equal the JavaScript ones, and the fused pass equals the separate ones', () => {
    for (const n of [2, 3, 33, 34, 40, 5000]) {
      for (const mask of [3, 255]) {
        const a = bytes(n, 3 * n + mask, mask);
        const k = new PermutationKernel(n, false);
        k.load(a, a);
        for (const p of [1, 2, 8, 16, 32]) {
          expect(k.periodicity(k.data, p)).toBe(periodicity(a, p));
          expect(k.covariance(k.data, p)).toBe(covariance(a, p));
        }
        let sum = 0;
        for (const x of a) sum += x;
        const mean = sum / n;
        const median = mask === 3 ? 1.5 : 127;
        const out = new Float64Array(19);
        fusedStatistics(a, a, mean, median, out);
        expect(out[0]).toBe(excursion(a, mean));
        expect([out[1], out[2], out[3]]).toEqual(directionalRuns(a));
        expect([out[4], out[5]]).toEqual(medianRuns(a, median));
        [1, 2, 8, 16, 32].forEach((p, l) => {
          expect(out[8 + l]).toBe(periodicity(a, p));
          expect(out[13 + l]).toBe(covariance(a, p));
        });
      }
    }
  });

  it('the C++ fused pass and collision times (addon) equal the TypeScript ones exactly, excursion included', () => {
    const k = nativeKernels();
    expect(k).not.toBeNull();
    const cases: Array<[Uint8Array, Uint8Array]> = [];
    for (const n of [2, 3, 33, 34, 35, 40, 5000, 300_001]) {
      for (const mask of [1, 3, 255]) {
        const a = bytes(n, 7 * n + mask, mask);
        cases.push([a, a]);
        // translated symbols beside different values (the values of a 2-symbol alphabet, say)
        cases.push([a, Uint8Array.from(a, (x) => (x * 37 + 11) & 255)]);
      }
    }
    // long runs and constant stretches
    const runs = new Uint8Array(100_000);
    for (let i = 0; i < runs.length; i++) runs[i] = Math.floor(i / 997) % 3;
    cases.push([runs, runs], [new Uint8Array(1000).fill(9), new Uint8Array(1000).fill(200)]);
    for (const [s, raw] of cases) {
      let sum = 0;
      for (const x of raw) sum += x;
      const mean = sum / raw.length;
      for (const median of [0.5, 1, 1.5, 127, 127.5, 200]) {
        const want = new Float64Array(19).fill(-1);
        const got = new Float64Array(19).fill(-1);
        fusedStatistics(s, raw, mean, median, want);
        (k as NonNullable<typeof k>).fusedStatistics(s, raw, mean, median, got);
        expect([...got], `n=${s.length} median=${median}`).toEqual([...want]);
      }
      const c = collisionTimes(s, 256);
      const o = new Float64Array(3);
      (k as NonNullable<typeof k>).collisionTimes(s, o);
      expect([...o], `collisions n=${s.length}`).toEqual([c.sum, c.count, c.max]);
    }
  });

  it.runIf(spawnSync('wat2wasm', ['--version']).error === undefined)(
    'the embedded bytes are permutation-kernel.wat compiled (scripts/build-wasm.sh)',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'oe-wasm-'));
      try {
        const out = join(dir, 'k.wasm');
        const wat = join(import.meta.dirname, '..', 'src', 'analyze', 'sp800-90b', 'permutation-kernel.wat');
        expect(spawnSync('wat2wasm', [wat, '-o', out]).status).toBe(0);
        expect(readFileSync(out).toString('base64')).toBe(PERMUTATION_KERNEL_WASM);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
