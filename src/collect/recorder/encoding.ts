/**
 * How each source's sample parts are encoded. zstd and Parquet dictionaries shrink a timing source's
 * parts about fivefold, but a random number generator's output (rdrand, rdseed, getrandom) takes the
 * same bytes whatever is done to it, and trying costs CPU the samplers then miss: at the uncapped rate
 * these sources are four rows in ten. So a source whose part showed no gain is written plain
 * (writeParquet's `plain`: no zstd, no dictionaries) until the next probe: every PROBE_EVERY-th part
 * is written compressed again and its footer read, so a source whose data changes is caught within
 * that many flushes. A plain part takes at most 5 % more bytes than its zstd version would have
 * (MIN_GAIN_RATIO; rdrand's 1-s parts: 0.1 %), and the merges copy or re-encode it like any other part.
 */
import type { ParquetColumnSizes } from '../../db/index.js';

/** One part in this many is written compressed and its footer read (once a minute at the default flush). */
export const PROBE_EVERY = 60;
/** Below this ratio of stored to uncompressed bytes, zstd is worth its CPU (a probe part of a random source: 0.97-1.0). */
export const MIN_GAIN_RATIO = 0.95;

/**
 * Whether a part with these column sizes would have taken about the same bytes written plain: zstd
 * saved under 5 % of its encoded bytes, and its `value` column either took no dictionary (it is
 * DELTA_BINARY_PACKED, as a plain part writes it) or one that did not bring it under 8 bytes per value (a
 * dictionary of values that hardly repeat: DELTA_BINARY_PACKED takes at most about as much).
 */
export function incompressible(sizes: ParquetColumnSizes): boolean {
  const value = sizes.columns.value;
  if (!value || value.values === 0) return false;
  if (value.dictionary && value.uncompressed < 8 * value.values) return false;
  let stored = 0;
  let raw = 0;
  for (const c of Object.values(sizes.columns)) {
    stored += c.compressed;
    raw += c.uncompressed;
  }
  return stored >= MIN_GAIN_RATIO * raw;
}

/** The encoding of one source's next parts: compressed and probed, or plain. */
export class PartEncoding {
  private plain = false;
  private parts = 0;

  /** The next part: plain, or compressed with `probe` set when its footer is to be read. */
  next(): { plain: boolean; probe: boolean } {
    const probe = this.parts % PROBE_EVERY === 0;
    this.parts++;
    return probe ? { plain: false, probe: true } : { plain: this.plain, probe: false };
  }

  /** What a probe part's footer showed. */
  learn(sizes: ParquetColumnSizes): void {
    this.plain = incompressible(sizes);
  }
}
