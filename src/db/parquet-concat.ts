/**
 * Concatenation of Parquet files with the same schema into one, without decoding a value: the column
 * chunks of every row group are copied byte for byte and a new footer lists all the row groups with
 * their offsets moved (Apache Parquet format, "File format": a file is `PAR1`, the column chunks, the
 * Thrift-encoded FileMetaData, its length and `PAR1`). Rows keep their order: file by file, row group
 * by row group. The values, encodings, compression, statistics and bloom filters of every row group
 * stay as DuckDB wrote them; optional page indexes (column/offset index) are left out.
 *
 * This is how the recorder merges its per-flush parts into larger files at almost no CPU cost (a
 * re-encode through DuckDB would cost about as much as writing the parts did): it only moves bytes.
 * Files are still only *produced* by DuckDB (parquet.ts); this rearranges what it wrote.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { errorMessage, OeError } from '../errors.js';
import { fsyncDir, removeQuietly, type WrittenPart } from './parquet.js';
import { withStage } from './staging.js';
import {
  decodeStruct,
  encodeStruct,
  field,
  removeField,
  setField,
  T,
  type TList,
  type TStruct,
  type TValue,
} from './thrift-compact.js';

const MAGIC = Uint8Array.from([0x50, 0x41, 0x52, 0x31]); // "PAR1"

/** Field ids of parquet.thrift used here. */
const FMD = { schema: 2, numRows: 3, rowGroups: 4, encryption: 8 } as const;
const RG = { columns: 1, numRows: 3, fileOffset: 5, totalCompressed: 6, ordinal: 7 } as const;
const CC = { filePath: 1, fileOffset: 2, meta: 3, offsetIndex: [4, 5], columnIndex: [6, 7] } as const;
const CMD = {
  encodings: 2,
  path: 3,
  numValues: 5,
  totalUncompressed: 6,
  totalCompressed: 7,
  dataPage: 9,
  indexPage: 10,
  dictPage: 11,
  bloomOffset: 14,
  bloomLength: 15,
} as const;
/** parquet.thrift's Encoding values of dictionary encodings (PLAIN_DICTIONARY, RLE_DICTIONARY). */
const DICTIONARY_ENCODINGS = new Set([2, 8]);

/** A Parquet file's footer: the decoded FileMetaData and where it starts. */
export interface ParquetFooter {
  meta: TStruct;
  /** Byte offset of the FileMetaData (the column chunks end at or before it). */
  start: number;
  rows: number;
}

function isMagic(buf: Uint8Array, at: number): boolean {
  return MAGIC.every((b, i) => buf[at + i] === b);
}

/** Decodes the footer of a whole Parquet file held in memory; `name` is used in errors. */
export function readParquetFooter(buf: Uint8Array, name: string): ParquetFooter {
  const bad = (why: string) => new OeError('BAD_INPUT', `${name}: not a readable Parquet file (${why})`);
  if (buf.length < 12 || !isMagic(buf, 0) || !isMagic(buf, buf.length - 4)) throw bad('no PAR1 magic at both ends');
  const len = new DataView(buf.buffer, buf.byteOffset, buf.byteLength).getUint32(buf.length - 8, true);
  const start = buf.length - 8 - len;
  if (len === 0 || start < 4) throw bad(`footer length ${len} does not fit the file`);
  let meta: TStruct;
  try {
    const d = decodeStruct(buf.subarray(start, buf.length - 8));
    meta = d.struct;
  } catch (e) {
    throw bad(`footer: ${errorMessage(e)}`);
  }
  if (field(meta, FMD.encryption)) throw bad('encrypted files are not supported');
  const rows = field(meta, FMD.numRows)?.value;
  if (typeof rows !== 'number') throw bad('footer without num_rows');
  return { meta, start, rows };
}

/** An integer field as a number (offsets and sizes; a value past 2^49 is not a file we wrote). */
function int(s: TStruct, id: number): number | undefined {
  const v = field(s, id)?.value;
  return typeof v === 'number' ? v : undefined;
}

function structs(v: TValue | undefined): TStruct[] {
  return (v as TList | undefined)?.items.map((x) => x as TStruct) ?? [];
}

/** One byte range to copy from an input, and where it lands. */
interface Copy {
  from: number;
  length: number;
}

/**
 * Moves one input's row groups behind `pos` in the output: returns the byte ranges to copy and the row
 * groups with their offsets rewritten. Bloom filters are copied after the column chunks of the input.
 */
