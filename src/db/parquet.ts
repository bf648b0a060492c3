import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBAppender,
  DuckDBDataChunk,
  type DuckDBType,
  FLOAT,
  INTEGER,
  SMALLINT,
  TIMESTAMP,
  TINYINT,
  UBIGINT,
  UINTEGER,
  USMALLINT,
  UTINYINT,
  VARCHAR,
} from '@duckdb/node-api';
import duckdb from '@duckdb/node-bindings';
import { errorMessage, OeError } from '../errors.js';
import { sqlIdent, sqlString, withConnection } from './connection.js';

/** DuckDB column types the writer accepts, with the typed array each one takes. */
export type ColumnType =
  | 'BIGINT'
  | 'UBIGINT'
  | 'INTEGER'
  | 'UINTEGER'
  | 'SMALLINT'
  | 'USMALLINT'
  | 'TINYINT'
  | 'UTINYINT'
  | 'DOUBLE'
  | 'FLOAT'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'VARCHAR';

export type NumericArray =
  | BigInt64Array
  | BigUint64Array
  | Int32Array
  | Uint32Array
  | Int16Array
  | Uint16Array
  | Int8Array
  | Uint8Array
  | Float64Array
  | Float32Array;

/** One column to write: a typed array for numbers (BOOLEAN takes a Uint8Array of 0/1), strings for VARCHAR. */
export interface ColumnInput {
  name: string;
  type: ColumnType;
  data: NumericArray | readonly string[];
  /** DOUBLE/FLOAT only: store NaN as NULL (e.g. a rate that does not exist for a gauge). */
  nullIfNaN?: boolean;
}

const TYPES: Record<ColumnType, { duck: DuckDBType; array: string | null }> = {
  BIGINT: { duck: BIGINT, array: 'BigInt64Array' },
  UBIGINT: { duck: UBIGINT, array: 'BigUint64Array' },
  INTEGER: { duck: INTEGER, array: 'Int32Array' },
  UINTEGER: { duck: UINTEGER, array: 'Uint32Array' },
  SMALLINT: { duck: SMALLINT, array: 'Int16Array' },
  USMALLINT: { duck: USMALLINT, array: 'Uint16Array' },
  TINYINT: { duck: TINYINT, array: 'Int8Array' },
  UTINYINT: { duck: UTINYINT, array: 'Uint8Array' },
  DOUBLE: { duck: DOUBLE, array: 'Float64Array' },
  FLOAT: { duck: FLOAT, array: 'Float32Array' },
  BOOLEAN: { duck: BOOLEAN, array: 'Uint8Array' },
  // µs since the Unix epoch (Parquet TIMESTAMP(MICROS), what pandas, R and Spark read as a timestamp)
  TIMESTAMP: { duck: TIMESTAMP, array: 'BigInt64Array' },
  VARCHAR: { duck: VARCHAR, array: null },
};

export interface WriteParquetOptions {
  /** zstd level (DuckDB default 3). */
  compressionLevel?: number;
  /** Rows per Parquet row group (DuckDB default 122880). */
  rowGroupSize?: number;
  /** Key/value pairs stored in the Parquet footer (e.g. the schema name). */
  metadata?: Record<string, string>;
  /** fsync the file and its directory before returning (default true: a renamed part survives a crash). */
  fsync?: boolean;
  /** Compute the sha256 of the written file (default true). */
  checksum?: boolean;
}

export interface WrittenPart {
  path: string;
  rows: number;
  bytes: number;
  /** Hex sha256 of the final file ('' when checksum: false). */
  sha256: string;
}

