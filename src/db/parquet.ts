import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { open, rename, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import type {
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBInstance,
  DuckDBTableFunction,
  DuckDBType,
} from '@duckdb/node-api';
import type duckdbBindings from '@duckdb/node-bindings';
import { errorMessage, OeError } from '../errors.js';
import { fillRange } from '../util/int64.js';
import { duckDb, getDb, sqlIdent, sqlString, withConnection } from './connection.js';
import { nativeColumns, nativeScan } from './native-scan.js';
import { withStage } from './staging.js';

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

/**
 * A numeric column held as consecutive typed arrays (a source's buffered batches), written as if
 * concatenated: no copy of the whole column is made.
 */
export interface NumericPieces {
  kind: 'pieces';
  pieces: readonly NumericArray[];
}

/**
 * A BIGINT column given by runs: run i is `lengths[i]` rows of `starts[i] + k × step`, k = 0, 1, …
 * (step 1: a counter such as seq; step 0: a constant such as the batch number). It is generated chunk by
 * chunk as DuckDB reads it, so the column never exists whole in memory. Values stay below 2^53.
 */
export interface SteppedRuns {
  kind: 'runs';
  starts: readonly number[];
  lengths: readonly number[];
  step: 0 | 1;
}

/**
 * One column to write: a typed array for numbers (BOOLEAN takes a Uint8Array of 0/1), strings for VARCHAR,
 * or numbers in pieces or runs (above).
 */
export interface ColumnInput {
  name: string;
  type: ColumnType;
  data: NumericArray | readonly string[] | NumericPieces | SteppedRuns;
  /** DOUBLE/FLOAT given as one typed array only: store NaN as NULL (e.g. a rate that does not exist for a gauge). */
  nullIfNaN?: boolean;
}

/** Rows of a column's data. */
function columnRows(data: ColumnInput['data']): number {
  if (Array.isArray(data) || ArrayBuffer.isView(data)) return (data as NumericArray | readonly string[]).length;
  const d = data as NumericPieces | SteppedRuns;
  return d.kind === 'pieces' ? d.pieces.reduce((a, p) => a + p.length, 0) : d.lengths.reduce((a, n) => a + n, 0);
}

/**
 * The typed array each column type takes. The DuckDB type of the same name (TIMESTAMP: µs since the
 * Unix epoch, Parquet TIMESTAMP(MICROS), what pandas, R and Spark read as a timestamp) is looked up in
 * DuckDB's API once it is loaded (duckType).
 */
const TYPES: Record<ColumnType, { array: string | null }> = {
  BIGINT: { array: 'BigInt64Array' },
  UBIGINT: { array: 'BigUint64Array' },
  INTEGER: { array: 'Int32Array' },
  UINTEGER: { array: 'Uint32Array' },
  SMALLINT: { array: 'Int16Array' },
  USMALLINT: { array: 'Uint16Array' },
  TINYINT: { array: 'Int8Array' },
  UTINYINT: { array: 'Uint8Array' },
  DOUBLE: { array: 'Float64Array' },
  FLOAT: { array: 'Float32Array' },
  BOOLEAN: { array: 'Uint8Array' },
  TIMESTAMP: { array: 'BigInt64Array' },
  VARCHAR: { array: null },
};

function duckType(type: ColumnType): DuckDBType {
  return duckDb().api[type];
}

export interface WriteParquetOptions {
  /** zstd level (DuckDB default 3). */
  compressionLevel?: number;
  /**
   * For data that does not compress (a random number generator's output): no zstd and no dictionaries
   * (`COMPRESSION uncompressed, DICTIONARY_SIZE_LIMIT 0`, so integers are DELTA_BINARY_PACKED). Such data
   * takes the same bytes either way, and the encoding costs about a third less CPU (bench/recorder.bench.ts).
   */
  plain?: boolean;
  /** Rows per Parquet row group (DuckDB default 122880). */
  rowGroupSize?: number;
  /** Key/value pairs stored in the Parquet footer (e.g. the schema name). */
  metadata?: Record<string, string>;
  /** fsync the file and its directory before returning (default true: a renamed part survives a crash). */
  fsync?: boolean;
  /**
   * With fsync: also fsync the directory after the rename (default true). A caller writing many parts
   * into a few directories can pass false and call `fsyncDir` once per directory afterwards.
   */
  fsyncDir?: boolean;
  /** Compute the sha256 of the written file (default true). */
  checksum?: boolean;
  /**
   * How DuckDB reads the columns: 'auto' (default) uses the native scan when it can (src/db/native-scan.ts),
   * 'js' always the JavaScript table function (the same file; for comparisons).
   */
  scan?: 'auto' | 'js';
  /**
   * With the native scan: run the COPY and the file's fsync on a thread this many nice levels below the
   * caller's (0: on libuv's thread). The recorder's in-process writer lowers its writing this way.
   */
  nice?: number;
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

/**
 * sha256 of a file, hex, read asynchronously through a reused staging buffer: a merged part can hold
 * tens of MB, and reading it whole (or in fresh chunks, freed only when V8 next collects) raised the
 * recorder's RSS at every merge pass.
 */
export async function sha256FileAsync(path: string): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const hash = createHash('sha256');
    await withStage(async (stage) => {
      for (;;) {
        const { bytesRead } = await fh.read(stage, 0, stage.length, null);
        if (bytesRead === 0) return;
        hash.update(stage.subarray(0, bytesRead));
      }
    });
    return hash.digest('hex');
  } finally {
    await fh.close();
  }
}

