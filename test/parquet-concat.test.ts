import { createCipheriv, createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type ColumnInput,
  closeDb,
  concatParquet,
  queryColumns,
  readParquetColumnSizes,
  readParquetFooter,
  readParquetShape,
  rewriteParquet,
  sqlString,
  writeParquet,
} from '../src/db/index.js';
import { decodeStruct, encodeStruct } from '../src/db/thrift-compact.js';
import { OeError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'oe-concat-'));
afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

/** A deterministic samples-schema part: n rows starting at seq `start`, values with some repetition. */
function sampleColumns(start: number, n: number, batch: number): ColumnInput[] {
  const value = new BigInt64Array(n);
  const byte = new Uint8Array(n);
  const seq = new BigInt64Array(n);
  const b = new BigInt64Array(n).fill(BigInt(batch));
  for (let i = 0; i < n; i++) {
    const k = start + i;
    value[i] = BigInt(((k * 2654435761) >>> 0) % 977) + (k % 5 === 0 ? 2n ** 60n : 0n);
    byte[i] = (k * 131) & 0xff;
    seq[i] = BigInt(k);
  }
  return [
    { name: 'value', type: 'BIGINT', data: value },
    { name: 'byte', type: 'UTINYINT', data: byte },
    { name: 'seq', type: 'BIGINT', data: seq },
    { name: 'batch', type: 'BIGINT', data: b },
  ];
}

async function writeParts(sub: string, sizes: number[]): Promise<string[]> {
  mkdirSync(join(dir, sub), { recursive: true });
  const paths: string[] = [];
  let seq = 0;
  for (const [k, n] of sizes.entries()) {
    const p = join(dir, sub, `part-${String(k).padStart(5, '0')}.parquet`);
    await writeParquet(p, sampleColumns(seq, n, k));
    seq += n;
    paths.push(p);
  }
  return paths;
}

const all = async (sql: string) => (await queryColumns(sql)).columns;

/** Rows of `out` that differ from the rows of `inputs` read in order, row for row (0 when it holds them all). */
async function rowsDiffering(inputs: readonly string[], out: string): Promise<bigint> {
  const list = inputs.map(sqlString).join(', ');
  const diff = await all(
    `SELECT count(*)::BIGINT AS n FROM (
       SELECT row_number() OVER () AS r, * FROM read_parquet([${list}], hive_partitioning = false)) a
     FULL JOIN (SELECT row_number() OVER () AS r, * FROM read_parquet(${sqlString(out)})) b USING (r)
     WHERE a.value IS DISTINCT FROM b.value OR a.byte IS DISTINCT FROM b.byte
        OR a.seq IS DISTINCT FROM b.seq OR a.batch IS DISTINCT FROM b.batch`,
  );
  return (diff.n as BigInt64Array)[0];
}

describe('Thrift compact codec', () => {
  it('decodes a real DuckDB footer and encodes it back byte for byte', async () => {
    const [p] = await writeParts('codec', [5000]);
    const buf = new Uint8Array(readFileSync(p));
    const footer = readParquetFooter(buf, p);
    const raw = buf.subarray(footer.start, buf.length - 8);
    const { struct, end } = decodeStruct(raw);
    expect(end).toBe(raw.length);
    expect(Buffer.from(encodeStruct(struct)).equals(Buffer.from(raw))).toBe(true);
    expect(footer.rows).toBe(5000);
  });
});