/** sha256 of a file, hex. */
export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function validate(columns: readonly ColumnInput[]): number {
  if (columns.length === 0) throw new OeError('USAGE', 'writeParquet: no columns');
  const n = columns[0].data.length;
  const names = new Set<string>();
  for (const c of columns) {
    const t = TYPES[c.type];
    if (!t) throw new OeError('USAGE', `writeParquet: unsupported column type ${c.type}`);
    if (names.has(c.name)) throw new OeError('USAGE', `writeParquet: duplicate column ${c.name}`);
    names.add(c.name);
    const kind = c.data.constructor.name;
    if (t.array === null ? !Array.isArray(c.data) : kind !== t.array) {
      throw new OeError(
        'USAGE',
        `writeParquet: column ${c.name} (${c.type}) needs ${t.array ?? 'string[]'}, got ${kind}`,
      );
    }
    if (c.data.length !== n) {
      throw new OeError('USAGE', `writeParquet: column ${c.name} has ${c.data.length} rows, expected ${n}`);
    }
  }
  return n;
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Writes typed-array columns to a Parquet file: the rows go into a temporary DuckDB table in whole
 * data chunks (a memcpy per vector, no per-value calls), then `COPY … TO '<path>.tmp' (FORMAT parquet,
 * COMPRESSION zstd, PARQUET_VERSION v2)` and a rename. A reader never sees a half-written file: either
 * the `.tmp` (ignored by every reader) or the finished part. Errors (full disk, permissions) are an
 * OeError('IO') naming the file; the `.tmp` is removed.
 */
export async function writeParquet(
  path: string,
  columns: readonly ColumnInput[],
  options: WriteParquetOptions = {},
): Promise<WrittenPart> {
  const rows = validate(columns);
  const tmp = `${path}.tmp`;
  return withConnection(async (conn) => {
    const table = 'oe_parquet_out';
    const ddl = columns.map((c) => `${sqlIdent(c.name)} ${c.type}`).join(', ');
    await conn.run(`CREATE TEMP TABLE ${table} (${ddl})`);
    try {
      appendColumns(await conn.createAppender(table), columns, rows);
      const opts = ['FORMAT parquet', 'COMPRESSION zstd', 'PARQUET_VERSION v2'];
      if (options.compressionLevel !== undefined)
        opts.push(`COMPRESSION_LEVEL ${Math.trunc(options.compressionLevel)}`);
      if (options.rowGroupSize !== undefined) opts.push(`ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)}`);
      if (options.metadata && Object.keys(options.metadata).length > 0) {
        const kv = Object.entries(options.metadata)
          .map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`)
          .join(', ');
        opts.push(`KV_METADATA {${kv}}`);
      }
      try {
        await conn.run(`COPY ${table} TO ${sqlString(tmp)} (${opts.join(', ')})`);
        if (options.fsync !== false) fsyncPath(tmp);
        renameSync(tmp, path);
        if (options.fsync !== false) fsyncPath(dirname(path));
      } catch (e) {
        rmSync(tmp, { force: true });
        throw new OeError('IO', `cannot write ${path}: ${oneLine(errorMessage(e))}`, { cause: e });
      }
    } finally {
      await conn.run(`DROP TABLE IF EXISTS ${table}`).catch(() => undefined);
    }
    const bytes = statSync(path).size;
    return { path, rows, bytes, sha256: options.checksum === false ? '' : sha256File(path) };
  });
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Writes the chunk's validity mask for a NaN-as-NULL column (every row valid except the NaNs). */
function markNaNInvalid(vector: duckdb.Vector, arr: NumericArray, off: number, len: number): void {
  const mask = new Uint8Array(Math.ceil(len / 64) * 8).fill(0xff);
  for (let r = 0; r < len; r++) {
    if (Number.isNaN(arr[off + r] as number)) mask[r >> 3] &= ~(1 << (r & 7));
  }
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}

/** Appends all rows in vector-sized data chunks: numeric vectors are filled by one memcpy each. */
function appendColumns(appender: DuckDBAppender, columns: readonly ColumnInput[], rows: number): void {
  const chunkSize = duckdb.vector_size();
  const chunk = DuckDBDataChunk.create(columns.map((c) => TYPES[c.type].duck));
  const vectors = columns.map((_, i) => duckdb.data_chunk_get_vector(chunk.chunk, i));
  try {
    for (let off = 0; off < rows; off += chunkSize) {
      const len = Math.min(chunkSize, rows - off);
      duckdb.data_chunk_reset(chunk.chunk);
      for (let i = 0; i < columns.length; i++) {
        const data = columns[i].data;
        if (Array.isArray(data)) {
          const strings = data as readonly string[];
          for (let r = 0; r < len; r++) duckdb.vector_assign_string_element(vectors[i], r, strings[off + r]);
        } else {
          const arr = data as NumericArray;
          const bpe = arr.BYTES_PER_ELEMENT;
          duckdb.copy_data_to_vector(vectors[i], 0, arr.buffer as ArrayBuffer, arr.byteOffset + off * bpe, len * bpe);
          if (columns[i].nullIfNaN) markNaNInvalid(vectors[i], arr, off, len);
        }
      }
      duckdb.data_chunk_set_size(chunk.chunk, len);
      appender.appendDataChunk(chunk);
    }
    appender.closeSync();
  } catch (e) {
    try {
      appender.closeSync();
    } catch {
      // the original error is the one to report
    }
    throw e;
  }
}
