import type { DuckDBConnection, DuckDBDataChunk, DuckDBResult, DuckDBTypeId, DuckDBValue } from '@duckdb/node-api';
import { errorMessage, OeError } from '../errors.js';
import { concatInto } from '../util/typed-arrays.js';
import { duckDb, getDb } from './connection.js';
import type { NumericArray } from './parquet.js';

/**
 * A result column as it leaves DuckDB: a typed array for fixed-width types, string[] for VARCHAR,
 * and for anything else (dates, decimals, lists…) the values converted to plain JS (JSON-compatible
 * where possible). Integer columns with NULLs are rejected (COALESCE them); DOUBLE/FLOAT NULL → NaN.
 */
export type ResultColumn = NumericArray | (string | null)[] | unknown[];

/** A block of rows, column-major: `columns[name]` has `rowCount` entries. */
export interface ColumnChunk {
  rowCount: number;
  columns: Record<string, ResultColumn>;
}

/** Query parameters: positional ($1, $2 … or ?) or named ($name). */
export type QueryParams = readonly DuckDBValue[] | Record<string, DuckDBValue>;

type TypedCtor = {
  new (n: number): Exclude<ResultColumn, unknown[] | (string | null)[]>;
  BYTES_PER_ELEMENT: number;
};

let fixed: Partial<Record<DuckDBTypeId, TypedCtor>> | undefined;

/** The typed array of each fixed-width DuckDB type (built once DuckDB is loaded). */
function fixedTypes(): Partial<Record<DuckDBTypeId, TypedCtor>> {
  fixed ??= fixedTypeTable(duckDb().api.DuckDBTypeId);
  return fixed;
}

function fixedTypeTable(T: typeof DuckDBTypeId): Partial<Record<DuckDBTypeId, TypedCtor>> {
  return {
    [T.BIGINT]: BigInt64Array,
    [T.UBIGINT]: BigUint64Array,
    [T.INTEGER]: Int32Array,
    [T.UINTEGER]: Uint32Array,
    [T.SMALLINT]: Int16Array,
    [T.USMALLINT]: Uint16Array,
    [T.TINYINT]: Int8Array,
    [T.UTINYINT]: Uint8Array,
    [T.DOUBLE]: Float64Array,
    [T.FLOAT]: Float32Array,
    [T.BOOLEAN]: Uint8Array,
    // TIMESTAMP (µs), TIMESTAMP_NS, TIMESTAMP_MS, TIMESTAMP_S: int64 counts since the epoch
    [T.TIMESTAMP]: BigInt64Array,
    [T.TIMESTAMP_NS]: BigInt64Array,
    [T.TIMESTAMP_MS]: BigInt64Array,
    [T.TIMESTAMP_S]: BigInt64Array,
    [T.TIMESTAMP_TZ]: BigInt64Array,
  };
}

/** Converts one column of a DuckDB chunk into a fresh array (the chunk's memory is not kept). */
function readVector(chunk: DuckDBDataChunk, col: number, typeId: DuckDBTypeId, name: string): ResultColumn {
  const n = chunk.rowCount;
  const { api, bindings: duckdb } = duckDb();
  const raw = duckdb.data_chunk_get_vector(chunk.chunk, col);
  const ctor = fixedTypes()[typeId];
  if (ctor) {
    const bytes = duckdb.vector_get_data(raw, n * ctor.BYTES_PER_ELEMENT);
    const out = new ctor(n);
    new Uint8Array(out.buffer).set(bytes.subarray(0, n * ctor.BYTES_PER_ELEMENT));
    const validity = duckdb.vector_get_validity(raw, Math.ceil(n / 64) * 8);
    if (validity) {
      for (let i = 0; i < n; i++) {
        if (((validity[i >> 3] >> (i & 7)) & 1) === 0) {
          if (out instanceof Float64Array || out instanceof Float32Array) out[i] = Number.NaN;
          else throw new OeError('BAD_INPUT', `query column ${name} has NULLs; COALESCE it or read it as DOUBLE`);
        }
      }
    }
    return out;
  }
  const vector = chunk.getColumnVector(col);
  if (typeId === api.DuckDBTypeId.VARCHAR) {
    const out: (string | null)[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = vector.getItem(i) as string | null;
    return out;
  }
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = toJs(vector.getItem(i));
  return out;
}

function toJs(v: DuckDBValue): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (v instanceof Uint8Array) return v;
  if (Array.isArray(v)) return v.map(toJs);
  // Value classes (dates, decimals, lists, structs…) print in DuckDB's own text form.
  return String(v);
}

function concat(parts: ResultColumn[], total: number): ResultColumn {
  if (parts.length === 1) return parts[0];
  const first = parts[0];
  if (Array.isArray(first)) return (parts as unknown[][]).flat();
  return concatInto(new (first.constructor as TypedCtor)(total), parts as NumericArray[]);
}

