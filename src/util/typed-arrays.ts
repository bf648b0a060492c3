/** Joining typed arrays (sample batches, byte chunks, result columns). */

/** A typed array (any element type, unions of them too): a length and a `set` that copies at an offset. */
interface Settable {
  readonly length: number;
  set(array: never, offset: number): void;
}

/**
 * Copies `parts` one after another into `out` from index 0 and returns `out`. The caller allocates
 * `out` with the parts' total length, which also picks its element type.
 */
export function concatInto<T extends Settable>(out: T, parts: Iterable<T>): T {
  let off = 0;
  for (const p of parts) {
    out.set(p as never, off); // p has out's type (T)
    off += p.length;
  }
  return out;
}

/** `parts` joined into one new Uint8Array. */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  return concatInto(new Uint8Array(n), parts);
}