describe('concatParquet', () => {
  it('concatenates parts without decoding: same rows in the same order, checksum of the written file', async () => {
    // Sizes around DuckDB's 122 880-row groups: one part has two row groups.
    const parts = await writeParts('samples', [1, 3000, 130_000, 17, 40_000]);
    const out = join(dir, 'samples', 'part-00000-00004.parquet');
    const w = await concatParquet(parts, out);
    expect(w.rows).toBe(173_018);
    expect(w.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
    expect(w.bytes).toBe(readFileSync(out).length);
    expect(readdirSync(join(dir, 'samples')).some((f) => f.endsWith('.tmp'))).toBe(false);
    expect(readParquetShape(out)).toEqual({ rows: 173_018, rowGroups: 6 });
    // Every value equal, row for row, to the inputs read in order.
    expect(await rowsDiffering(parts, out)).toBe(0n);
    const list = parts.map(sqlString).join(', ');
    // Row order inside the file is seq order.
    const order = await all(
      `SELECT count(*)::BIGINT AS bad FROM (SELECT seq, row_number() OVER () - 1 AS r FROM read_parquet(${sqlString(out)})) WHERE seq <> r`,
    );
    expect(order.bad).toEqual(BigInt64Array.from([0n]));
    // Filters that use the copied statistics and bloom filters find the same rows.
    const q = (from: string) =>
      all(`SELECT count(*)::BIGINT AS n, sum(seq)::DOUBLE AS s FROM ${from} WHERE byte = 77 OR value = 500`);
    expect(await q(`read_parquet(${sqlString(out)})`)).toEqual(await q(`read_parquet([${list}])`));
  });

  it('copies inputs larger than its staging buffer, and reuses that buffer from one call to the next', async () => {
    // 300 000 incompressible values make a value column of about 2.3 MiB.
    mkdirSync(join(dir, 'large'), { recursive: true });
    const parts: string[] = [];
    for (const [k, n] of [300_000, 5, 300_000].entries()) {
      const cols = sampleColumns(k * 300_000, n, k);
      // AES-CTR keystream of a fixed key: deterministic bytes that no Parquet encoding shrinks.
      const aes = createCipheriv('aes-128-ctr', Buffer.alloc(16, 7), Buffer.alloc(16, k));
      const bytes = aes.update(Buffer.alloc(n * 8));
      cols[0].data = new BigInt64Array(Uint8Array.from(bytes).buffer);
      parts.push(join(dir, 'large', `part-${k}.parquet`));
      await writeParquet(parts[k], cols);
    }
    expect(statSync(parts[0]).size).toBeGreaterThan(2 << 20);
    const list = parts.map(sqlString).join(', ');
    const digest = async (from: string) =>
      all(
        `SELECT count(*)::BIGINT AS n, bit_xor(hash(r, value, byte, seq, batch))::UBIGINT AS h
         FROM (SELECT row_number() OVER () AS r, * FROM ${from})`,
      );
    const expected = await digest(`read_parquet([${list}], hive_partitioning = false)`);
    for (const name of ['a', 'b']) {
      const out = join(dir, 'large', `out-${name}.parquet`);
      const w = await concatParquet(parts, out);
      expect(w.rows).toBe(600_005);
      expect(w.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
      expect(await digest(`read_parquet(${sqlString(out)})`)).toEqual(expected);
    }
    expect(
      readFileSync(join(dir, 'large', 'out-a.parquet')).equals(readFileSync(join(dir, 'large', 'out-b.parquet'))),
    ).toBe(true);
  });

  it('keeps strings, timestamps and NULLs of the telemetry schema', async () => {
    mkdirSync(join(dir, 't'), { recursive: true });
    const a = join(dir, 't', 'a.parquet');
    const b = join(dir, 't', 'b.parquet');
    const cols = (t: bigint[], name: string[], rate: number[]): ColumnInput[] => [
      { name: 't', type: 'TIMESTAMP', data: BigInt64Array.from(t) },
      { name: 'name', type: 'VARCHAR', data: name },
      { name: 'rate', type: 'DOUBLE', data: Float64Array.from(rate), nullIfNaN: true },
    ];
    await writeParquet(a, cols([1n, 2n], ['cpu', 'mem'], [Number.NaN, 1.5]));
    await writeParquet(b, cols([3n], ['ctx'], [Number.NaN]));
    const out = join(dir, 't', 'ab.parquet');
    await concatParquet([a, b], out);
    const r = await all(`SELECT epoch_us(t) AS t, name, rate FROM read_parquet(${sqlString(out)})`);
    expect(Array.from(r.t as BigInt64Array)).toEqual([1n, 2n, 3n]);
    expect(r.name).toEqual(['cpu', 'mem', 'ctx']);
    expect(Array.from(r.rate as Float64Array)).toEqual([Number.NaN, 1.5, Number.NaN]);
  });

  it('refuses inputs of another schema, truncated inputs, and cleans up after a failed write', async () => {
    const parts = await writeParts('bad', [100, 100]);
    const other = join(dir, 'bad', 'other.parquet');
    await writeParquet(other, [{ name: 'x', type: 'INTEGER', data: Int32Array.from([1]) }]);
    const out = join(dir, 'bad', 'out.parquet');
    const mismatch = await concatParquet([parts[0], other], out).catch((e) => e);
    expect(mismatch).toBeInstanceOf(OeError);
    expect(mismatch.code).toBe('BAD_INPUT');
    expect(mismatch.message).toContain(other);
    expect(existsSync(out) || existsSync(`${out}.tmp`)).toBe(false);

    truncateSync(parts[1], 200);
    const trunc = await concatParquet(parts, out).catch((e) => e);
    expect(trunc.code).toBe('BAD_INPUT');
    expect(trunc.message).toContain(parts[1]);
    expect(trunc.message).not.toContain('\n');
    expect(existsSync(`${out}.tmp`)).toBe(false);

    const ro = join(dir, 'readonly');
    mkdirSync(ro);
    chmodSync(ro, 0o500);
    try {
      const io = await concatParquet([parts[0]], join(ro, 'x.parquet')).catch((e) => e);
      // root may write anyway; otherwise it is an IO error naming the output
      if (io instanceof OeError) {
        expect(io.code).toBe('IO');
        expect(io.message).toContain(join(ro, 'x.parquet'));
      }
    } finally {
      chmodSync(ro, 0o700);
    }
  });
});

/** A part of the samples schema whose values are the output of a counter-mode cipher: they do not compress. */
function randomColumns(start: number, n: number): ColumnInput[] {
  const key = Buffer.alloc(32, 7);
  const iv = Buffer.alloc(16);
  iv.writeUInt32BE(start, 12);
  const stream = createCipheriv('aes-256-ctr', key, iv).update(Buffer.alloc(n * 8));
  const value = new BigInt64Array(stream.buffer.slice(stream.byteOffset, stream.byteOffset + n * 8));
  const cols = sampleColumns(start, n, 0);
  cols[0] = { name: 'value', type: 'BIGINT', data: value };
  cols[1] = { name: 'byte', type: 'UTINYINT', data: Uint8Array.from(stream.subarray(0, n)) };
  return cols;
}

describe('writeParquet plain, readParquetColumnSizes', () => {
  it('reads per column the stored and uncompressed bytes and the dictionary use DuckDB reports', async () => {
    mkdirSync(join(dir, 'sizes'), { recursive: true });
    const timing = join(dir, 'sizes', 'timing.parquet');
    const random = join(dir, 'sizes', 'random.parquet');
    await writeParquet(timing, sampleColumns(0, 200_000, 3));
    await writeParquet(random, randomColumns(0, 200_000));
    for (const path of [timing, random]) {
      const mine = readParquetColumnSizes(path).columns;
      const duck = await all(
        `SELECT path_in_schema AS col, sum(num_values)::BIGINT AS v, sum(total_compressed_size)::BIGINT AS c,
           sum(total_uncompressed_size)::BIGINT AS u, bool_or(encodings LIKE '%DICTIONARY%') AS d
         FROM parquet_metadata(${sqlString(path)}) GROUP BY ALL ORDER BY col`,
      );
      expect(Object.keys(mine).sort()).toEqual(duck.col);
      (duck.col as string[]).forEach((c, i) => {
        expect(mine[c]).toEqual({
          values: Number(duck.v[i]),
          compressed: Number(duck.c[i]),
          uncompressed: Number(duck.u[i]),
          dictionary: Boolean(duck.d[i]),
        });
      });
    }
    // The timing-like values take a dictionary and zstd shrinks them; the random ones do neither.
    const t = readParquetColumnSizes(timing).columns.value;
    const r = readParquetColumnSizes(random).columns.value;
    expect(t.dictionary).toBe(true);
    expect(t.compressed / t.uncompressed).toBeLessThan(0.8);
    expect(r.dictionary).toBe(false);
    expect(r.compressed / r.uncompressed).toBeGreaterThan(0.99);
    expect(() => readParquetColumnSizes(join(dir, 'sizes', 'missing.parquet'))).toThrow(/cannot read/);
  });

  it('writes plain parts without zstd or dictionaries, the same rows, and concatenates them with zstd parts', async () => {
    mkdirSync(join(dir, 'plain'), { recursive: true });
    const a = join(dir, 'plain', 'part-00000.parquet');
    const b = join(dir, 'plain', 'part-00001.parquet');
    const c = join(dir, 'plain', 'part-00002.parquet');
    await writeParquet(a, randomColumns(0, 150_000));
    const plain = await writeParquet(b, randomColumns(150_000, 150_000), { plain: true });
    await writeParquet(c, sampleColumns(300_000, 1000, 9), { plain: true });
    const meta = async (p: string) =>
      all(
        `SELECT string_agg(DISTINCT compression, ',' ORDER BY compression) AS z,
           string_agg(DISTINCT encodings, ',' ORDER BY encodings) AS e
         FROM parquet_metadata(${sqlString(p)})`,
      );
    expect((await meta(a)).z).toEqual(['ZSTD']);
    expect(await meta(b)).toEqual({ z: ['UNCOMPRESSED'], e: ['DELTA_BINARY_PACKED'] });
    // Random data takes the same bytes either way (within 1 %).
    const zstdBytes = (await writeParquet(join(dir, 'plain', 'z.parquet'), randomColumns(150_000, 150_000))).bytes;
    expect(Math.abs(plain.bytes / zstdBytes - 1)).toBeLessThan(0.01);
    const out = join(dir, 'plain', 'part-00000-00002.parquet');
    await concatParquet([a, b, c], out);
    expect((await meta(out)).z).toEqual(['UNCOMPRESSED,ZSTD']);
    expect(await rowsDiffering([a, b, c], out)).toBe(0n);
    expect(readParquetShape(out).rows).toBe(301_000);
  });
});

describe('rewriteParquet', () => {
  it('re-encodes small row groups into 122 880-row groups, rows in order, without a hive column', async () => {
    mkdirSync(join(dir, 'samples', 'source=x'), { recursive: true });
    const parts: string[] = [];
    let seq = 0;
    for (let k = 0; k < 30; k++) {
      const p = join(dir, 'samples', 'source=x', `part-${String(k).padStart(5, '0')}.parquet`);
      await writeParquet(p, sampleColumns(seq, 9000, k));
      seq += 9000;
      parts.push(p);
    }
    const out = join(dir, 'samples', 'source=x', 'part-00000-00029.parquet');
    const w = await rewriteParquet(parts, out);
    expect(w.rows).toBe(270_000);
    expect(readParquetShape(out)).toEqual({ rows: 270_000, rowGroups: 3 });
    // The file's own schema: the four columns, no `source` from the directory name.
    const cols = await all(`SELECT name FROM parquet_schema(${sqlString(out)}) WHERE num_children IS NULL`);
    expect(cols.name).toEqual(['value', 'byte', 'seq', 'batch']);
    const order = await all(
      `SELECT count(*)::BIGINT AS bad FROM (SELECT seq, row_number() OVER () - 1 AS r FROM read_parquet(${sqlString(out)}, hive_partitioning = false)) WHERE seq <> r`,
    );
    expect(order.bad).toEqual(BigInt64Array.from([0n]));
    expect(w.sha256).toBe(createHash('sha256').update(readFileSync(out)).digest('hex'));
  });
});
