/**
 * The columns of the parts a flush writes (schemas/PARQUET.md), built from what the recorder buffered.
 */
import type { ColumnInput } from '../../db/index.js';
import type { TelemetryColumns } from '../telemetry/index.js';
import type { PendingBatch } from './scheduler.js';

/**
 * The columns of one sample part: the buffered batches of one source, in order. The values and bytes are
 * the batches' own arrays in pieces, seq and batch are runs: the writer reads them chunk by chunk, so
 * writing a part allocates nothing that grows with it.
 */
export function sampleColumns(
  pending: readonly Pick<PendingBatch, 'batch' | 'seqStart' | 'values' | 'bytes'>[],
): ColumnInput[] {
  const lengths = pending.map((p) => p.values.length);
  return [
    { name: 'value', type: 'BIGINT', data: { kind: 'pieces', pieces: pending.map((p) => p.values) } },
    { name: 'byte', type: 'UTINYINT', data: { kind: 'pieces', pieces: pending.map((p) => p.bytes) } },
    { name: 'seq', type: 'BIGINT', data: { kind: 'runs', starts: pending.map((p) => p.seqStart), lengths, step: 1 } },
    { name: 'batch', type: 'BIGINT', data: { kind: 'runs', starts: pending.map((p) => p.batch), lengths, step: 0 } },
  ];
}

/** The columns of one batches part: one row per written batch, in the order given. */
export function batchColumns(rows: readonly { source: string; b: PendingBatch }[]): ColumnInput[] {
  const n = rows.length;
  const col = {
    source: new Array<string>(n),
    batch: new BigInt64Array(n),
    seq_start: new BigInt64Array(n),
    n: new Int32Array(n),
    requested: new Int32Array(n),
    start_ns: new BigInt64Array(n),
    end_ns: new BigInt64Array(n),
    status: new Array<string>(n),
    health: new Array<string>(n),
  };
  rows.forEach(({ source, b }, i) => {
    col.source[i] = source;
    col.batch[i] = BigInt(b.batch);
    col.seq_start[i] = BigInt(b.seqStart);
    col.n[i] = b.values.length;
    col.requested[i] = b.requested;
    col.start_ns[i] = b.startNs;
    col.end_ns[i] = b.endNs;
    col.status[i] = b.status;
    col.health[i] = b.health;
  });
  return [
    { name: 'source', type: 'VARCHAR', data: col.source },
    { name: 'batch', type: 'BIGINT', data: col.batch },
    { name: 'seq_start', type: 'BIGINT', data: col.seq_start },
    { name: 'n', type: 'INTEGER', data: col.n },
    { name: 'requested', type: 'INTEGER', data: col.requested },
    { name: 'start_ns', type: 'BIGINT', data: col.start_ns },
    { name: 'end_ns', type: 'BIGINT', data: col.end_ns },
    { name: 'status', type: 'VARCHAR', data: col.status },
    { name: 'health', type: 'VARCHAR', data: col.health },
  ];
}

export function telemetryColumns(rows: TelemetryColumns): ColumnInput[] {
  return [
    { name: 't', type: 'TIMESTAMP', data: rows.t },
    { name: 'domain', type: 'VARCHAR', data: rows.domain },
    { name: 'name', type: 'VARCHAR', data: rows.name },
    { name: 'unit', type: 'VARCHAR', data: rows.unit },
    { name: 'source', type: 'VARCHAR', data: rows.source },
    { name: 'kind', type: 'VARCHAR', data: rows.kind },
    { name: 'value', type: 'DOUBLE', data: rows.value },
    { name: 'rate', type: 'DOUBLE', data: rows.rate, nullIfNaN: true },
  ];
}

/** The columns of one conditioned part: `bytes` at stream positions seqStart, seqStart + 1, … */
export function conditionedColumns(seqStart: number, bytes: Uint8Array): ColumnInput[] {
  return [
    { name: 'seq', type: 'BIGINT', data: { kind: 'runs', starts: [seqStart], lengths: [bytes.length], step: 1 } },
    { name: 'byte', type: 'UTINYINT', data: bytes },
  ];
}
