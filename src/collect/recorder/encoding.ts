/**
 * How each source's sample parts are encoded. zstd and Parquet dictionaries shrink a timing source's
 * parts about fivefold, but a random number generator's output (rdrand, rdseed, getrandom) takes the
 * same bytes whatever is done to it, and trying costs CPU the samplers then miss: at the uncapped rate
 * these sources are four rows in ten. So a source whose part showed no gain is written plain
 * (writeParquet's `plain`: no zstd, no dictionaries) until the next probe: every PROBE_EVERY-th part
 * is written compressed again and its footer read (and the next one too while the parts are too small
 * to tell, MIN_PROBE_VALUES), so a source whose data changes is caught within that many flushes. A
 * plain part's value column takes at most about 5 % more bytes than with zstd (MIN_GAIN_RATIO; rdrand's
 * 1-s parts: 0.1 %), and the merges copy or re-encode it like any other part.
 */
import type { ParquetColumnSizes } from '../../db/index.js';

/** One part in this many is written compressed and its footer read (once a minute at the default flush). */
export const PROBE_EVERY = 60;
/** Below this ratio of a value column's stored to uncompressed bytes, zstd is worth its CPU (random sources: 0.97-1.0). */
export const MIN_GAIN_RATIO = 0.95;
/** A probe with fewer values tells too little (its fixed overheads weigh too much): the next part probes again. */
export const MIN_PROBE_VALUES = 1000;

/**
 * Whether a part with these column sizes would have taken about the same bytes written plain, judged on
 * its `value` column (8 of a random source's 9 bytes per row): stored, it takes at least MIN_GAIN_RATIO
 * of what it would take plain. Plain is DELTA_BINARY_PACKED uncompressed: the column's uncompressed
 * size when DuckDB chose that encoding, and at most about 8 bytes per value when it chose a dictionary
 * (the deltas of 64-bit values; a dictionary of values that hardly repeat stores each of them whole, and
 * its index stream, a counter, is what zstd shrinks). The other columns take at most 1/8 byte per row
 * more written plain (a byte column DELTA-coded).
 */
export function incompressible(sizes: ParquetColumnSizes): boolean {
  const value = sizes.columns.value;
  if (!value || value.values === 0) return false;
  const plain = value.dictionary ? 8 * value.values : value.uncompressed;
  return value.compressed >= MIN_GAIN_RATIO * plain;
}

/** The encoding of one source's next parts: compressed and probed, or plain. */
export class PartEncoding {
  private plain = false;
  /** Parts before the next probe (0: the next part is one). */
  private untilProbe = 0;

  /** The next part: plain, or compressed with `probe` set when its footer is to be read. */
  next(): { plain: boolean; probe: boolean } {
    if (this.untilProbe === 0) {
      this.untilProbe = PROBE_EVERY - 1;
      return { plain: false, probe: true };
    }
    this.untilProbe--;
    return { plain: this.plain, probe: false };
  }

  /** What a probe part's footer showed. */
  learn(sizes: ParquetColumnSizes): void {
    if ((sizes.columns.value?.values ?? 0) < MIN_PROBE_VALUES) this.untilProbe = 0;
    else this.plain = incompressible(sizes);
  }
}
