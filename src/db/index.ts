/**
 * The one DuckDB access layer and the one Parquet writer of oe. Everything that reads or writes
 * Parquet, or runs SQL, goes through these functions (see docs/ARCHITECTURE.md, "DuckDB layer").
 */
export { closeDb, configureDb, type DbOptions, getDb, sqlIdent, sqlString, withConnection } from './connection.js';
export { nativeScanBuilt, parquetScanKind } from './native-scan.js';
export {
  type ColumnInput,
  type ColumnType,
  fsyncDir,
  type NumericArray,
  type NumericPieces,
  rewriteParquet,
  type SteppedRuns,
  sha256File,
  sha256FileAsync,
  type WriteParquetOptions,
  type WrittenPart,
  writeParquet,
} from './parquet.js';
export {
  type ConcatOptions,
  concatParquet,
  type ParquetColumnSizes,
  type ParquetFooter,
  readParquetColumnSizes,
  readParquetFooter,
  readParquetShape,
} from './parquet-concat.js';
export {
  type ColumnChunk,
  execute,
  type QueryParams,
  queryColumns,
  queryScalar,
  type ResultColumn,
  type StreamColumnsOptions,
  streamColumns,
} from './query.js';
