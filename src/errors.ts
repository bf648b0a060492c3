/**
 * The one error type of oe. Library code throws `OeError` with a code; the CLI edge maps the code
 * to an exit status and prints the message as one line (no stack trace).
 */
export const EXIT_CODES = {
  /** Generic failure. */
  FAILED: 1,
  /** Bad flags or arguments (also used for a negative --window-sec, per the seed). */
  USAGE: 2,
  /** A file, session or source named by the user does not exist. */
  NOT_FOUND: 3,
  /** Input exists but is malformed: bad JSON, truncated Parquet, checksum mismatch, wrong width. */
  BAD_INPUT: 4,
  /** A source or resource cannot be used here (unavailable source, port in use, no healthy source: fail closed). */
  UNAVAILABLE: 5,
  /** Writing failed (disk full, permission denied); everything flushed before is intact. */
  IO: 6,
  /** A sampler or batch exceeded its deadline. */
  TIMEOUT: 7,
  /** Health tests failed (RCT/APT) and the operation could not be served. */
  HEALTH: 8,
  /** Interrupted by SIGINT (128 + 2, the shell convention). */
  INTERRUPTED: 130,
} as const;

export type ErrorCode = keyof typeof EXIT_CODES;

export class OeError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'OeError';
    this.code = code;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

export function isOeError(e: unknown): e is OeError {
  return e instanceof OeError;
}

/** The message of any thrown value, for wrapping low-level errors with context. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
