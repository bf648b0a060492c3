/**
 * Options shared by several `oe` commands, declared once: the same flag has the same wording, default
 * and validation everywhere. Each function returns a yargs option declaration:
 *
 *   y.option('sources', sourcesOption())
 *    .option('dir', sessionsDirOption())
 *    .option('samples', integerOption('samples', 'Samples per source', { min: 2, default: 50_000 }))
 *
 * Values are checked while arguments are parsed (yargs `coerce`), so a bad value is a usage error
 * (exit 2) before a command starts any work, and a flag given twice, or given without its value, is
 * refused instead of arriving as an array or a default. The light imports here (no catalog, no DuckDB)
 * keep every command's start-up small.
 */
import type { Options } from 'yargs';
import { type Conditioning, parseConditioning } from '../collect/conditioning/index.js';
import { parseDuration } from '../collect/recorder/duration.js';
import { DEFAULT_SESSIONS_DIR } from '../collect/session/layout.js';
import { OeError } from '../errors.js';

/** How `--sources` is read (the library's `selectSources`, src/collect/catalog.ts). */
export const SOURCES_HELP =
  'all, or comma-separated exact names and glob patterns (jitter_*, *_timing); an exact name selects that source alone, also an opt-in one';

/** The one value of a flag that must not repeat (yargs turns a repeated flag into an array). */
function single<T>(flag: string, v: T | T[]): T {
  if (Array.isArray(v)) throw new OeError('USAGE', `--${flag} was given ${v.length} times; give it once`);
  return v;
}

/** A one-value string option; empty text is refused unless `empty`. */
function stringValue(flag: string, v: string | string[] | undefined, empty = false): string | undefined {
  if (v === undefined) return undefined;
  const s = single(flag, v);
  if (!empty && s.trim() === '') throw new OeError('USAGE', `--${flag} is empty; give a value`);
  return s;
}

/** A free-text option: one value, required after the flag (`flag` is its name, for messages). */
export function textOption<D extends string | undefined = undefined>(
  flag: string,
  describe: string,
  opts: { default?: D; empty?: boolean } = {},
) {
  return {
    type: 'string',
    describe,
    requiresArg: true,
    default: opts.default as D,
    coerce: (v: string | string[] | undefined) =>
      stringValue(flag, v, opts.empty) as D extends string ? string : string | undefined,
  } as const satisfies Options;
}

/** `--sources`: the source selection; `purpose` says what they are for and what the default is. */
export function sourcesOption(purpose = 'Sources (default: the fast set)') {
  return {
    type: 'string',
    requiresArg: true,
    describe: `${purpose}: ${SOURCES_HELP}`,
    coerce: (v: string | string[] | undefined) => stringValue('sources', v),
  } as const satisfies Options;
}

/** `--source`: exactly one source, by its exact name. */
export function sourceOption(purpose = 'One source') {
  return {
    type: 'string',
    requiresArg: true,
    describe: `${purpose} (its exact name, as "oe scan" lists it)`,
    coerce: (v: string | string[] | undefined) => stringValue('source', v)?.trim(),
  } as const satisfies Options;
}

/**
 * The root folder of recorded sessions, default `sessions`: `--dir` where sessions are read, `--output`
 * for the commands that record (`flag` says which, for messages).
 */
export function sessionsDirOption(flag: 'dir' | 'output' = 'dir', describe = 'Root directory of sessions') {
  return {
    type: 'string',
    requiresArg: true,
    default: DEFAULT_SESSIONS_DIR,
    describe,
    coerce: (v: string | string[]) => stringValue(flag, v) as string,
  } as const satisfies Options;
}

/** `--dir`, repeatable: several roots of sessions (default `sessions`), each non-empty. */
export function sessionsDirsOption(describe = 'Root directory of sessions (repeatable)') {
  return {
    type: 'string',
    array: true,
    requiresArg: true,
    default: [DEFAULT_SESSIONS_DIR],
    describe,
    coerce: (v: string | string[]) => (Array.isArray(v) ? v : [v]).map((d) => stringValue('dir', String(d)) as string),
  } as const satisfies Options;
}

/** `--json`: print JSON (valid against schemas/<schema>.schema.json) instead of text. */
export function jsonOption(schema: string, what = 'Print JSON') {
  return {
    type: 'boolean',
    default: false,
    describe: `${what} (schemas/${schema}.schema.json)`,
  } as const satisfies Options;
}

/** `--output FILE`: where the result goes instead of stdout. */
export function outputOption(describe = 'Write the result to this file instead of stdout') {
  return {
    type: 'string',
    requiresArg: true,
    describe,
    coerce: (v: string | string[] | undefined) => stringValue('output', v),
  } as const satisfies Options;
}

interface Range {
  /** Smallest allowed value (inclusive unless `above`). */
  min?: number;
  /** The value must be greater than `min` (an open interval). */
  above?: boolean;
  /** Largest allowed value (inclusive unless `below`). */
  max?: number;
  /** The value must be less than `max`. */
  below?: boolean;
}

