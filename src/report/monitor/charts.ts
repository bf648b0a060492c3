/**
 * Text charts for the terminal dashboard: pure functions from numbers to lines of block characters.
 */

/** The charts the dashboard cycles through ('g'). */
export const CHARTS = ['min-entropy', 'histogram', 'autocorrelation', 'walk'] as const;
export type ChartKind = (typeof CHARTS)[number];

const SPARK = '▁▂▃▄▅▆▇█';
const BLOCKS = ' ▁▂▃▄▅▆▇█';

/** One-line sparkline of the last `width` values scaled to [lo, hi]. */
export function sparkline(values: readonly number[], width: number, lo = 0, hi = 8): string {
  const tail = values.slice(-width);
  const span = hi - lo || 1;
  return tail
    .map((v) => {
      const f = Math.min(1, Math.max(0, (v - lo) / span));
      return SPARK[Math.min(SPARK.length - 1, Math.floor(f * SPARK.length))];
    })
    .join('');
}

/** Averages `values` into `width` equal buckets (or keeps them when there are fewer). */
export function bucket(values: ArrayLike<number>, width: number): number[] {
  const n = values.length;
  if (n <= width) return Array.from(values);
  const out: number[] = [];
  for (let b = 0; b < width; b++) {
    const from = Math.floor((b * n) / width);
    const to = Math.floor(((b + 1) * n) / width);
    let s = 0;
    for (let i = from; i < to; i++) s += values[i];
    out.push(s / Math.max(1, to - from));
  }
  return out;
}

/**
 * A column chart `height` rows tall, one column per value, bottom-aligned, scaled to [lo, hi]
 * with eighth-row resolution. Returns the rows top first.
 */
export function columnChart(values: readonly number[], height: number, lo: number, hi: number): string[] {
  const span = hi - lo || 1;
  const eighths = values.map((v) => Math.round(Math.min(1, Math.max(0, (v - lo) / span)) * height * 8));
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    rows.push(eighths.map((e) => BLOCKS[Math.min(8, Math.max(0, e - r * 8))]).join(''));
  }
  return rows;
}

/**
 * A signed column chart around a zero line in the middle row (for autocorrelation): positive values
 * grow up from the axis, negative ones down, both scaled by `limit`.
 */
export function signedChart(values: readonly number[], height: number, limit: number): string[] {
  const half = Math.max(1, Math.floor(height / 2));
  const up = columnChart(
    values.map((v) => Math.max(0, v)),
    half,
    0,
    limit,
  );
  const down = columnChart(
    values.map((v) => Math.max(0, -v)),
    half,
    0,
    limit,
  )
    .reverse()
    .map((row) => row.replace(/[▁▂▃▄▅▆▇]/g, '▀'));
  return [...up, '─'.repeat(values.length), ...down];
}