function validate(columns: readonly ColumnInput[]): number {
  if (columns.length === 0) throw new OeError('USAGE', 'writeParquet: no columns');
  const n = columnRows(columns[0].data);
  const names = new Set<string>();
  for (const c of columns) {
    const t = TYPES[c.type];
    if (!t) throw new OeError('USAGE', `writeParquet: unsupported column type ${c.type}`);
    if (names.has(c.name)) throw new OeError('USAGE', `writeParquet: duplicate column ${c.name}`);
    names.add(c.name);
    const d = c.data as NumericPieces | SteppedRuns;
    const arrays = Array.isArray(c.data) || ArrayBuffer.isView(c.data) ? [c.data] : d.kind === 'pieces' ? d.pieces : [];
    if (d.kind === 'runs' && (c.type !== 'BIGINT' || d.starts.length !== d.lengths.length)) {
      throw new OeError('USAGE', `writeParquet: column ${c.name}: runs need BIGINT and one start per length`);
    }
    if (c.nullIfNaN && arrays[0] !== c.data) {
      throw new OeError('USAGE', `writeParquet: column ${c.name}: nullIfNaN needs one typed array`);
    }
    for (const a of arrays) {
      const kind = a.constructor.name;
      if (t.array === null ? !Array.isArray(a) : kind !== t.array) {
        throw new OeError(
          'USAGE',
          `writeParquet: column ${c.name} (${c.type}) needs ${t.array ?? 'string[]'}, got ${kind}`,
        );
      }
    }
    const rows = columnRows(c.data);
    if (rows !== n) {
      throw new OeError('USAGE', `writeParquet: column ${c.name} has ${rows} rows, expected ${n}`);
    }
  }
  return n;
}

/** fsync a directory (after renames into it), without blocking the event loop. */
export function fsyncDir(path: string): Promise<void> {
  return fsyncPath(path);
}

/** fsync a file or directory without blocking the event loop (samplers keep being dispatched). */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** A column set being scanned: the next row, and per column the piece and offset where the next chunk starts. */
interface ScanJob {
  columns: readonly ColumnInput[];
  rows: number;
  pos: number;
  cursors: { piece: number; off: number }[];
}

/** Column sets waiting to be scanned by `oe_write_columns(id)`, by id. */
const pending = new Map<number, ScanJob>();
/** One vector of generated BIGINTs (runs), reused for every chunk. */
let runScratch: BigInt64Array | null = null;
let nextId = 1;
/** Instances where the scan function is registered (the function objects are kept alive here). */
const registered = new WeakMap<DuckDBInstance, DuckDBTableFunction>();

