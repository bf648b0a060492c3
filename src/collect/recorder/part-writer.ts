/**
 * The Parquet part writer: every flush interval it takes what the scheduler, the telemetry timer and
 * the conditioned-output loop buffered and writes it as parts (schemas/PARQUET.md) through the one
 * Parquet writer (src/db): one sample part per source that has new batches, one conditioned and one
 * telemetry part, then the batch log listing exactly the batches whose samples are on disk. It keeps the
 * list of files the manifest will name and counts what is on disk.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, readParquetColumnSizes, sha256FileAsync } from '../../db/index.js';
import { errorMessage, OeError } from '../../errors.js';
import { BATCHES_DIR, CONDITIONED_DIR, partName, sourceDir, TELEMETRY_DIR } from '../session/layout.js';
import type { FileEntry } from '../session/manifest.js';
import type { TelemetrySeries } from '../telemetry/index.js';
import { batchColumns, conditionedColumns, telemetryColumns } from './columns.js';
import type { ConditionedBuffer } from './conditioned.js';
import { PartEncoding } from './encoding.js';
import { RECORDED_TABLES, type RecordedTable, type RecorderEvents, tableOf } from './events.js';
import type { RecordPlan } from './options.js';
import type { Backlog, PendingBatch, SourceRun } from './scheduler.js';
import type { PartData, PartSink } from './sink.js';

/** One part to write: its columns are built just before the write, so only the parts in flight hold copies. */
interface PartJob {
  rel: string;
  build: () => PartData;
  /** Bookkeeping once the part is on disk (counts, rows). */
  written?: () => void;
  /** Sampled bytes this part takes out of the backlog once it is written or has failed. */
  backlogBytes?: number;
  /** Written without zstd or dictionaries (encoding.ts). */
  plain?: boolean;
  /** Called with the file's path once it is written (a probe of encoding.ts reads its footer). */
  landed?: (path: string) => void;
}

/** What a flush takes from: the sources' pending batches, the conditioned bytes, the telemetry series. */
export interface FlushInputs {
  runs: readonly SourceRun[];
  conditioned: ConditionedBuffer | null;
  telemetry: TelemetrySeries | null;
}

function ensureDir(path: string): void {
  try {
    mkdirSync(path, { recursive: true });
  } catch (e) {
    throw new OeError('IO', `cannot create ${path}: ${errorMessage(e)}`);
  }
}

/** Parts, rows and bytes of `entries` per table (every table present). */
function tableTotals(
  entries: readonly FileEntry[],
): Record<RecordedTable, { parts: number; rows: number; bytes: number }> {
  const out = Object.fromEntries(RECORDED_TABLES.map((t) => [t, { parts: 0, rows: 0, bytes: 0 }])) as Record<
    RecordedTable,
    { parts: number; rows: number; bytes: number }
  >;
  for (const e of entries) {
    const t = out[tableOf(e.path)];
    t.parts++;
    t.rows += e.rows;
    t.bytes += e.bytes;
  }
  return out;
}

export class PartWriter {
  /** Every part on disk, in manifest order (per flush: sample parts, batches, conditioned, telemetry). */
  readonly files: FileEntry[] = [];
  /** Telemetry rows on disk. */
  telemetryRows = 0;
  private nextBatchesPart = 0;
  private nextTelemetryPart = 0;
  private nextConditionedPart = 0;
  /** Parquet files being written right now (flush parts and merge outputs), reported as events.files. */
  private filesOpen = 0;
  /** Per source, how its next sample parts are encoded (with partEncoding 'adaptive'). */
  private readonly encodings = new Map<string, PartEncoding>();

  constructor(
    private readonly dir: string,
    private readonly plan: Pick<
      RecordPlan,
      'writeConcurrency' | 'compressionLevel' | 'writeParts' | 'mergeIntervalMs' | 'partEncoding'
    >,
    /** Where parts are written (null with writeParts: false). */
    readonly sink: PartSink | null,
    /** Sampled bytes buffered or in flight, shared with the scheduler (which waits while it is full). */
    private readonly backlog: Backlog,
    private readonly events: RecorderEvents = {},
  ) {}

