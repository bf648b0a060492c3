/**
 * Staging buffers for moving file bytes (concatParquet's copies, sha256FileAsync's reads): one 1-MiB
 * buffer borrowed per call and given back, instead of a fresh buffer per read. A merge pass of the
 * recorder reads dozens of files in a row; fresh buffers are freed only when V8 next collects, and
 * piled up as RSS at every pass (bench/long-recording.ts, runs 5-8 in docs/SESSIONS.md).
 */

/** Bytes of one staging buffer. */
export const STAGE_BYTES = 1 << 20;
/** Buffers kept between calls: the recorder's last merge pass runs two merges at once. */
const MAX_SPARE = 2;
const spare: Uint8Array[] = [];

/** Runs `fn` with a staging buffer of STAGE_BYTES, which it must not keep after it settles. */
export async function withStage<T>(fn: (stage: Uint8Array) => Promise<T>): Promise<T> {
  const stage = spare.pop() ?? new Uint8Array(STAGE_BYTES);
  try {
    return await fn(stage);
  } finally {
    if (spare.length < MAX_SPARE) spare.push(stage);
  }
}