function relocate(
  footer: ParquetFooter,
  name: string,
  pos: number,
  ordinal: number,
): { copies: Copy[]; rowGroups: TStruct[]; end: number } {
  const copies: Copy[] = [];
  const rowGroups = structs(field(footer.meta, FMD.rowGroups)?.value);
  const blooms: { cmd: TStruct; from: number; length: number }[] = [];
  for (const [g, rg] of rowGroups.entries()) {
    let rgStart = -1;
    let rgBytes = 0;
    for (const cc of structs(field(rg, RG.columns)?.value)) {
      if (field(cc, CC.filePath))
        throw new OeError('BAD_INPUT', `${name}: column chunks in other files are not supported`);
      const cmd = field(cc, CC.meta)?.value as TStruct | undefined;
      const data = cmd && int(cmd, CMD.dataPage);
      const size = cmd && int(cmd, CMD.totalCompressed);
      if (!cmd || data === undefined || size === undefined) {
        throw new OeError('BAD_INPUT', `${name}: column chunk without its metadata`);
      }
      const dict = int(cmd, CMD.dictPage);
      const start = dict !== undefined && dict > 0 && dict < data ? dict : data;
      if (start < 4 || start + size > footer.start) {
        throw new OeError('BAD_INPUT', `${name}: a column chunk lies outside the file's data`);
      }
      const delta = pos - start;
      for (const id of [CMD.dataPage, CMD.indexPage, CMD.dictPage]) {
        const v = int(cmd, id);
        if (v !== undefined && v > 0) setField(cmd, id, T.I64, v + delta);
      }
      const fo = int(cc, CC.fileOffset);
      if (fo !== undefined && fo >= start && fo <= start + size) setField(cc, CC.fileOffset, T.I64, fo + delta);
      for (const id of [...CC.offsetIndex, ...CC.columnIndex]) removeField(cc, id);
      const bloomAt = int(cmd, CMD.bloomOffset);
      const bloomLen = int(cmd, CMD.bloomLength);
      if (bloomAt !== undefined && bloomLen !== undefined && bloomAt + bloomLen <= footer.start) {
        blooms.push({ cmd, from: bloomAt, length: bloomLen });
      } else {
        removeField(cmd, CMD.bloomOffset);
        removeField(cmd, CMD.bloomLength);
      }
      copies.push({ from: start, length: size });
      if (rgStart < 0) rgStart = pos;
      pos += size;
      rgBytes += size;
    }
    if (rgStart >= 0) setField(rg, RG.fileOffset, T.I64, rgStart);
    if (field(rg, RG.totalCompressed)) setField(rg, RG.totalCompressed, T.I64, rgBytes);
    setField(rg, RG.ordinal, T.I16, ordinal + g);
  }
  for (const b of blooms) {
    setField(b.cmd, CMD.bloomOffset, T.I64, pos);
    copies.push({ from: b.from, length: b.length });
    pos += b.length;
  }
  return { copies, rowGroups, end: pos };
}

export interface ConcatOptions {
  /** fsync the file before the rename and its directory after (default true). */
  fsync?: boolean;
}

/** Reads `length` bytes at `position` into `buf` at `at`; a file that ends early is BAD_INPUT. */
function readFully(fd: number, buf: Uint8Array, at: number, length: number, position: number, name: string): void {
  for (let got = 0; got < length; ) {
    const n = readSync(fd, buf, at + got, length - got, position + got);
    if (n === 0) throw new OeError('BAD_INPUT', `${name}: not a readable Parquet file (ends early)`);
    got += n;
  }
}

/**
 * The footer of an open Parquet file, with `start`, the offset of its FileMetaData: three small reads
 * (the tail, the head magic, the FileMetaData).
 */
function readFooterOf(fd: number, path: string): ParquetFooter {
  const size = fstatSync(fd).size;
  const bad = (why: string) => new OeError('BAD_INPUT', `${path}: not a readable Parquet file (${why})`);
  if (size < 12) throw bad(`${size} bytes`);
  const tail = new Uint8Array(8);
  readFully(fd, tail, 0, 8, size - 8, path);
  const len = new DataView(tail.buffer).getUint32(0, true);
  if (len > size - 12) throw bad(`footer length ${len}`);
  // readParquetFooter takes a file's frame: the head magic, the footer, its length and the tail magic.
  const frame = new Uint8Array(4 + len + 8);
  readFully(fd, frame, 0, 4, 0, path);
  readFully(fd, frame, 4, len, size - 8 - len, path);
  frame.set(tail, 4 + len);
  return { ...readParquetFooter(frame, path), start: size - 8 - len };
}

