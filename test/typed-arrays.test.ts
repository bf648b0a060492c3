import { describe, expect, it } from 'vitest';
import { concatBytes, concatInto } from '../src/util/typed-arrays.js';

describe('concatInto / concatBytes', () => {
  it('joins parts in order at their offsets, for any element type', () => {
    const b = concatInto(new BigInt64Array(5), [
      BigInt64Array.of(1n, -2n),
      BigInt64Array.of(),
      BigInt64Array.of(3n, 4n, 5n),
    ]);
    expect(Array.from(b)).toEqual([1n, -2n, 3n, 4n, 5n]);
    const f = concatInto(new Float64Array(3), [Float64Array.of(0.5), Float64Array.of(-1, 2.25)]);
    expect(Array.from(f)).toEqual([0.5, -1, 2.25]);
  });

  it('concatBytes sizes the result from the parts; no parts give an empty array', () => {
    const src = Uint8Array.of(9, 8, 7, 6);
    const out = concatBytes([src.subarray(2), Uint8Array.of(1), src.subarray(0, 2)]);
    expect(Array.from(out)).toEqual([7, 6, 1, 9, 8]);
    expect(out.buffer).not.toBe(src.buffer);
    expect(concatBytes([]).length).toBe(0);
  });
});
