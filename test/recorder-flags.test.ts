import { describe, expect, it } from 'vitest';
import { parseDuration, parseTags } from '../src/collect/recorder/duration.js';
import { newSessionId } from '../src/collect/session/layout.js';
import { OeError } from '../src/errors.js';

describe('record flags', () => {
  it('parses durations with units; a bare number is in the bare unit', () => {
    expect(parseDuration('60', '--duration')).toBe(60_000);
    expect(parseDuration('1.5s', '--duration')).toBe(1500);
    expect(parseDuration('2m', '--duration')).toBe(120_000);
    expect(parseDuration('1h', '--duration')).toBe(3_600_000);
    expect(parseDuration('250ms', '--flush-interval')).toBe(250);
    expect(parseDuration('100', '--interval', 'ms')).toBe(100);
  });

  it('rejects junk, zero and negative durations as usage errors naming the flag', () => {
    for (const bad of ['-5', 'abc', '0', '5 days', '']) {
      let err: unknown;
      try {
        parseDuration(bad, '--duration');
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(OeError);
      expect((err as OeError).exitCode).toBe(2);
      expect((err as OeError).message).toContain('--duration');
    }
  });

  it('parses tags at the first colon and rejects malformed ones', () => {
    expect(parseTags(['host:laptop', 'url:http://x:1'])).toEqual({ host: 'laptop', url: 'http://x:1' });
    expect(parseTags(undefined)).toEqual({});
    expect(() => parseTags(['nocolon'])).toThrow(/key:value/);
    expect(() => parseTags([':novalue'])).toThrow(/key:value/);
  });

  it('builds session ids like the seed: UTC time, label, -plusN, random suffix', () => {
    const t = new Date('2026-11-27T14:15:30.123Z');
    expect(newSessionId(['clock_jitter'], t, 'deadbeef')).toBe('2026-11-27T141530Z-clock_jitter-deadbeef');
    expect(newSessionId(['clock_jitter', 'rdrand', 'x'], t, '01234567')).toBe(
      '2026-11-27T141530Z-clock_jitter-plus2-01234567',
    );
    expect(newSessionId(['a/b c'], t, '00000000')).toBe('2026-11-27T141530Z-a_b_c-00000000');
  });
});