/**
 * `oe_write_columns(id)`: a table function that hands DuckDB the typed arrays of pending write `id`,
 * one 2048-row data chunk per call, each vector filled by one memcpy. COPY reads it directly, so rows
 * go from JS memory to the Parquet encoder without an intermediate table.
 */
function writerFunction(): DuckDBTableFunction {
  const { api } = duckDb();
  return api.DuckDBTableFunction.create({
    name: 'oe_write_columns',
    parameterTypes: [api.INTEGER],
    bindFunction: (bind) => {
      const id = bind.getParameter(0) as number;
      const job = pending.get(id);
      if (!job) {
        bind.setError(`oe_write_columns: no pending write ${id}`);
        return;
      }
      for (const c of job.columns) bind.addResultColumn(c.name, duckType(c.type));
      bind.setBindData({ id });
      bind.setCardinality(job.rows, true);
    },
    initFunction: (init) => {
      // One scanning thread: rows reach the writer in array order.
      init.setMaxThreads(1);
    },
    mainFunction: (info, out) => {
      const { id } = info.getBindData() as { id: number };
      const job = pending.get(id);
      if (!job) {
        info.setError(`oe_write_columns: write ${id} vanished`);
        return;
      }
      fillChunk(out, job);
    },
  });
}

function fillChunk(out: DuckDBDataChunk, job: ScanJob): void {
  const off = job.pos;
  const duckdb = duckDb().bindings;
  const len = Math.min(duckdb.vector_size(), job.rows - off);
  out.rowCount = len;
  for (let i = 0; i < job.columns.length; i++) {
    const col = job.columns[i];
    const vector = duckdb.data_chunk_get_vector(out.chunk, i);
    if (Array.isArray(col.data)) {
      const strings = col.data as readonly string[];
      for (let r = 0; r < len; r++) duckdb.vector_assign_string_element(vector, r, strings[off + r]);
    } else if (ArrayBuffer.isView(col.data)) {
      const arr = col.data as NumericArray;
      const bpe = arr.BYTES_PER_ELEMENT;
      duckdb.copy_data_to_vector(vector, 0, arr.buffer as ArrayBuffer, arr.byteOffset + off * bpe, len * bpe);
      if (col.nullIfNaN) markNaNInvalid(vector, arr, off, len);
    } else {
      fillGenerated(vector, col.data as NumericPieces | SteppedRuns, job.cursors[i], len);
    }
  }
  job.pos += len;
}

/**
 * The next `len` rows of a column in pieces (a memcpy per piece it spans) or in runs (generated into a
 * reused vector-sized array, then one memcpy); `at` says where they start and moves past them.
 */
function fillGenerated(
  vector: duckdbBindings.Vector,
  data: NumericPieces | SteppedRuns,
  at: { piece: number; off: number },
  len: number,
): void {
  const duckdb = duckDb().bindings;
  if (data.kind === 'pieces') {
    for (let done = 0; done < len; ) {
      const arr = data.pieces[at.piece];
      const n = Math.min(len - done, arr.length - at.off);
      const bpe = arr.BYTES_PER_ELEMENT;
      duckdb.copy_data_to_vector(vector, done * bpe, arr.buffer as ArrayBuffer, arr.byteOffset + at.off * bpe, n * bpe);
      done += n;
      at.off += n;
      if (at.off === arr.length) {
        at.piece++;
        at.off = 0;
      }
    }
    return;
  }
  if (!runScratch || runScratch.length < len) runScratch = new BigInt64Array(duckdb.vector_size());
  for (let done = 0; done < len; ) {
    const n = Math.min(len - done, data.lengths[at.piece] - at.off);
    fillRange(runScratch, done, n, data.starts[at.piece] + at.off * data.step, data.step);
    done += n;
    at.off += n;
    if (at.off === data.lengths[at.piece]) {
      at.piece++;
      at.off = 0;
    }
  }
  duckdb.copy_data_to_vector(vector, 0, runScratch.buffer as ArrayBuffer, 0, len * 8);
}

