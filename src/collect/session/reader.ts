import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ColumnChunk, queryColumns, readParquetShape, sqlString, streamColumns } from '../../db/index.js';
import { errorMessage, isOeError, OeError } from '../../errors.js';
import { listParts, parquetRowCount, verifyFiles } from './files.js';
import { BATCHES_DIR, CONDITIONED_DIR, SAMPLES_DIR, TELEMETRY_DIR } from './layout.js';
import { readManifest, type SessionManifest } from './manifest.js';

/** A session opened for reading: its directory and validated manifest. */
export interface OpenSession {
  dir: string;
  manifest: SessionManifest;
}

/**
 * Loads a session's manifest; with `verify` also checks every listed part's size and sha256 (one-line
 * errors naming the file: missing, bad JSON, checksum mismatch).
 */
export function openSession(dir: string, options: { verify?: boolean } = {}): OpenSession {
  const manifest = readManifest(dir);
  if (options.verify) verifyFiles(dir, manifest);
  return { dir, manifest };
}

/**
 * `read_parquet(…)` over the live samples parts of a session (hive partition → `source` column). The
 * files are listed explicitly by the merge rule (parts.ts), so a part covered by a merged file is never
 * read twice, even while the recorder is merging.
 */
export function samplesRelation(dir: string): string {
  const paths = listParts(dir)
    .filter((p) => p.table === 'samples')
    .map((p) => join(dir, p.path));
  if (paths.length === 0)
    return `read_parquet(${sqlString(join(dir, SAMPLES_DIR, '*', '*.parquet'))}, hive_partitioning = true)`;
  return `read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = true)`;
}

/** `read_parquet(…)` over a session's live batches, telemetry or conditioned parts (see samplesRelation). */
export function tableRelation(dir: string, table: 'batches' | 'telemetry' | 'conditioned'): string {
  const sub = table === 'batches' ? BATCHES_DIR : table === 'telemetry' ? TELEMETRY_DIR : CONDITIONED_DIR;
  const paths = listParts(dir)
    .filter((p) => p.table === sub)
    .map((p) => join(dir, p.path));
  if (paths.length === 0) return `read_parquet(${sqlString(join(dir, sub, '*.parquet'))})`;
  return `read_parquet([${paths.map(sqlString).join(', ')}], hive_partitioning = false)`;
}

export type SampleColumn = 'value' | 'byte' | 'seq' | 'batch';

export interface SourceSamples {
  source: string;
  rowCount: number;
  value?: BigInt64Array;
  byte?: Uint8Array;
  seq?: BigInt64Array;
  batch?: BigInt64Array;
}

function sourcePartPaths(dir: string, source: string): string[] {
  return listParts(dir)
    .filter((p) => p.table === 'samples' && p.source === source)
    .map((p) => join(dir, p.path));
}

function checkSource(dir: string, source: string, manifest?: SessionManifest): string[] {
  const parts = sourcePartPaths(dir, source);
  if (parts.length === 0) {
    const known = manifest?.sources.map((s) => s.name) ?? [];
    if (manifest && !known.includes(source)) {
      throw new OeError('NOT_FOUND', `session ${manifest.id} has no source "${source}" (it has: ${known.join(', ')})`);
    }
  }
  return parts;
}

/**
 * Where to go on after `done` rows when the part list changed under a reader (a merge replaced parts):
 * the index of the live part holding row `done` and the rows of it to skip.
 */
function resumeAt(dir: string, source: string, done: number): { paths: string[]; index: number; skip: number } {
  const paths = sourcePartPaths(dir, source);
  let before = 0;
  for (let i = 0; i < paths.length; i++) {
    const rows = readParquetShape(paths[i]).rows;
    if (before + rows > done) return { paths, index: i, skip: done - before };
    before += rows;
  }
  return { paths, index: paths.length, skip: 0 };
}

/**
 * Streams one source's samples in recording order (part by part, each part in row order), as typed
 * arrays: value BigInt64Array, byte Uint8Array, seq/batch BigInt64Array. Works on either layout (flush
 * parts, merged files or both) and on a session being recorded: when a merge replaces parts between
 * two reads, the reader lists the parts again and goes on after the rows it has already given. A part
 * that cannot be read is a one-line error naming it.
 */
export async function* streamSourceSamples(
  dir: string,
  source: string,
  options: { columns?: readonly SampleColumn[]; chunkRows?: number; manifest?: SessionManifest } = {},
): AsyncGenerator<ColumnChunk> {
  const cols = options.columns ?? ['value', 'byte', 'seq', 'batch'];
  const list = cols.map((c) => `"${c}"`).join(', ');
  let paths = checkSource(dir, source, options.manifest);
  let index = 0;
  let skip = 0;
  let done = 0;
  while (index < paths.length) {
    const path = paths[index];
    if (!existsSync(path)) {
      ({ paths, index, skip } = resumeAt(dir, source, done));
      continue;
    }
    const sql = `SELECT ${list} FROM read_parquet(${sqlString(path)}, hive_partitioning = false)${skip > 0 ? ` OFFSET ${skip}` : ''}`;
    try {
      for await (const chunk of streamColumns(sql, undefined, { chunkRows: options.chunkRows })) {
        done += chunk.rowCount;
        yield chunk;
      }
    } catch (e) {
      if (!existsSync(path)) {
        ({ paths, index, skip } = resumeAt(dir, source, done));
        continue;
      }
      if (isOeError(e) && e.code === 'BAD_INPUT') {
        throw new OeError('BAD_INPUT', `${path}: not a readable Parquet file (${errorMessage(e)})`);
      }
      throw e;
    }
    index++;
    skip = 0;
  }
}

