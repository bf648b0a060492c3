/**
 * The one error type of oe. Library code throws `OeError` with a code; the CLI edge maps the code
 * to an exit status and prints the message as one line (no stack trace).
 */
export const EXIT_CODES = {
  /** Generic failure. */
  FAILED: 1,
  /** Bad flags, arguments or library options. */
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
  /**
   * The library option the error is about (`samplesPerRound`), when the message starts with it. The
   * CLI shows the message with its flag for that option instead (`--samples-per-round`).
   */
  readonly option?: string;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; option?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OeError';
    this.code = code;
    if (options?.option !== undefined) this.option = options.option;
  }
  get exitCode(): number {
    return EXIT_CODES[this.code];
  }
}

/**
 * A usage error about one option of a library function: `optionError('samplesPerRound', 'must be ≥ 1, got 0')`
 * has the message "samplesPerRound must be ≥ 1, got 0" (the CLI shows "--samples-per-round must be …").
 */
export function optionError(option: string, problem: string): OeError {
  return new OeError('USAGE', `${option} ${problem}`, { option });
}

export function isOeError(e: unknown): e is OeError {
  return e instanceof OeError;
}

/** The message of any thrown value, for wrapping low-level errors with context. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