/** `fn` of the footer of the Parquet file at `path` (a few small reads); a file that cannot be read is BAD_INPUT. */
function withFooter<T>(path: string, fn: (footer: ParquetFooter) => T): T {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new OeError('BAD_INPUT', `${path}: cannot read (${errorMessage(e)})`);
  }
  try {
    return fn(readFooterOf(fd, path));
  } finally {
    closeSync(fd);
  }
}

/** Rows and row groups of a Parquet file, from its footer alone (a few small reads). */
export function readParquetShape(path: string): { rows: number; rowGroups: number } {
  return withFooter(path, (footer) => ({
    rows: footer.rows,
    rowGroups: structs(field(footer.meta, FMD.rowGroups)?.value).length,
  }));
}

/** What a file's encodings made of its columns, summed over its row groups (ParquetColumnSizes). */
export interface ParquetColumnSizes {
  /**
   * Column (top-level path) → its values, the bytes of its pages as stored and before compression, and
   * whether a dictionary was used.
   */
  columns: Record<string, { values: number; compressed: number; uncompressed: number; dictionary: boolean }>;
}

/**
 * Per column, the values, stored and uncompressed bytes of a Parquet file and whether its chunks are
 * dictionary encoded, from the footer alone (ColumnMetaData's num_values, total_compressed_size,
 * total_uncompressed_size and encodings; Apache Parquet format, "Metadata").
 */
export function readParquetColumnSizes(path: string): ParquetColumnSizes {
  return withFooter(path, (footer) => {
    const columns: ParquetColumnSizes['columns'] = {};
    const decoder = new TextDecoder();
    for (const rg of structs(field(footer.meta, FMD.rowGroups)?.value)) {
      for (const cc of structs(field(rg, RG.columns)?.value)) {
        const cmd = field(cc, CC.meta)?.value as TStruct | undefined;
        if (!cmd) continue;
        const first = (field(cmd, CMD.path)?.value as TList | undefined)?.items[0];
        const name = first instanceof Uint8Array ? decoder.decode(first) : '';
        columns[name] ??= { values: 0, compressed: 0, uncompressed: 0, dictionary: false };
        const c = columns[name];
        c.values += int(cmd, CMD.numValues) ?? 0;
        c.compressed += int(cmd, CMD.totalCompressed) ?? 0;
        c.uncompressed += int(cmd, CMD.totalUncompressed) ?? 0;
        const encodings = (field(cmd, CMD.encodings)?.value as TList | undefined)?.items ?? [];
        if (encodings.some((e) => DICTIONARY_ENCODINGS.has(Number(e)))) c.dictionary = true;
      }
    }
    return { columns };
  });
}

type Handle = Awaited<ReturnType<typeof open>>;

/** Reads `length` bytes at `position` into `buf` at `at` (short reads retried); a file that ends early is BAD_INPUT. */
async function readInto(fh: Handle, buf: Uint8Array, at: number, length: number, position: number, name: string) {
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(buf, at + got, length - got, position + got);
    if (bytesRead === 0) throw new OeError('BAD_INPUT', `${name}: not a readable Parquet file (ends early)`);
    got += bytesRead;
  }
}

/** One input: its path, open handle and footer. */
interface Input {
  path: string;
  fh: Handle;
  footer: ParquetFooter;
}

