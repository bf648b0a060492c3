/**
 * Each recorded sample's time, for the session-analysis job: a sample's batch row (src/collect/session/,
 * table `batches`) holds the batch's start and end, and the sample's time is interpolated inside it. A
 * session has one batch row per source and batch (~5,600 a minute for the default sources), so the rows
 * are read as the samples stream past (BatchTimesCursor), never held whole: memory stays bounded whatever
 * the session's length.
 */
import { listParts } from '../collect/session/files.js';
import { tableRelation } from '../collect/session/reader.js';
import { type ColumnChunk, queryColumns, streamColumns } from '../db/index.js';

/** One batch row, times in seconds since the source's origin. */
export interface BatchTime {
  seqStart: number;
  n: number;
  start: number;
  end: number;
}

/** What the analysis needs to know about a source's batch rows before its first sample. */
export interface BatchTimesSummary {
  /** Whole seconds since the epoch (the earliest batch start, truncated); batch times count from it. */
  origin: number;
  originNs: bigint;
  /** Batch rows of the source. */
  rows: number;
  /** Σ n over the rows: the samples they cover. */
  covered: number;
  /** Recorded times of the first and last sample (seconds since origin). */
  span: [number, number];
}

/** The time of sample k (0-based) of batch b: start + (k + ½)/n · (end − start). */
export function sampleTime(b: BatchTime, k: number): number {
  return b.start + ((k + 0.5) / Math.max(1, b.n)) * (b.end - b.start);
}

function batchTime(c: ColumnChunk['columns'], i: number, originNs: bigint): BatchTime {
  return {
    seqStart: Number((c.seq_start as BigInt64Array)[i]),
    n: (c.n as Int32Array)[i],
    start: Number((c.start_ns as BigInt64Array)[i] - originNs) / 1e9,
    end: Number((c.end_ns as BigInt64Array)[i] - originNs) / 1e9,
  };
}

/**
 * The source's batch summary from three small queries (no row is held), or null when the session has no
 * batch rows at all. The first and last sample are those of the batches with the lowest and highest
 * seq_start (the lowest batch id among ties).
 */
export async function readBatchTimesSummary(dir: string, source: string): Promise<BatchTimesSummary | null> {
  if (listParts(dir).every((p) => p.table !== 'batches')) return null;
  const rel = tableRelation(dir, 'batches');
  const agg = await queryColumns(
    `SELECT count(*)::BIGINT AS rows, coalesce(sum(n), 0)::BIGINT AS covered, coalesce(min(start_ns), 0)::BIGINT AS min_start
       FROM ${rel} WHERE source = $1`,
    [source],
  );
  const rows = Number((agg.columns.rows as BigInt64Array)[0]);
  const covered = Number((agg.columns.covered as BigInt64Array)[0]);
  const originNs = ((agg.columns.min_start as BigInt64Array)[0] / 1_000_000_000n) * 1_000_000_000n;
  let span: [number, number] = [0, 0];
  if (rows > 0) {
    const edge = async (dir_: 'ASC' | 'DESC') => {
      const r = await queryColumns(
        `SELECT seq_start, n, start_ns, end_ns FROM ${rel} WHERE source = $1 ORDER BY seq_start ${dir_}, batch ASC LIMIT 1`,
        [source],
      );
      return batchTime(r.columns, 0, originNs);
    };
    const first = await edge('ASC');
    const last = await edge('DESC');
    span = [sampleTime(first, 0), sampleTime(last, last.n - 1)];
  }
  return { origin: Number(originNs / 1_000_000_000n), originNs, rows, covered, span };
}

/** Batch rows read per query chunk. */
const BATCH_CHUNK_ROWS = 8192;

/**
 * A source's batch rows streamed in batch order, holding only those a chunk of samples needs: `cover(lo,
 * hi)` before a chunk whose batch ids lie in lo..hi, then `get(id)` per batch. Rows below lo are dropped;
 * a later chunk that goes back below them (samples out of batch order) restarts the stream at its lo.
 * The rows are read in their stored order (parts in order, rows as written), which the recorder makes
 * batch order, so DuckDB does not sort them (a sort would hold all of the source's rows); the first row
 * out of order restarts the stream sorted.
 */
export class BatchTimesCursor {
  private batch: number[] = [];
  private rows: BatchTime[] = [];
  private stream: AsyncGenerator<ColumnChunk> | null = null;
  private exhausted = false;
  /** Rows below this id were dropped (or never read): a lower id needs a new stream. */
  private floor = Number.NEGATIVE_INFINITY;
  /** Whether the stream is sorted by DuckDB (the stored order was found not to be batch order). */
  private sorted = false;
  /** The stream's last id (stored order: each next id must not be lower). */
  private lastId = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly dir: string,
    private readonly source: string,
    private readonly originNs: bigint,
  ) {}

  /** Loads the rows of batches lo..hi (those that exist) and drops those below lo. */
  async cover(lo: number, hi: number): Promise<void> {
    if (lo < this.floor) await this.restart(lo);
    let drop = 0;
    while (drop < this.batch.length && this.batch[drop] < lo) drop++;
    if (drop > 0) {
      this.batch.splice(0, drop);
      this.rows.splice(0, drop);
    }
    this.floor = lo;
    while (!this.exhausted && (this.batch.length === 0 || this.batch[this.batch.length - 1] <= hi)) {
      if (!(await this.more(lo))) {
        this.sorted = true;
        await this.restart(lo);
      }
    }
  }

  /** The row of batch `id` (the last of equal ids, as a map filled in order keeps), if it was loaded. */
  get(id: number): BatchTime | undefined {
    let lo = 0;
    let hi = this.batch.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.batch[mid] <= id) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && this.batch[lo - 1] === id ? this.rows[lo - 1] : undefined;
  }

  /** Whether the stored order was found not to be batch order (the rows are then sorted by DuckDB). */
  get resorted(): boolean {
    return this.sorted;
  }

  /** Ends the query (its connection) early. */
  async close(): Promise<void> {
    const s = this.stream;
    this.stream = null;
    await s?.return(undefined);
  }

  private async restart(from: number): Promise<void> {
    await this.close();
    this.batch = [];
    this.rows = [];
    this.exhausted = false;
    this.lastId = Number.NEGATIVE_INFINITY;
    this.stream = this.open(from);
  }

  private open(from: number): AsyncGenerator<ColumnChunk> {
    const where = Number.isFinite(from) ? ' AND batch >= $2' : '';
    const params: (string | bigint)[] = [this.source];
    if (where) params.push(BigInt(Math.floor(from)));
    return streamColumns(
      `SELECT batch, seq_start, n, start_ns, end_ns FROM ${tableRelation(this.dir, 'batches')} WHERE source = $1${where}${this.sorted ? ' ORDER BY batch' : ''}`,
      params,
      { chunkRows: BATCH_CHUNK_ROWS },
    );
  }

  /** Appends the next chunk's rows from lo on; false when the stored order turns out not to be batch order. */
  private async more(lo: number): Promise<boolean> {
    this.stream ??= this.open(Number.NEGATIVE_INFINITY);
    const next = await this.stream.next();
    if (next.done) {
      this.exhausted = true;
      this.stream = null;
      return true;
    }
    const c = next.value;
    const ids = c.columns.batch as BigInt64Array;
    for (let i = 0; i < c.rowCount; i++) {
      const id = Number(ids[i]);
      if (id < this.lastId) return false;
      this.lastId = id;
      if (id < lo) continue;
      this.batch.push(id);
      this.rows.push(batchTime(c.columns, i, this.originNs));
    }
    return true;
  }
}