async function ensureRegistered(conn: DuckDBConnection): Promise<void> {
  const db = await getDb();
  if (registered.has(db)) return;
  const fn = writerFunction();
  conn.registerTableFunction(fn);
  registered.set(db, fn);
}

/**
 * Writes typed-array columns to a Parquet file: `COPY (SELECT * FROM <scan>) TO '<path>.tmp' (FORMAT
 * parquet, COMPRESSION zstd, PARQUET_VERSION v2)`, then fsync and rename. The scan hands DuckDB whole
 * data chunks straight from the arrays (a memcpy per vector, no per-value calls, no intermediate table):
 * the native scan (src/db/native-scan.ts, in C on a libuv thread or a lowered thread of its own) for
 * numeric columns, else `oe_write_columns(id)`, a table function in JavaScript; both write the same file.
 * A reader never sees a half-written file: either the `.tmp` (ignored by every reader) or the finished
 * part. Errors (full disk, permissions) are an OeError('IO') naming the file; the `.tmp` is removed.
 */
export async function writeParquet(
  path: string,
  columns: readonly ColumnInput[],
  options: WriteParquetOptions = {},
): Promise<WrittenPart> {
  const rows = validate(columns);
  const tmp = `${path}.tmp`;
  const opts = copyFormat(options);
  if (options.metadata && Object.keys(options.metadata).length > 0) {
    const kv = Object.entries(options.metadata)
      .map(([k, v]) => `${sqlIdent(k)}: ${sqlString(v)}`)
      .join(', ');
    opts.push(`KV_METADATA {${kv}}`);
  }
  const to = `TO ${sqlString(tmp)} (${opts.join(', ')})`;
  const sync = options.fsync !== false;
  const native = await scanFor(options);
  const cols = native && nativeColumns(columns);
  try {
    if (native && cols) {
      // No connection of this process's DuckDB and no call back into JavaScript until the file is synced.
      await native.copyColumns(cols, to, { nice: options.nice ?? 0, fsyncPath: sync ? tmp : undefined });
    } else {
      await copyThroughJs(columns, rows, to);
      if (sync) await fsyncPath(tmp);
    }
    await rename(tmp, path);
    if (sync && options.fsyncDir !== false) await fsyncPath(dirname(path));
  } catch (e) {
    removeQuietly(tmp);
    throw new OeError('IO', `cannot write ${path}: ${oneLine(errorMessage(e))}`, { cause: e });
  }
  return readBack(path, rows, options.checksum !== false);
}

/** The COPY options every Parquet file of oe is written with, and the caller's level (or plain) and row groups. */
function copyFormat(options: Pick<WriteParquetOptions, 'compressionLevel' | 'rowGroupSize' | 'plain'>): string[] {
  const opts = ['FORMAT parquet', 'PARQUET_VERSION v2'];
  if (options.plain) opts.push('COMPRESSION uncompressed', 'DICTIONARY_SIZE_LIMIT 0');
  else {
    opts.push('COMPRESSION zstd');
    if (options.compressionLevel !== undefined) opts.push(`COMPRESSION_LEVEL ${Math.trunc(options.compressionLevel)}`);
  }
  if (options.rowGroupSize !== undefined) opts.push(`ROW_GROUP_SIZE ${Math.trunc(options.rowGroupSize)}`);
  return opts;
}

/** The native scan unless `scan: 'js'` asks otherwise or it cannot be used (it opens the libduckdb.so DuckDB loads). */
async function scanFor(options: Pick<WriteParquetOptions, 'scan'>): Promise<ReturnType<typeof nativeScan>> {
  if (options.scan === 'js') return null;
  await getDb();
  return nativeScan();
}

/** `COPY (SELECT * FROM oe_write_columns(id)) <to>` on a connection of this process's DuckDB. */
async function copyThroughJs(columns: readonly ColumnInput[], rows: number, to: string): Promise<void> {
  const id = nextId++;
  pending.set(id, { columns, rows, pos: 0, cursors: columns.map(() => ({ piece: 0, off: 0 })) });
  try {
    await withConnection(async (conn) => {
      await ensureRegistered(conn);
      await conn.run(`COPY (SELECT * FROM oe_write_columns(${id})) ${to}`);
    });
  } finally {
    pending.delete(id);
  }
}