function rangeText(r: Range, integer: boolean): string {
  const kind = integer ? 'an integer' : 'a number';
  if (r.min !== undefined && r.max !== undefined)
    return `${kind} in ${r.above ? '(' : '['}${r.min}, ${r.max}${r.below ? ')' : ']'}`;
  if (r.min !== undefined) return `${kind} ${r.above ? '>' : '≥'} ${r.min}`;
  if (r.max !== undefined) return `${kind} ${r.below ? '<' : '≤'} ${r.max}`;
  return kind;
}

function checkNumber(flag: string, v: unknown, r: Range, integer: boolean): number {
  const x = single(flag, v as number);
  const ok =
    typeof x === 'number' &&
    Number.isFinite(x) &&
    (!integer || Number.isSafeInteger(x)) &&
    (r.min === undefined || (r.above ? x > r.min : x >= r.min)) &&
    (r.max === undefined || (r.below ? x < r.max : x <= r.max));
  if (!ok) {
    const got = typeof x === 'number' && Number.isNaN(x) ? 'a value that is not a number' : String(x);
    throw new OeError('USAGE', `--${flag} must be ${rangeText(r, integer)}, got ${got}`);
  }
  return x;
}

type NumberValue<D> = D extends number ? number : number | undefined;

/**
 * A numeric option checked at parse time (`integer`: a safe integer). `flag` is the option's own name
 * (for the message). With a default the option always has a number; without, it is `undefined` when
 * not given.
 */
export function numberOption<D extends number | undefined = undefined>(
  flag: string,
  describe: string,
  range: Range & { default?: D; integer?: boolean } = {},
) {
  const { default: def, integer = false, ...r } = range;
  return {
    type: 'number',
    describe,
    requiresArg: true,
    default: def as D,
    coerce: (v: unknown): NumberValue<D> =>
      (v === undefined ? undefined : checkNumber(flag, v, r, integer)) as NumberValue<D>,
  } as const satisfies Options;
}

/** An integer option checked at parse time (see numberOption). */
export function integerOption<D extends number | undefined = undefined>(
  flag: string,
  describe: string,
  range: Range & { default?: D } = {},
) {
  return numberOption<D>(flag, describe, { ...range, integer: true });
}

/** `--threads N`: worker threads (default: the CPU count). `min` 0 allows running in the calling thread. */
export function threadsOption(min: 0 | 1 = 1) {
  return integerOption('threads', `Worker threads (default: the CPU count${min === 0 ? '; 0 = this thread' : ''})`, {
    min,
    max: 1024,
  });
}

/** `--seed S`: the seed of a command's random draws (a non-negative 32-bit integer). */
export function seedOption(describe: string, def = 1) {
  return integerOption('seed', describe, { min: 0, max: 4294967295, default: def });
}

type DurationValue<D> = D extends string ? number : number | undefined;

/**
 * A duration option (`500ms`, `30s`, `2m`, `1h`; a bare number is in `bareUnit`), returned in
 * milliseconds. `zero` allows 0 (for "off").
 */
export function durationOption<D extends string | undefined = undefined>(
  flag: string,
  describe: string,
  opts: { default?: D; bareUnit?: 'ms' | 's'; zero?: boolean } = {},
) {
  return {
    type: 'string',
    describe,
    requiresArg: true,
    default: opts.default as D,
    coerce: (v: string | string[] | undefined): DurationValue<D> => {
      if (v === undefined) return undefined as DurationValue<D>;
      const text = String(single(flag, v)).trim();
      if (opts.zero && /^0+(\.0+)?\s*(ms|s|m|h)?$/i.test(text)) return 0;
      return parseDuration(text, `--${flag}`, opts.bareUnit ?? 's');
    },
  } as const satisfies Options;
}

/** One of a fixed set of words (`choices`, given once). */
export function choiceOption<const C extends readonly string[], D extends C[number] | undefined = undefined>(
  flag: string,
  choices: C,
  describe: string,
  def?: D,
) {
  return {
    choices,
    describe,
    requiresArg: true,
    default: def as D,
    coerce: (v: C[number] | C[number][] | undefined) =>
      (v === undefined ? v : single(flag, v)) as D extends string ? C[number] : C[number] | undefined,
  } as const satisfies Options;
}

/** `--conditioning`: sha256, vonneumann or raw (with the aliases parseConditioning accepts). */
export function conditioningOption<D extends Conditioning | undefined = undefined>(describe: string, def?: D) {
  return {
    type: 'string',
    describe,
    requiresArg: true,
    default: def as D,
    coerce: (v: string | string[] | undefined) =>
      (v === undefined ? v : parseConditioning(single('conditioning', v))) as D extends string
        ? Conditioning
        : Conditioning | undefined,
  } as const satisfies Options;
}

/** `--metrics-port`: Prometheus metrics (GET /metrics) on their own listener; absent: none. */
export function metricsPortOption() {
  return integerOption('metrics-port', 'Serve Prometheus metrics (GET /metrics) on this port (0 = any free port)', {
    min: 0,
    max: 65535,
  });
}

/** `--metrics-host`: the address of the `--metrics-port` listener (loopback by default). */
export function metricsHostOption() {
  return textOption('metrics-host', 'Address for --metrics-port (loopback by default)', { default: '127.0.0.1' });
}
