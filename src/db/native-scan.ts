/**
 * The native scan of the Parquet writer (native/src/parquet_scan.cc): DuckDB's COPY reads numeric
 * typed-array columns through a table function in C, on one libuv thread, instead of calling into
 * JavaScript for every 2048-row chunk (two thread switches each: about a fifth of the recorder's writing
 * CPU, bench/recorder.bench.ts). It runs in its own in-memory DuckDB database with one thread, opened
 * from the libduckdb.so that @duckdb/node-bindings has loaded, so the Parquet is written by the same
 * DuckDB with the same COPY options. writeParquet falls back to its JavaScript table function for
 * VARCHAR and NaN-as-NULL columns, when the addon is not built, or with OE_PARQUET_SCAN=js.
 */
import { readFileSync } from 'node:fs';
import { tryLoadAddon } from '../util/addon.js';
import { duckDb } from './connection.js';
import type { ColumnInput, NumericArray, NumericPieces, SteppedRuns } from './parquet.js';

interface ScanAddon {
  parquetScanOpen(libduckdb: string): string | null;
  copyColumns(
    columns: NativeColumn[],
    toClause: string,
    options: { nice: number; fsyncPath?: string },
  ): Promise<number>;
  /** One statement (a COPY rewriting Parquet files) on the scan's database: the rows it wrote. */
  copySql(sql: string, options: { nice: number; fsyncPath?: string }): Promise<number>;
}

type NativeColumn =
  | { name: string; type: number; pieces: readonly NumericArray[] }
  | { name: string; type: number; starts: readonly number[]; lengths: readonly number[]; step: number };

let scan: ScanAddon | null | undefined;
/** Why the native scan is not used (null while it is, or before the first write). */
let reason: string | null = null;

/** The path of the libduckdb.so this process has loaded (DuckDB must be loaded first), or null. */
function loadedLibduckdb(): string | null {
  try {
    const line = readFileSync('/proc/self/maps', 'utf8')
      .split('\n')
      .find((l) => l.endsWith('/libduckdb.so'));
    return line ? line.slice(line.indexOf('/')) : null;
  } catch {
    return null; // not Linux
  }
}

/** The addon when it is built with the native scan and the scan is not turned off, else why not. */
function scanAddon(): ScanAddon | string {
  if (process.platform !== 'linux') return 'not Linux (libduckdb.so is found in /proc/self/maps)';
  if (process.env.OE_PARQUET_SCAN === 'js') return 'OE_PARQUET_SCAN=js';
  const addon = tryLoadAddon() as Partial<ScanAddon> | null;
  return typeof addon?.parquetScanOpen === 'function' &&
    typeof addon.copyColumns === 'function' &&
    typeof addon.copySql === 'function'
    ? (addon as ScanAddon)
    : 'the addon is not built with it';
}

/**
 * Whether the native scan can be used here, known before DuckDB is loaded; opening it may still fail, and
 * writeParquet then uses the JavaScript scan.
 */
export function nativeScanBuilt(): boolean {
  return typeof scanAddon() !== 'string';
}

/** The native scan, opened on first use once DuckDB is loaded; null when it cannot be used here. */
export function nativeScan(): ScanAddon | null {
  if (scan !== undefined) return scan;
  scan = null;
  const addon = scanAddon();
  const lib = typeof addon === 'string' ? null : loadedLibduckdb();
  if (typeof addon === 'string') reason = addon;
  else if (!lib) reason = 'no libduckdb.so is loaded in this process';
  else {
    reason = addon.parquetScanOpen(lib);
    if (reason === null) scan = addon;
  }
  return scan;
}

/** Which scan writeParquet uses here: 'native', or 'js' with the reason (for benchmarks and docs). */
export function parquetScanKind(): { kind: 'native' | 'js'; reason: string | null } {
  return nativeScan() ? { kind: 'native', reason: null } : { kind: 'js', reason };
}

/** The columns as the native scan takes them, or null when one of them needs the JavaScript scan. */
export function nativeColumns(columns: readonly ColumnInput[]): NativeColumn[] | null {
  const out: NativeColumn[] = [];
  for (const c of columns) {
    // DuckDB's own type ids (duckdb.h, DUCKDB_TYPE); the addon fills the fixed-width ones and rejects the rest.
    if (c.type === 'VARCHAR' || c.nullIfNaN || Array.isArray(c.data)) return null;
    const type = duckDb().bindings.Type[c.type];
    if (ArrayBuffer.isView(c.data)) {
      out.push({ name: c.name, type, pieces: [c.data as NumericArray] });
      continue;
    }
    const d = c.data as NumericPieces | SteppedRuns;
    out.push(
      d.kind === 'pieces'
        ? { name: c.name, type, pieces: d.pieces }
        : { name: c.name, type, starts: d.starts, lengths: d.lengths, step: d.step },
    );
  }
  return out;
}
