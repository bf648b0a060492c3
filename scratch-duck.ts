import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { queryColumns, rewriteParquet, execute } from './src/db/index.js';
if (process.env.NOCACHE) await execute('SET enable_external_file_cache = false');
const base = '/tmp/exp/sessions';
const dir = readdirSync(base).filter((d) => !d.includes('-'))[0] ?? readdirSync(base)[0];
const sdir = join(base, readdirSync(base).filter((d) => !d.endsWith('concat') && !d.endsWith('rewrite'))[0], 'samples');
for (let rep = 0; rep < 3; rep++) {
  for (const d of readdirSync(sdir)) {
    const files = readdirSync(join(sdir, d)).filter((f) => /^part-\d+\.parquet$/.test(f)).map((f) => join(sdir, d, f));
    if (files.length < 2) continue;
    await rewriteParquet(files, `/tmp/exp/rw-${d}.parquet`);
  }
  const r = await queryColumns(`SELECT tag, memory_usage_bytes::DOUBLE AS b FROM duckdb_memory() WHERE memory_usage_bytes > 0`);
  console.log(rep, (r.columns.tag as string[]).map((t, i) => `${t}=${((r.columns.b as Float64Array)[i] / 2 ** 20).toFixed(1)}MB`).join(' '), 'rss', (process.memoryUsage().rss / 2 ** 20).toFixed(0));
}
