import { OeError } from '../../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration flag: a number with an optional unit `ms`, `s`, `m` or `h` (fractions allowed);
 * a bare number is in `bareUnit` (seconds for --duration, as in openentropy). Returns milliseconds.
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

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
};

/**
 * Parses a size flag: a number with an optional unit (B, kB/MB/GB/TB powers of 1000, KiB/MiB/GiB/TiB
 * powers of 1024; a bare number is bytes). Returns whole bytes; anything else, zero or negative is a
 * usage error naming the flag.
 */
export function parseSize(text: string | number, flag: string): number {
  const s = String(text).trim().toLowerCase();
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/.exec(s);
  const unit = m ? SIZE_UNITS[m[2] || 'b'] : undefined;
  if (!m || unit === undefined) throw new OeError('USAGE', `${flag}: "${text}" is not a size (e.g. 500MB, 2GiB)`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (!Number.isFinite(bytes) || bytes <= 0)
    throw new OeError('USAGE', `${flag} must be greater than zero, got "${text}"`);
  return bytes;
}