  /**
   * With merging on, flush parts are written without their sha256 (the merge that replaces them hashes
   * what it writes); the parts still listed at the end get theirs here, before the final manifest. A
   * part that cannot be read any more (the disk failed under it) leaves the list; its error is returned.
   */
  async fillChecksums(): Promise<OeError[]> {
    const errors: OeError[] = [];
    for (const f of [...this.files]) {
      if (f.sha256 !== '') continue;
      try {
        f.sha256 = await sha256FileAsync(join(this.dir, f.path));
      } catch (e) {
        errors.push(new OeError('IO', `cannot read ${join(this.dir, f.path)}: ${errorMessage(e)}`));
        this.files.splice(this.files.indexOf(f), 1);
      }
    }
    return errors;
  }

  /** A merge replaced the parts at `removed` (relative paths) by `entry`: listed where the first one was. */
  replaceFiles(removed: readonly string[], entry: FileEntry): void {
    const gone = new Set(removed);
    const at = this.files.findIndex((f) => gone.has(f.path));
    const kept = this.files.filter((f) => !gone.has(f.path));
    kept.splice(at < 0 ? kept.length : at, 0, entry);
    this.files.splice(0, this.files.length, ...kept);
  }

  /** A Parquet write starts (`+1`) or ends (`-1`): here, or in a merge (PartMerger). */
  fileWrite(delta: 1 | -1): void {
    this.filesOpen += delta;
    this.events.files?.({ open: this.filesOpen });
  }

  /** Bytes of every part on disk. */
  get bytes(): number {
    return this.files.reduce((a, f) => a + f.bytes, 0);
  }

  /**
   * Writes everything buffered since the last flush. A failed part ends the flush with its error after
   * the parts that did land are listed and counted (the session keeps them).
   */
  async flush(inputs: FlushInputs): Promise<void> {
    const t0 = performance.now();
    if (!this.sink) {
      this.drop(inputs);
      const tables = tableTotals([]);
      this.events.flush?.({
        parts: 0,
        tables,
        rows: 0,
        sampleRows: 0,
        bytes: 0,
        ms: performance.now() - t0,
        written: false,
      });
      return;
    }
    const touched = new Set<string>();
    const batchRows: { source: string; b: PendingBatch }[] = [];
    const sampleJobs = this.sampleJobs(inputs.runs, batchRows, touched);
    const otherJobs = this.otherJobs(inputs, touched);
    // The sample parts, conditioned and telemetry parts at once; the batch log after them, listing exactly
    // the batches whose samples are on disk.
    const first = await this.writeParts([...sampleJobs, ...otherJobs]);
    const sampleEntries = first.slice(0, first.length - otherJobs.length);
    const otherEntries = first.slice(first.length - otherJobs.length);
    let batchEntries: FileEntry[] = [];
    if (batchRows.length > 0) {
      const rel = `${BATCHES_DIR}/${partName(this.nextBatchesPart++)}`;
      this.mkdir(BATCHES_DIR, touched);
      try {
        batchEntries = await this.writeParts([
          { rel, build: () => ({ kind: 'columns', columns: batchColumns(batchRows) }) },
        ]);
      } catch (e) {
        this.files.push(...first);
        throw e;
      }
    }
    const entries = [...sampleEntries, ...batchEntries, ...otherEntries];
    this.files.push(...entries);
    // One directory fsync per touched directory per flush (not per part): the renames are durable.
    await Promise.all([...touched].map((d) => fsyncDir(d)));
    this.events.flush?.({
      parts: entries.length,
      tables: tableTotals(entries),
      rows: entries.reduce((a, f) => a + f.rows, 0),
      sampleRows: sampleEntries.reduce((a, f) => a + f.rows, 0),
      bytes: entries.reduce((a, f) => a + f.bytes, 0),
      ms: performance.now() - t0,
      written: true,
    });
  }

  /** writeParts: false (the benchmark's baseline): count as if written, keep nothing. */
  private drop(inputs: FlushInputs): void {
    for (const run of inputs.runs) {
      for (const p of run.pending) {
        run.counts.samples += p.values.length;
        run.counts.batches++;
        this.backlog.bytes -= p.values.byteLength + p.bytes.byteLength;
      }
      run.pending = [];
    }
    inputs.conditioned?.take();
    inputs.telemetry?.drain();
  }

  private mkdir(rel: string, touched: Set<string>): void {
    const path = join(this.dir, rel);
    touched.add(path);
    ensureDir(path);
  }