/** Opens an input and reads its footer (a few small reads, as readParquetShape). */
async function openInput(path: string): Promise<Input> {
  let fh: Handle;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    throw new OeError('BAD_INPUT', `${path}: cannot read (${errorMessage(e)})`);
  }
  try {
    return { path, fh, footer: readFooterOf(fh.fd, path) };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

/** Joins ranges that follow each other in the input (a file's column chunks usually all do): fewer, larger reads. */
function coalesce(copies: readonly Copy[]): Copy[] {
  const out: Copy[] = [];
  for (const c of copies) {
    const last = out[out.length - 1];
    if (last && last.from + last.length === c.from) last.length += c.length;
    else out.push({ ...c });
  }
  return out;
}

/** Appends to a file through one staging buffer, hashing what it writes. */
class Output {
  pos = 0;
  private fill = 0;
  private readonly hash = createHash('sha256');

  constructor(
    private readonly fh: Handle,
    private readonly stage: Uint8Array,
  ) {}

  async write(b: Uint8Array): Promise<void> {
    for (let off = 0; off < b.length; ) {
      const n = Math.min(b.length - off, this.stage.length - this.fill);
      this.stage.set(b.subarray(off, off + n), this.fill);
      await this.advance(n);
      off += n;
    }
  }

  /** Copies `length` bytes of `input` from `from`, read straight into the staging buffer. */
  async copy(input: Input, from: number, length: number): Promise<void> {
    for (let off = 0; off < length; ) {
      const n = Math.min(length - off, this.stage.length - this.fill);
      await readInto(input.fh, this.stage, this.fill, n, from + off, input.path);
      await this.advance(n);
      off += n;
    }
  }

  private async advance(n: number): Promise<void> {
    this.fill += n;
    this.pos += n;
    if (this.fill === this.stage.length) await this.drain();
  }

  async drain(): Promise<void> {
    const bytes = this.stage.subarray(0, this.fill);
    this.hash.update(bytes);
    for (let done = 0; done < bytes.length; ) {
      done += (await this.fh.write(bytes, done, bytes.length - done)).bytesWritten;
    }
    this.fill = 0;
  }

  sha256(): string {
    return this.hash.digest('hex');
  }
}

/**
 * Writes the rows of `inputs`, in order, as one Parquet file at `output` (through `<output>.tmp`, fsync
 * and rename, like writeParquet). Every input must have the same schema. Unreadable inputs are
 * OeError('BAD_INPUT') naming the file; write failures OeError('IO') naming the output, whose `.tmp` is
 * removed. Memory: one footer at a time and a 1-MiB staging buffer, reused from one call to the next.
 */
export async function concatParquet(
  inputs: readonly string[],
  output: string,
  options: ConcatOptions = {},
): Promise<WrittenPart> {
  if (inputs.length === 0) throw new OeError('USAGE', 'concatParquet: no input files');
  return withStage((stage) => concatThrough(stage, inputs, output, options));
}

/** concatParquet with its staging buffer. */
async function concatThrough(
  stage: Uint8Array,
  inputs: readonly string[],
  output: string,
  options: ConcatOptions,
): Promise<WrittenPart> {
  const tmp = `${output}.tmp`;
  let fh: Handle | null = null;
  let out: Output | null = null;
  let meta: TStruct | null = null;
  let schema: Uint8Array | null = null;
  const rowGroups: TStruct[] = [];
  let rows = 0;
  try {
    fh = await open(tmp, 'w');
    out = new Output(fh, stage);
    await out.write(MAGIC);
    for (const path of inputs) {
      const input = await openInput(path);
      try {
        const schemaField = field(input.footer.meta, FMD.schema);
        if (!schemaField) throw new OeError('BAD_INPUT', `${path}: footer without a schema`);
        const s = encodeStruct({ fields: [schemaField] });
        if (schema === null) {
          schema = s;
          meta = input.footer.meta;
        } else if (!sameBytes(schema, s)) {
          throw new OeError('BAD_INPUT', `${path}: schema differs from ${inputs[0]} (cannot concatenate)`);
        }
        const moved = relocate(input.footer, path, out.pos, rowGroups.length);
        for (const c of coalesce(moved.copies)) await out.copy(input, c.from, c.length);
        rowGroups.push(...moved.rowGroups);
        rows += input.footer.rows;
      } finally {
        await input.fh.close();
      }
    }
    const m = meta as TStruct;
    setField(m, FMD.numRows, T.I64, rows);
    setField(m, FMD.rowGroups, T.LIST, { kind: T.LIST, elemType: T.STRUCT, items: rowGroups });
    const footerBytes = encodeStruct(m);
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, footerBytes.length, true);
    tail.set(MAGIC, 4);
    await out.write(footerBytes);
    await out.write(tail);
    await out.drain();
    if (options.fsync !== false) await fh.sync();
    await fh.close();
    fh = null;
    await rename(tmp, output);
    if (options.fsync !== false) await fsyncDir(dirname(output));
  } catch (e) {
    await fh?.close().catch(() => undefined);
    removeQuietly(tmp);
    if (e instanceof OeError && e.code === 'BAD_INPUT') throw e;
    throw new OeError('IO', `cannot write ${output}: ${errorMessage(e).replace(/\s+/g, ' ')}`, { cause: e });
  }
  return { path: output, rows, bytes: out.pos, sha256: out.sha256() };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