async function run(conn: DuckDBConnection, sql: string, params: QueryParams | undefined): Promise<DuckDBResult> {
  try {
    return await conn.stream(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
  } catch (e) {
    throw new OeError('BAD_INPUT', oneLine(errorMessage(e)), { cause: e });
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

export interface StreamColumnsOptions {
  /** Rows per yielded chunk (DuckDB produces 2048-row vectors; they are merged up to this). Default 65536. */
  chunkRows?: number;
}

/**
 * Streams a query's result as column chunks of up to `chunkRows` rows. Numbers arrive as typed arrays
 * (BIGINT → BigInt64Array, UTINYINT → Uint8Array, DOUBLE → Float64Array …), never as row objects.
 * Errors in the SQL (or an unreadable / truncated Parquet file) are an OeError('BAD_INPUT').
 */
export async function* streamColumns(
  sql: string,
  params?: QueryParams,
  options: StreamColumnsOptions = {},
): AsyncGenerator<ColumnChunk> {
  const target = options.chunkRows ?? 65536;
  const db = await getDb();
  const conn = await db.connect();
  try {
    const result = await run(conn, sql, params);
    const names = result.deduplicatedColumnNames();
    const typeIds = names.map((_, i) => result.columnTypeId(i));
    let pending: ResultColumn[][] = names.map(() => []);
    let pendingRows = 0;
    const flush = (): ColumnChunk => {
      const columns: Record<string, ResultColumn> = {};
      names.forEach((n, i) => {
        columns[n] = concat(pending[i], pendingRows);
      });
      const out = { rowCount: pendingRows, columns };
      pending = names.map(() => []);
      pendingRows = 0;
      return out;
    };
    for (;;) {
      let chunk: DuckDBDataChunk | null;
      try {
        chunk = await result.fetchChunk();
      } catch (e) {
        throw new OeError('BAD_INPUT', oneLine(errorMessage(e)), { cause: e });
      }
      if (!chunk || chunk.rowCount === 0) break;
      for (let i = 0; i < names.length; i++) pending[i].push(readVector(chunk, i, typeIds[i], names[i]));
      pendingRows += chunk.rowCount;
      if (pendingRows >= target) yield flush();
    }
    if (pendingRows > 0) yield flush();
  } finally {
    conn.closeSync();
  }
}

/** The whole result as one column chunk (for results that fit in memory: per-source streams, summaries). */
export async function queryColumns(sql: string, params?: QueryParams): Promise<ColumnChunk> {
  const parts: ColumnChunk[] = [];
  let names: string[] | undefined;
  let total = 0;
  for await (const c of streamColumns(sql, params, { chunkRows: 1 << 20 })) {
    parts.push(c);
    names ??= Object.keys(c.columns);
    total += c.rowCount;
  }
  if (parts.length === 0) {
    // Empty result: still report the columns (typed by DuckDB) so callers can rely on them.
    return emptyResult(sql, params);
  }
  if (parts.length === 1) return parts[0];
  const columns: Record<string, ResultColumn> = {};
  for (const n of names ?? []) {
    columns[n] = concat(
      parts.map((p) => p.columns[n]),
      total,
    );
  }
  return { rowCount: total, columns };
}

async function emptyResult(sql: string, params: QueryParams | undefined): Promise<ColumnChunk> {
  const db = await getDb();
  const conn = await db.connect();
  try {
    const result = await run(conn, `SELECT * FROM (${sql}) LIMIT 0`, params);
    const columns: Record<string, ResultColumn> = {};
    result.deduplicatedColumnNames().forEach((n, i) => {
      const ctor = fixedTypes()[result.columnTypeId(i)];
      columns[n] = ctor ? new ctor(0) : [];
    });
    return { rowCount: 0, columns };
  } catch {
    return { rowCount: 0, columns: {} };
  } finally {
    conn.closeSync();
  }
}

/** Runs a statement that returns nothing useful (DDL, COPY, SET). */
export async function execute(sql: string, params?: QueryParams): Promise<void> {
  const db = await getDb();
  const conn = await db.connect();
  try {
    await conn.run(sql, params as DuckDBValue[] | Record<string, DuckDBValue> | undefined);
  } catch (e) {
    throw new OeError('BAD_INPUT', oneLine(errorMessage(e)), { cause: e });
  } finally {
    conn.closeSync();
  }
}

/** A single scalar (first column of the first row), e.g. `SELECT count(*) …`; null when there is no row. */
export async function queryScalar(sql: string, params?: QueryParams): Promise<unknown> {
  const r = await queryColumns(sql, params);
  const first = Object.values(r.columns)[0];
  if (!first || r.rowCount === 0) return null;
  return first[0];
}