  /** One job per source with pending batches; once written, its batches join `batchRows`. */
  private sampleJobs(
    runs: readonly SourceRun[],
    batchRows: { source: string; b: PendingBatch }[],
    touched: Set<string>,
  ): PartJob[] {
    const jobs: PartJob[] = [];
    for (const run of runs) {
      if (run.pending.length === 0) continue;
      const pending = run.pending;
      run.pending = [];
      this.mkdir(sourceDir(run.spec.name), touched);
      const encoding = this.encodingOf(run.spec.name);
      const { plain, probe } = encoding?.next() ?? { plain: false, probe: false };
      jobs.push({
        rel: `${sourceDir(run.spec.name)}/${partName(run.nextPart)}`,
        build: () => ({ kind: 'samples', batches: pending }),
        plain,
        landed: probe ? (path) => this.probe(encoding, path) : undefined,
        backlogBytes: pending.reduce((a, p) => a + p.values.byteLength + p.bytes.byteLength, 0),
        written: () => {
          run.nextPart++;
          run.counts.parts++;
          // Counted once on disk: the manifest's counts are what a reader finds.
          for (const p of pending) {
            run.counts.samples += p.values.length;
            batchRows.push({ source: run.spec.name, b: p });
          }
          run.counts.batches += pending.length;
        },
      });
    }
    return jobs;
  }

  /** The source's PartEncoding, or undefined when every part is compressed (partEncoding 'compressed'). */
  private encodingOf(source: string): PartEncoding | undefined {
    if (this.plan.partEncoding !== 'adaptive') return undefined;
    let e = this.encodings.get(source);
    if (!e) {
      e = new PartEncoding();
      this.encodings.set(source, e);
    }
    return e;
  }

  /** Reads a probe part's footer (a few small reads); unreadable, the source keeps its encoding. */
  private probe(encoding: PartEncoding | undefined, path: string): void {
    try {
      encoding?.learn(readParquetColumnSizes(path));
    } catch {
      // the part is listed and counted; a later read of it reports what is wrong
    }
  }

  /** The conditioned and telemetry parts of this flush, if there is anything to write. */
  private otherJobs(inputs: FlushInputs, touched: Set<string>): PartJob[] {
    const jobs: PartJob[] = [];
    const cond = inputs.conditioned?.take() ?? null;
    if (cond) {
      this.mkdir(CONDITIONED_DIR, touched);
      jobs.push({
        rel: `${CONDITIONED_DIR}/${partName(this.nextConditionedPart++)}`,
        build: () => ({ kind: 'columns', columns: conditionedColumns(cond.seqStart, cond.bytes) }),
      });
    }
    const series = inputs.telemetry;
    if (series && series.pending > 0) {
      const rows = series.drain();
      this.mkdir(TELEMETRY_DIR, touched);
      jobs.push({
        rel: `${TELEMETRY_DIR}/${partName(this.nextTelemetryPart++)}`,
        build: () => ({ kind: 'columns', columns: telemetryColumns(rows) }),
        written: () => {
          this.telemetryRows += rows.value.length;
        },
      });
    }
    return jobs;
  }

  /**
   * Writes the parts `writeConcurrency` at a time (COPY on DuckDB's threads, fsync on libuv's, so a flush
   * takes less wall time than one part after the other) and returns their entries in job order. After a
   * failure no further part is started; the parts that did land are kept in `files` and counted, then the
   * first error is thrown.
   */
  private async writeParts(jobs: readonly PartJob[]): Promise<FileEntry[]> {
    const sink = this.sink;
    if (!sink) return [];
    const entries: (FileEntry | undefined)[] = new Array(jobs.length);
    let error: unknown = null;
    let next = 0;
    const lane = async (): Promise<void> => {
      while (next < jobs.length && error === null) {
        const i = next++;
        const job = jobs[i];
        this.fileWrite(1);
        try {
          const part = await sink.write(join(this.dir, job.rel), job.build(), {
            fsyncDir: false,
            compressionLevel: this.plan.compressionLevel,
            checksum: this.plan.mergeIntervalMs === 0,
            plain: job.plain,
          });
          entries[i] = { path: job.rel, rows: part.rows, bytes: part.bytes, sha256: part.sha256 };
          job.landed?.(part.path);
        } catch (e) {
          error ??= e;
        } finally {
          this.fileWrite(-1);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.plan.writeConcurrency, jobs.length) }, lane));
    // Written or given up (the recording then ends): no longer held back by the writer.
    for (const job of jobs) this.backlog.bytes -= job.backlogBytes ?? 0;
    const done: FileEntry[] = [];
    jobs.forEach((job, i) => {
      const entry = entries[i];
      if (!entry) return;
      job.written?.();
      done.push(entry);
    });
    if (error !== null) {
      this.files.push(...done);
      throw error;
    }
    return done;
  }
}
