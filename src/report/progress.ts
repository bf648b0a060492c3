/**
 * The shared progress reporter. Library code reports progress through a callback with plain data;
 * the CLI hands that data to a formatter and renders the lines here: redrawn in place on a terminal,
 * and as periodic plain lines when the output is a file or a pipe (logs stay readable).
 */

export interface ProgressRendererOptions {
  /** Where to draw (default process.stderr, so stdout stays clean for --json). */
  stream?: NodeJS.WriteStream;
  /** Force TTY or plain mode (default: the stream's isTTY). */
  tty?: boolean;
  /** Plain mode: at most one block of lines per this many ms (default 5000). */
  plainIntervalMs?: number;
  /** TTY mode: at most one redraw per this many ms (default 100). */
  ttyIntervalMs?: number;
}

export interface ProgressRenderer {
  /** Offer the current lines; drawn now or dropped if the last draw was too recent. */
  update(lines: readonly string[]): void;
  /** Draw the final lines (always) and stop. */
  done(lines?: readonly string[]): void;
}

export function createProgressRenderer(options: ProgressRendererOptions = {}): ProgressRenderer {
  const stream = options.stream ?? process.stderr;
  const tty = options.tty ?? Boolean(stream.isTTY);
  const minGap = tty ? (options.ttyIntervalMs ?? 100) : (options.plainIntervalMs ?? 5000);
  let drawn = 0;
  let last = -Infinity;
  let finished = false;
  const draw = (lines: readonly string[]) => {
    if (tty) {
      const width = Math.max(20, (stream.columns || 100) - 1);
      let out = drawn > 0 ? `\x1b[${drawn}F` : '';
      for (const l of lines) out += `\x1b[2K${l.length > width ? l.slice(0, width) : l}\n`;
      // Clear leftovers when the block got shorter.
      for (let i = lines.length; i < drawn; i++) out += '\x1b[2K\n';
      if (drawn > lines.length) out += `\x1b[${drawn - lines.length}F`;
      stream.write(out);
      drawn = lines.length;
    } else {
      stream.write(`${lines.join('\n')}\n`);
    }
  };
  return {
    update(lines) {
      if (finished) return;
      const now = performance.now();
      if (now - last < minGap) return;
      last = now;
      draw(lines);
    },
    done(lines) {
      if (finished) return;
      finished = true;
      if (lines) draw(lines);
    },
  };
}

/** Human-readable count: 1234 → "1.23k", 5e6 → "5.00M". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (a >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Bytes in binary units: 1536 → "1.5 KiB". */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

/** Milliseconds as "850 ms", "12.3 s", "4m05s", "1h02m". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
