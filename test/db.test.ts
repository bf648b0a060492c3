import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keepFreedMemoryConf } from '../src/db/connection.js';
import {
  closeDb,
  queryColumns,
  queryScalar,
  rewriteParquet,
  sha256FileAsync,
  sqlString,
  streamColumns,
  writeParquet,
} from '../src/db/index.js';
import { parquetScanKind } from '../src/db/native-scan.js';
import { STAGE_BYTES } from '../src/db/staging.js';
import { OeError } from '../src/errors.js';
import { addonPath } from '../src/util/addon.js';

const dir = mkdtempSync(join(tmpdir(), 'oe-db-'));
afterAll(async () => {
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
});

describe('writeParquet / queryColumns', () => {
  it('round-trips typed arrays exactly, including int64 above 2^53, and reports the file sha256', async () => {
    const n = 10_000; // several data chunks, last one partial
    const value = new BigInt64Array(n);
    const byte = new Uint8Array(n);
    const d = new Float64Array(n);
    const i32 = new Int32Array(n);
    const s: string[] = [];
    for (let i = 0; i < n; i++) {
      value[i] = 9_007_199_254_740_993n + BigInt(i) * 1_000_003n - (i % 7 === 0 ? 2n ** 62n : 0n);
      byte[i] = (i * 31) & 0xff;
      d[i] = i / 3 - 1000.5;
      i32[i] = -i * 7;
      s.push(`name_${i % 13}`);
    }
    const path = join(dir, 'a.parquet');
    const w = await writeParquet(path, [
      { name: 'value', type: 'BIGINT', data: value },
      { name: 'byte', type: 'UTINYINT', data: byte },
      { name: 'd', type: 'DOUBLE', data: d },
      { name: 'i', type: 'INTEGER', data: i32 },
      { name: 's', type: 'VARCHAR', data: s },
    ]);
    expect(w.rows).toBe(n);
    expect(w.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
    expect(readdirSync(dir).some((f) => f.endsWith('.tmp'))).toBe(false);

    const r = await queryColumns(`SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(r.rowCount).toBe(n);
    expect(r.columns.value).toBeInstanceOf(BigInt64Array);
    expect(r.columns.byte).toBeInstanceOf(Uint8Array);
    expect(r.columns.d).toBeInstanceOf(Float64Array);
    expect(r.columns.i).toBeInstanceOf(Int32Array);
    expect(Array.from(r.columns.value as BigInt64Array)).toEqual(Array.from(value));
    expect(Array.from(r.columns.byte as Uint8Array)).toEqual(Array.from(byte));
    expect(Array.from(r.columns.d as Float64Array)).toEqual(Array.from(d));
    expect(Array.from(r.columns.i as Int32Array)).toEqual(Array.from(i32));
    expect(r.columns.s).toEqual(s);

    // The file's own metadata says zstd and the documented physical types.
    const meta = await queryColumns(
      `SELECT DISTINCT path_in_schema, compression FROM parquet_metadata(${sqlString(path)}) ORDER BY 1`,
    );
    expect(new Set(meta.columns.compression as string[])).toEqual(new Set(['ZSTD']));
    const types = await queryColumns(
      `SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(path)}))`,
    );
    expect(types.columns.column_type).toEqual(['BIGINT', 'UTINYINT', 'DOUBLE', 'INTEGER', 'VARCHAR']);
  });

  it('writes columns given in pieces and runs as if they were whole arrays, across chunk boundaries', async () => {
    // Piece and run lengths straddle DuckDB's 2048-row chunks, with empty ones among them.
    const lengths = [1, 2047, 0, 2049, 5000, 3, 4096];
    const n = lengths.reduce((a, b) => a + b, 0);
    const value = new BigInt64Array(n);
    const byte = new Uint8Array(n);
    const seq = new BigInt64Array(n);
    const batch = new BigInt64Array(n);
    const starts: number[] = [];
    const ids: number[] = [];
    for (let k = 0, off = 0, next = 2 ** 40; k < lengths.length; k++) {
      starts.push(next);
      ids.push(k * 3 + 1);
      for (let i = 0; i < lengths[k]; i++, off++) {
        value[off] = BigInt(off) * -7_919n + 2n ** 60n;
        byte[off] = (off * 13) & 0xff;
        seq[off] = BigInt(next + i);
        batch[off] = BigInt(k * 3 + 1);
      }
      next += lengths[k] + (k === 3 ? 17 : 0); // one gap between runs
    }
    const cut = (a: BigInt64Array | Uint8Array) => {
      let off = 0;
      return lengths.map((len) => {
        off += len;
        return a.subarray(off - len, off);
      });
    };
    const path = join(dir, 'pieces.parquet');
    const w = await writeParquet(path, [
      { name: 'value', type: 'BIGINT', data: { kind: 'pieces', pieces: cut(value) as BigInt64Array[] } },
      { name: 'byte', type: 'UTINYINT', data: { kind: 'pieces', pieces: cut(byte) as Uint8Array[] } },
      { name: 'seq', type: 'BIGINT', data: { kind: 'runs', starts, lengths, step: 1 } },
      { name: 'batch', type: 'BIGINT', data: { kind: 'runs', starts: ids, lengths, step: 0 } },
    ]);
    expect(w.rows).toBe(n);
    const r = await queryColumns(`SELECT * FROM read_parquet(${sqlString(path)})`);
    expect(Array.from(r.columns.value as BigInt64Array)).toEqual(Array.from(value));
    expect(Array.from(r.columns.byte as Uint8Array)).toEqual(Array.from(byte));
    expect(Array.from(r.columns.seq as BigInt64Array)).toEqual(Array.from(seq));
    expect(Array.from(r.columns.batch as BigInt64Array)).toEqual(Array.from(batch));
    // The native scan (when this build has it) and the JavaScript table function write the same file.
    expect(parquetScanKind().kind).toBe(existsSync(addonPath()) ? 'native' : 'js');
    const viaJs = await writeParquet(
      join(dir, 'pieces-js.parquet'),
      [
        { name: 'value', type: 'BIGINT', data: { kind: 'pieces', pieces: cut(value) as BigInt64Array[] } },
        { name: 'byte', type: 'UTINYINT', data: { kind: 'pieces', pieces: cut(byte) as Uint8Array[] } },
        { name: 'seq', type: 'BIGINT', data: { kind: 'runs', starts, lengths, step: 1 } },
        { name: 'batch', type: 'BIGINT', data: { kind: 'runs', starts: ids, lengths, step: 0 } },
      ],
      { scan: 'js' },
    );
    expect(viaJs.sha256).toBe(w.sha256);
    // So do the two ways of re-encoding files (the merge's rewrite).
    const re = await rewriteParquet([path, viaJs.path], join(dir, 'rewritten.parquet'));
    const reJs = await rewriteParquet([path, viaJs.path], join(dir, 'rewritten-js.parquet'), { scan: 'js' });
    expect(re.rows).toBe(2 * n);
    expect(reJs.sha256).toBe(re.sha256);
    // Lengths that disagree, and runs of a type other than BIGINT, are usage errors.
    await expect(
      writeParquet(join(dir, 'bad.parquet'), [
        { name: 'a', type: 'BIGINT', data: { kind: 'runs', starts: [0], lengths: [5], step: 1 } },
        { name: 'b', type: 'UTINYINT', data: { kind: 'pieces', pieces: [new Uint8Array(2), new Uint8Array(2)] } },
      ]),
    ).rejects.toThrow(/has 4 rows, expected 5/);
    await expect(
      writeParquet(join(dir, 'bad.parquet'), [
        { name: 'a', type: 'INTEGER', data: { kind: 'runs', starts: [0], lengths: [5], step: 0 } },
      ]),
    ).rejects.toThrow(/runs need BIGINT/);
  });

  it.skipIf(!existsSync(addonPath()) || process.platform !== 'linux')(
    'runs a native write with `nice` on a thread at that lower priority, kept for the next write at that level',
    async () => {
      const n = 6_000_000;
      const value = new BigInt64Array(n).fill(12345n);
      /** tid → nice of every thread of this process. */
      const niceOf = () =>
        new Map(
          readdirSync('/proc/self/task').flatMap((t) => {
            try {
              return [[t, Number(readFileSync(`/proc/self/task/${t}/stat`, 'utf8').split(') ')[1].split(' ')[16])]];
            } catch {
              return []; // a thread that ended meanwhile
            }
          }),
        );
      const at = (level: number) => [...niceOf()].filter(([, x]) => x === level).map(([t]) => t);
      const target = Math.min(19, getPriority(0) + 7);
      expect(at(target)).toEqual([]);
      const seen = new Set<number>();
      const timer = setInterval(() => {
        for (const x of niceOf().values()) seen.add(x);
      }, 2);
      const w = await writeParquet(join(dir, 'niced.parquet'), [{ name: 'value', type: 'BIGINT', data: value }], {
        nice: 7,
      });
      clearInterval(timer);
      expect(w.rows).toBe(n);
      expect(seen).toContain(target);
      // One thread at that level, idle now; the next writes at that level run on it, one after the other.
      const lowered = at(target);
      expect(lowered).toHaveLength(1);
      for (let k = 0; k < 3; k++) {
        await writeParquet(join(dir, `niced-${k}.parquet`), [{ name: 'value', type: 'BIGINT', data: value }], {
          nice: 7,
        });
      }
      expect(at(target)).toEqual(lowered);
    },
  );

  it('streams results in chunks whose sizes add up, and binds parameters', async () => {
    const n = 200_000;
    const seq = new BigInt64Array(n);
    for (let i = 0; i < n; i++) seq[i] = BigInt(i);
    const path = join(dir, 'b.parquet');
    await writeParquet(path, [{ name: 'seq', type: 'BIGINT', data: seq }]);
    let total = 0;
    let chunks = 0;
    let expectNext = 0n;
    for await (const c of streamColumns(
      `SELECT seq FROM read_parquet(${sqlString(path)}) WHERE seq >= $1 ORDER BY seq`,
      [10n],
    )) {
      chunks++;
      total += c.rowCount;
      const col = c.columns.seq as BigInt64Array;
      expect(col.length).toBe(c.rowCount);
      if (expectNext === 0n) expectNext = 10n;
      expect(col[0]).toBe(expectNext);
      expectNext = col[col.length - 1] + 1n;
    }
    expect(total).toBe(n - 10);
    expect(chunks).toBeGreaterThan(1);
    expect(await queryScalar(`SELECT count(*) FROM read_parquet(${sqlString(path)})`)).toBe(BigInt(n));
  });

  it('keeps the column types on an empty result', async () => {
    const r = await queryColumns('SELECT 1::BIGINT AS a, 2.0::DOUBLE AS b WHERE false');
    expect(r.rowCount).toBe(0);
    expect(r.columns.a).toBeInstanceOf(BigInt64Array);
    expect(r.columns.b).toBeInstanceOf(Float64Array);
  });

  it('rejects mismatched columns with a usage error', async () => {
    await expect(
      writeParquet(join(dir, 'c.parquet'), [
        { name: 'a', type: 'BIGINT', data: new BigInt64Array(3) },
        { name: 'b', type: 'UTINYINT', data: new Uint8Array(2) },
      ]),
    ).rejects.toThrow(/has 2 rows, expected 3/);
    await expect(
      writeParquet(join(dir, 'c.parquet'), [{ name: 'a', type: 'BIGINT', data: new Float64Array(3) }]),
    ).rejects.toThrow(/needs BigInt64Array/);
  });

  it('reports an unwritable target as an IO error naming the file and leaves no .tmp', async () => {
    const path = join(dir, 'no-such-dir', 'x.parquet');
    const err = await writeParquet(path, [{ name: 'a', type: 'BIGINT', data: new BigInt64Array(5) }]).catch((e) => e);
    expect(err).toBeInstanceOf(OeError);
    expect((err as OeError).code).toBe('IO');
    expect((err as OeError).message).toContain(path);
    expect(existsSync(`${path}.tmp`)).toBe(false);
  });

  it('turns a truncated Parquet file into a one-line BAD_INPUT error', async () => {
    const path = join(dir, 't.parquet');
    await writeParquet(path, [{ name: 'a', type: 'BIGINT', data: new BigInt64Array(1000) }]);
    const bytes = readFileSync(path);
    writeFileSync(path, bytes.subarray(0, bytes.length >> 1));
    const err = await queryColumns(`SELECT * FROM read_parquet(${sqlString(path)})`).catch((e) => e);
    expect(err).toBeInstanceOf(OeError);
    expect((err as OeError).code).toBe('BAD_INPUT');
    expect((err as OeError).message).not.toContain('\n');
  });
});

describe('sha256FileAsync', () => {
  it('hashes files shorter and longer than its staging buffer, and empty ones, as a one-shot sha256', async () => {
    // Not a multiple of the buffer, so the last read is short; several hashes at once share the spares.
    const sizes = [0, 1, STAGE_BYTES - 1, STAGE_BYTES, 2 * STAGE_BYTES + 12345];
    const files = sizes.map((n, i) => {
      const bytes = new Uint8Array(n).map((_, k) => (k * 2654435761 + i) >>> 24);
      const path = join(dir, `h${i}.bin`);
      writeFileSync(path, bytes);
      return { path, want: createHash('sha256').update(bytes).digest('hex') };
    });
    const got = await Promise.all(files.map((f) => sha256FileAsync(f.path)));
    expect(got).toEqual(files.map((f) => f.want));
  });

  it('fails on a missing file', async () => {
    await expect(sha256FileAsync(join(dir, 'missing.bin'))).rejects.toThrow(/ENOENT/);
  });
});

describe('configureDb({ keepFreedMemoryMs })', () => {
  /** test/db-allocator-child.ts with DUCKDB_JE_MALLOC_CONF set to `conf` (or unset). */
  const child = (conf?: string) => {
    const env = { ...process.env };
    delete env.DUCKDB_JE_MALLOC_CONF;
    if (conf !== undefined) env.DUCKDB_JE_MALLOC_CONF = conf;
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'db-allocator-child.ts')], {
      env,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    return { conf: r.stdout.trim(), stats: r.stderr };
  };

  it("gives DuckDB's allocator settings that keep freed pages that long, which its bundled jemalloc applies", () => {
    const conf = keepFreedMemoryConf(300_000);
    expect(child().conf).toBe(conf);
    // stats_print makes jemalloc print its options at exit: the ones above, taken as they are.
    const { stats } = child(`${conf},stats_print:true`);
    expect(stats).not.toMatch(/Invalid conf/);
    expect(stats).toMatch(/opt\.dirty_decay_ms: 300000/);
    expect(stats).toMatch(/opt\.muzzy_decay_ms: 0/);
  }, 60_000);

  it('leaves a DUCKDB_JE_MALLOC_CONF the user set alone', () => {
    const { conf, stats } = child('stats_print:true');
    expect(conf).toBe('stats_print:true');
    // DuckDB's own decay, 1 s in the libduckdb.so of @duckdb/node-bindings 1.x.
    expect(stats).not.toMatch(/opt\.dirty_decay_ms: 300000/);
  }, 60_000);
});
