import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { errorMessage, OeError } from '../errors.js';

/**
 * The process-wide DuckDB instance (in-memory). Every query and every Parquet write goes through it;
 * each operation takes its own connection (cheap) so concurrent writers and readers never share one.
 */
let instance: Promise<DuckDBInstance> | undefined;

/** DuckDB's JS API and its native bindings. */
export interface DuckDbModules {
  api: typeof import('@duckdb/node-api');
  bindings: typeof import('@duckdb/node-bindings');
}

let modules: DuckDbModules | undefined;
/** Options for the instance and the library's loading (configureDb), read when they are first used. */
let pendingOptions: DbOptions = {};

/**
 * Loads DuckDB with the first instance: loading its native library costs about 0.2 s of CPU, which a
 * command that imports this layer but never queries (a session listing, a file assessment) does not pay.
 */
async function loadDuckDb(): Promise<DuckDbModules> {
  if (!modules) {
    const keep = pendingOptions.keepFreedMemoryMs;
    if (keep !== undefined && process.env.DUCKDB_JE_MALLOC_CONF === undefined) {
      process.env.DUCKDB_JE_MALLOC_CONF = keepFreedMemoryConf(keep);
    }
    const [api, bindings] = await Promise.all([import('@duckdb/node-api'), import('@duckdb/node-bindings')]);
    // A CommonJS module: its exports are the namespace's default.
    modules = { api, bindings: (bindings as unknown as { default: DuckDbModules['bindings'] }).default };
  }
  return modules;
}

/** DuckDB's modules, for code that runs after getDb() has resolved (queries, the Parquet writer). */
export function duckDb(): DuckDbModules {
  if (!modules) throw new OeError('FAILED', 'DuckDB used before getDb() loaded it');
  return modules;
}

export interface DbOptions {
  /** DuckDB worker threads (default: DuckDB's own choice, the number of cores). */
  threads?: number;
  /** DuckDB memory limit, e.g. "1GB" (default: DuckDB's, 80 % of RAM). */
  memoryLimit?: string;
  /**
   * How long the memory DuckDB frees stays in the process for reuse, ms, instead of going back to the
   * kernel within a second (the decay of the jemalloc that libduckdb.so bundles, `dirty_decay_ms:1000`).
   * For a long-running process whose DuckDB work comes in bursts: the recorder re-encodes a minute's
   * flush parts every minute (~25 MiB of write buffers), and with the default decay its RSS rose and
   * fell by that much at every pass. jemalloc hands pages back along a smooth curve over this time, so
   * a burst that comes back after a fifth of it finds about 90 % of them; pages kept with no end
   * (`-1`) let RSS creep up by ~1 MiB a minute (a 30-minute recording, docs/SESSIONS.md run 7). Only
   * effective before DuckDB is loaded (the first getDb()), and not when DUCKDB_JE_MALLOC_CONF is already
   * set (the user's jemalloc settings win).
   */
  keepFreedMemoryMs?: number;
}

/** jemalloc options (libduckdb.so reads DUCKDB_JE_MALLOC_CONF as it loads) keeping freed pages `ms`, then purging them. */
export function keepFreedMemoryConf(ms: number): string {
  return `dirty_decay_ms:${Math.max(0, Math.trunc(ms))},muzzy_decay_ms:0`;
}

/** Sets options for the shared instance; only effective before its first use. */
export function configureDb(options: DbOptions): void {
  pendingOptions = { ...pendingOptions, ...options };
}

/** The shared in-memory DuckDB instance, created on first use. */
export function getDb(): Promise<DuckDBInstance> {
  if (!instance) {
    // No external file cache: it keeps the bytes of every Parquet file read in memory (up to the memory
    // limit), and the recorder's merges read thousands of distinct parts an hour, so RSS grew without
    // bound (~1 MiB per merge here); no query reads the same file often enough to gain from it.
    const opts: Record<string, string> = { enable_external_file_cache: 'false' };
    if (pendingOptions.threads !== undefined) opts.threads = String(pendingOptions.threads);
    if (pendingOptions.memoryLimit !== undefined) opts.memory_limit = pendingOptions.memoryLimit;
    instance = loadDuckDb()
      .then(({ api }) => api.DuckDBInstance.create(':memory:', opts))
      .catch((e) => {
        instance = undefined;
        throw new OeError('UNAVAILABLE', `cannot start DuckDB: ${errorMessage(e)}`, { cause: e });
      });
  }
  return instance;
}

/** Runs `fn` with a fresh connection to the shared instance and closes the connection afterwards. */
export async function withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
  const db = await getDb();
  const conn = await db.connect();
  try {
    return await fn(conn);
  } finally {
    conn.closeSync();
  }
}

/** Closes the shared instance (tests, short-lived CLIs). A later call to getDb() opens a new one. */
export async function closeDb(): Promise<void> {
  const p = instance;
  instance = undefined;
  if (p) {
    try {
      (await p).closeSync();
    } catch {
      // already failed to open: nothing to close
    }
  }
}

/** A SQL string literal (single quotes doubled), for file paths and globs in COPY / read_parquet. */
export function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** A quoted SQL identifier. */
export function sqlIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}
