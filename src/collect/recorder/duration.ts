import { OeError } from '../../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration flag: a number with an optional unit `ms`, `s`, `m` or `h` (fractions allowed);
 * a bare number is in `bareUnit` (seconds for --duration, as in the seed). Returns milliseconds.
 * Anything else, zero or negative is a usage error naming the flag.
 */
export function parseDuration(text: string | number, flag: string, bareUnit: 'ms' | 's' = 's'): number {
  const s = String(text).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*(ms|s|m|h)?$/.exec(s);
  if (!m) throw new OeError('USAGE', `${flag}: "${text}" is not a duration (e.g. 500ms, 30s, 2m, 1h)`);
  const ms = Number(m[1]) * UNITS[m[2] ?? bareUnit];
  if (!Number.isFinite(ms) || ms <= 0) throw new OeError('USAGE', `${flag} must be greater than zero, got "${text}"`);
  return ms;
}

/** Parses repeatable `--tag key:value` flags (split at the first colon); a malformed tag is a usage error. */
export function parseTags(tags: readonly string[] | string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const list = tags === undefined ? [] : Array.isArray(tags) ? tags : [tags as string];
  for (const t of list) {
    const i = String(t).indexOf(':');
    if (i <= 0) throw new OeError('USAGE', `--tag "${t}" must be key:value`);
    out[String(t).slice(0, i).trim()] = String(t)
      .slice(i + 1)
      .trim();
  }
  return out;
}
