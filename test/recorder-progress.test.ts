import { describe, expect, it } from 'vitest';
import { createProgressRenderer, formatBytes, formatCount, formatDuration } from '../src/report/progress.js';

function fakeStream(isTTY: boolean) {
  const writes: string[] = [];
  return {
    writes,
    stream: { isTTY, columns: 40, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream,
  };
}

describe('progress renderer', () => {
  it('plain mode: prints whole blocks, at most one per interval, and always the final block', () => {
    const f = fakeStream(false);
    const r = createProgressRenderer({ stream: f.stream, plainIntervalMs: 60_000 });
    r.update(['a', 'b']);
    r.update(['c', 'd']); // dropped: within the interval
    r.done(['done']);
    r.update(['late']); // after done: ignored
    expect(f.writes).toEqual(['a\nb\n', 'done\n']);
    expect(f.writes.join('')).not.toContain('\x1b');
  });

  it('TTY mode: redraws in place (cursor up over the previous block) and truncates to the width', () => {
    const f = fakeStream(true);
    const r = createProgressRenderer({ stream: f.stream, ttyIntervalMs: 0 });
    r.update(['one', 'two']);
    r.update(['x'.repeat(100)]);
    expect(f.writes[0]).toBe('\x1b[2Kone\n\x1b[2Ktwo\n');
    // second draw: up 2 lines, the new line cut to 39 columns, the stale second line cleared
    expect(f.writes[1].startsWith('\x1b[2F\x1b[2K')).toBe(true);
    expect(f.writes[1]).toContain(`${'x'.repeat(39)}\n`);
    expect(f.writes[1]).not.toContain('x'.repeat(40));
  });

  it('formats counts, bytes and durations', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(12_345)).toBe('12.3k');
    expect(formatCount(4_550_000)).toBe('4.55M');
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(17.3 * 1024 * 1024)).toBe('17.3 MiB');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(12_300)).toBe('12.3 s');
    expect(formatDuration(245_000)).toBe('4m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });
});
