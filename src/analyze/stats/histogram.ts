/** Counts of each byte value 0..255. */
export function byteCounts(bytes: Uint8Array): Float64Array {
  const c = new Uint32Array(256);
  for (let i = 0; i < bytes.length; i++) c[bytes[i]]++;
  return Float64Array.from(c);
}
