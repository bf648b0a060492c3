/**
 * Where the recorder's parts are written and merged: a `PartSink`. Two implementations do the same work
 * through the one Parquet writer (src/db) and the one merge (session/merge.ts):
 *   LocalSink      in this process;
 *   WriterProcess  (writer-process.ts) in a child process at a lower scheduling priority, the default.
 * A sample part travels as the buffered batches (values, extracted bytes, first seq, batch number), and
 * its seq and batch columns are built where it is written, so that work leaves the sampling process too.
 */
import { type ColumnInput, type WriteParquetOptions, type WrittenPart, writeParquet } from '../../db/index.js';
import { type MergeInput, type MergeOptions, type MergeOutcome, mergeParts } from '../session/merge.js';
import { sampleColumns } from './columns.js';

/** One buffered batch of a sample part: what sampleColumns needs. */
export interface SampleBatchData {
  batch: number;
  seqStart: number;
  values: BigInt64Array;
  bytes: Uint8Array;
}

/** A part to write: the columns themselves, or the batches of one source (columns built by the writer). */
export type PartData = { kind: 'columns'; columns: ColumnInput[] } | { kind: 'samples'; batches: SampleBatchData[] };

export type PartWriteOptions = Pick<
  WriteParquetOptions,
  'fsyncDir' | 'compressionLevel' | 'checksum' | 'nice' | 'plain'
>;
export type PartMergeOptions = Pick<MergeOptions, 'fsync' | 'compressionLevel'>;

export interface PartSink {
  /** Writes one part (`.tmp`, fsync, rename: writeParquet's protocol); errors are OeError('IO'). */
  write(path: string, data: PartData, options: PartWriteOptions): Promise<WrittenPart>;
  /** Merges consecutive parts of one directory (mergeParts). */
  merge(sessionDir: string, parts: readonly MergeInput[], options: PartMergeOptions): Promise<MergeOutcome>;
  /** Ends the sink once nothing is in flight. */
  close(): Promise<void>;
}

/** Writes one part through writeParquet, building a sample part's columns first. */
export function writePartData(path: string, data: PartData, options: PartWriteOptions): Promise<WrittenPart> {
  return writeParquet(path, data.kind === 'samples' ? sampleColumns(data.batches) : data.columns, options);
}

/** The sink in this process. */
export class LocalSink implements PartSink {
  /**
   * @param nice how many nice levels below this process the numeric parts are encoded and fsynced, and
   * merges re-encoded (on a thread of their own, with the native scan: writeParquet's and
   * rewriteParquet's `nice`); 0 in the writer process, which is lowered as a whole.
   */
  constructor(private readonly nice = 0) {}

  write(path: string, data: PartData, options: PartWriteOptions): Promise<WrittenPart> {
    return writePartData(path, data, { ...options, nice: this.nice });
  }

  merge(sessionDir: string, parts: readonly MergeInput[], options: MergeOptions): Promise<MergeOutcome> {
    return mergeParts(sessionDir, parts, { ...options, nice: this.nice });
  }

  async close(): Promise<void> {}
}