/** Size and checksum of a file just renamed into place; a failure (its directory went away) is IO. */
async function readBack(path: string, rows: number, checksum: boolean): Promise<WrittenPart> {
  try {
    const bytes = (await stat(path)).size;
    return { path, rows, bytes, sha256: checksum ? await sha256FileAsync(path) : '' };
  } catch (e) {
    throw new OeError('IO', `cannot read back ${path}: ${oneLine(errorMessage(e))}`, { cause: e });
  }
}

/**
 * Rewrites the rows of `inputs` (Parquet files of one schema), in order, as one new Parquet file: `COPY
 * (SELECT * FROM read_parquet([…])) TO '<output>.tmp'` with the writer's settings, fsync, rename. DuckDB
 * keeps the files' order and each file's row order (insertion order is preserved in COPY). This
 * re-encodes every value, so row groups come out at `rowGroupSize` rows (DuckDB's default 122 880)
 * whatever the inputs had. Errors as writeParquet's; the `.tmp` is removed.
 */
export async function rewriteParquet(
  inputs: readonly string[],
  output: string,
  options: Pick<WriteParquetOptions, 'compressionLevel' | 'rowGroupSize' | 'fsync' | 'scan' | 'nice'> = {},
): Promise<WrittenPart> {
  if (inputs.length === 0) throw new OeError('USAGE', 'rewriteParquet: no input files');
  const tmp = `${output}.tmp`;
  const opts = copyFormat(options);
  const list = inputs.map(sqlString).join(', ');
  // hive_partitioning off: a `source=x` directory must not add a column to the rewritten file.
  const sql = `COPY (SELECT * FROM read_parquet([${list}], hive_partitioning = false)) TO ${sqlString(tmp)} (${opts.join(', ')})`;
  const sync = options.fsync !== false;
  // On the native scan's database where there is one: its one DuckDB thread, at `nice`, beside the samplers.
  const native = await scanFor(options);
  let rows = 0;
  try {
    if (native) {
      rows = await native.copySql(sql, { nice: options.nice ?? 0, fsyncPath: sync ? tmp : undefined });
    } else {
      await withConnection(async (conn) => {
        rows = Number((await conn.run(sql)).rowsChanged);
      });
      if (sync) await fsyncPath(tmp);
    }
    await rename(tmp, output);
    if (sync) await fsyncPath(dirname(output));
  } catch (e) {
    removeQuietly(tmp);
    const msg = oneLine(errorMessage(e));
    // An unreadable input is the input's fault, not the output's.
    if (/parquet|magic|No files found|corrupt/i.test(msg) && !/No space|Permission|Read-only/i.test(msg)) {
      throw new OeError('BAD_INPUT', `cannot rewrite into ${output}: ${msg}`, { cause: e });
    }
    throw new OeError('IO', `cannot write ${output}: ${msg}`, { cause: e });
  }
  return readBack(output, rows, true);
}

/** Removes an unfinished `.tmp` after a failure; a second failure (its directory is gone) must not hide the first. */
export function removeQuietly(path: string): void {
  try {
    rmSync(path, { force: true });
  } catch {
    // the write error being reported says what went wrong
  }
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Writes the chunk's validity mask for a NaN-as-NULL column (every row valid except the NaNs). */
function markNaNInvalid(vector: duckdbBindings.Vector, arr: NumericArray, off: number, len: number): void {
  const duckdb = duckDb().bindings;
  const mask = new Uint8Array(Math.ceil(len / 64) * 8).fill(0xff);
  for (let r = 0; r < len; r++) {
    if (Number.isNaN(arr[off + r] as number)) mask[r >> 3] &= ~(1 << (r & 7));
  }
  duckdb.vector_ensure_validity_writable(vector);
  duckdb.copy_data_to_vector_validity(vector, 0, mask.buffer, 0, mask.byteLength);
}