/** How many samples of a source the session holds (from the Parquet footers, without reading rows). */
export async function countSourceSamples(dir: string, source: string, manifest?: SessionManifest): Promise<number> {
  let total = 0;
  for (const p of checkSource(dir, source, manifest)) total += await parquetRowCount(p);
  return total;
}

/** One source's samples, whole, as typed arrays (see streamSourceSamples). */
export async function readSourceSamples(
  dir: string,
  source: string,
  options: { columns?: readonly SampleColumn[]; manifest?: SessionManifest } = {},
): Promise<SourceSamples> {
  const cols = options.columns ?? ['value', 'byte', 'seq', 'batch'];
  const paths = checkSource(dir, source, options.manifest);
  // Size the output from the footers, then fill it chunk by chunk: one copy, no concatenation.
  let total = 0;
  for (const p of paths) total += await parquetRowCount(p);
  const out: SourceSamples = { source, rowCount: 0 };
  if (cols.includes('value')) out.value = new BigInt64Array(total);
  if (cols.includes('byte')) out.byte = new Uint8Array(total);
  if (cols.includes('seq')) out.seq = new BigInt64Array(total);
  if (cols.includes('batch')) out.batch = new BigInt64Array(total);
  let off = 0;
  // A session being recorded may grow while it is read: the rows counted above are what is returned.
  for await (const chunk of streamSourceSamples(dir, source, { ...options, columns: cols, chunkRows: 1 << 20 })) {
    const n = Math.min(chunk.rowCount, total - off);
    for (const c of cols) {
      const src = chunk.columns[c];
      const dst = out[c];
      if (dst instanceof BigInt64Array && src instanceof BigInt64Array) dst.set(src.subarray(0, n), off);
      else if (dst instanceof Uint8Array && src instanceof Uint8Array) dst.set(src.subarray(0, n), off);
      else throw new OeError('BAD_INPUT', `${dir}: column ${c} of ${source} has an unexpected type`);
    }
    off += n;
    if (off === total) break;
  }
  out.rowCount = off;
  return out;
}

/** The telemetry series of a session, column-major (t µs, domain, name, unit, source, kind, value, rate). */
export async function readTelemetry(dir: string): Promise<ColumnChunk> {
  if (listParts(dir).every((p) => p.table !== TELEMETRY_DIR)) {
    return {
      rowCount: 0,
      columns: {
        t: new BigInt64Array(0),
        domain: [],
        name: [],
        unit: [],
        source: [],
        kind: [],
        value: new Float64Array(0),
        rate: new Float64Array(0),
      },
    };
  }
  return queryColumns(
    `SELECT epoch_us(t) AS t, domain, name, unit, source, kind, value, rate FROM ${tableRelation(dir, 'telemetry')} ORDER BY t, domain, name, source`,
  );
}

/** Per metric over the session: first, last, min, max, mean value and mean rate (counters). */
export async function telemetrySummary(dir: string): Promise<ColumnChunk | null> {
  if (!existsSync(join(dir, TELEMETRY_DIR)) || listParts(dir).every((p) => p.table !== TELEMETRY_DIR)) return null;
  return queryColumns(
    `SELECT domain, name, unit, source, any_value(kind) AS kind, count(*)::BIGINT AS n,
            arg_min(value, t) AS first, arg_max(value, t) AS last, min(value) AS min, max(value) AS max,
            avg(value) AS mean, avg(rate) AS mean_rate
       FROM ${tableRelation(dir, 'telemetry')} GROUP BY ALL ORDER BY domain, name, source`,
  );
}

/** One row of telemetrySummary: a metric over the session (values that are not finite are null). */
export interface TelemetrySummaryRow {
  domain: string;
  name: string;
  unit: string;
  source: string;
  kind: string;
  /** Snapshots with this metric. */
  n: number;
  first: number | null;
  last: number | null;
  min: number | null;
  max: number | null;
  mean: number | null;
  /** Mean rate per second (counters); null for gauges. */
  meanRate: number | null;
}

/** telemetrySummary as rows, ordered by domain, name, source; [] for a session without telemetry. */
export async function telemetrySummaryRows(dir: string): Promise<TelemetrySummaryRow[]> {
  const tel = await telemetrySummary(dir);
  if (!tel) return [];
  const c = tel.columns;
  const text = (col: string, i: number) => (c[col] as string[])[i];
  const num = (col: string, i: number) => {
    const v = (c[col] as Float64Array)[i];
    return Number.isFinite(v) ? v : null;
  };
  return Array.from({ length: tel.rowCount }, (_, i) => ({
    domain: text('domain', i),
    name: text('name', i),
    unit: text('unit', i),
    source: text('source', i),
    kind: text('kind', i),
    n: Number((c.n as BigInt64Array)[i]),
    first: num('first', i),
    last: num('last', i),
    min: num('min', i),
    max: num('max', i),
    mean: num('mean', i),
    meanRate: num('mean_rate', i),
  }));
}
