/**
 * Sampler pool overhead: per source, samples/s through the pool (one batch at a time, at the source's
 * catalog batch size, awaited by the caller: dispatch + worker + transfer) next to a direct addon call in
 * this thread (`sampleDirect`, the baseline), interleaved round by round in the same run so that the
 * machine's background load hits both alike. Prints the overhead ratio (pool time / direct time per
 * sample; target <= 1.10) and the machine ceiling: back-to-back fenced cycle-counter reads per second
 * (clock_jitter does two reads per sample). Both the pool and `sampleDirect` run each batch on the addon's
 * crash-guarded runner thread (native/src/oe_guard.cc); the `inline` column is the same call without the guard
 * (`sampleUnguarded`), so `guard` = inline samples/s / guarded direct samples/s is the guard's cost and
 * `pipe/in` the pool's overhead against the bare addon call.
 *
 *   npm run bench -- sampler-pool [source ...]
 */
import { probeSource } from '../src/collect/availability.js';
import { CATALOG, getSource } from '../src/collect/catalog.js';
import { loadNative } from '../src/collect/native.js';
import { SamplerPool, sampleDirect } from '../src/collect/sampler-pool.js';
import type { SourceSpec } from '../src/collect/types.js';

const names = process.argv.slice(2);
const specs: SourceSpec[] = names.length > 0 ? names.map(getSource) : CATALOG.filter((s) => !s.optIn);
const ROUND_BUDGET_MS = Number(process.env.OE_BENCH_MS ?? 300);
const MAX_ROUNDS = 30;

function si(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// Ceiling: fenced back-to-back cycle-counter reads per second, in this thread.
const native = loadNative();
const ceilOut = new BigInt64Array(1 << 21);
native.sample('clock_jitter', ceilOut);
let best = 0;
for (let k = 0; k < 5; k++) {
  const t0 = process.hrtime.bigint();
  native.sample('clock_jitter', ceilOut);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  best = Math.max(best, (2 * ceilOut.length) / s);
}

// One worker thread, so "through the pool" is the same work on one other thread, not two in parallel.
const pool = new SamplerPool({ threads: 1, tasksPerWorker: 2 });
await pool.warmUp();
let rtt = Number.POSITIVE_INFINITY;
for (let k = 0; k < 50; k++) {
  const t = process.hrtime.bigint();
  await pool.diagnose('lastBufferBytes');
  rtt = Math.min(rtt, Number(process.hrtime.bigint() - t) / 1e6);
}
process.stdout.write(
  `machine ceiling: ${si(best)} fenced ${native.tickUnit === 'tsc' ? 'rdtsc' : 'clock_gettime'} reads/s (best of 5, 2 per clock_jitter sample)\n` +
    `pool round trip (empty task, best of 50): ${rtt.toFixed(3)} ms\n\n` +
    'inline = unguarded addon call in this thread; direct = sampleDirect (guarded) in this thread; seq = one awaited pool batch at a time; pipe = two batches in flight\n' +
    '(the recorder pattern). ratio = direct samples/s / pool samples/s over the same interleaved rounds;\n' +
    'med = median of the per-round ratios (robust to the other tenants of this shared machine).\n\n',
);
const header = `${'source'.padEnd(22)} ${'batch'.padStart(6)} ${'ms'.padStart(6)} ${'inline/s'.padStart(9)} ${'direct/s'.padStart(9)} ${'seq/s'.padStart(9)} ${'pipe/s'.padStart(9)} ${'guard'.padStart(6)} ${'seq'.padStart(6)} ${'med'.padStart(6)} ${'pipe'.padStart(6)} ${'pipe/in'.padStart(7)}`;
process.stdout.write(`${header}\n${'-'.repeat(header.length)}\n`);
type Row = { name: string; guard: number; seq: number; med: number; pipe: number; pipeInline: number };
const rows: Row[] = [];
for (const spec of specs) {
  const reason = probeSource(spec);
  if (reason !== null) {
    process.stdout.write(`${spec.name.padEnd(22)} unavailable: ${reason}\n`);
    continue;
  }
  const n = spec.batchSize;
  try {
    // Warm both paths (lazy buffers, files, first-call costs).
    sampleDirect(spec, Math.min(n, 16));
    const inlineOut = new BigInt64Array(n);
    const sampleInline = () => native.sampleUnguarded(spec.sampler, inlineOut, spec.params ?? {}, null, 0).filled;
    sampleInline();
    await pool.sample(spec, Math.min(n, 16), { timeoutMs: 10_000 });
    let inline = 0;
    let si0 = 0;
    let direct = 0;
    let seq = 0;
    let pipe = 0;
    let sd = 0;
    let ss = 0;
    let sp = 0;
    const perRound: number[] = [];
    let rounds = 0;
    while (rounds < MAX_ROUNDS && (inline + direct + seq + pipe) * 1000 < ROUND_BUDGET_MS * 4) {
      // inline and direct: two batches each; seq: two awaited batches; pipe: two batches in flight at once.
      const ti = process.hrtime.bigint();
      const ni = sampleInline() + sampleInline();
      inline += Number(process.hrtime.bigint() - ti) / 1e9;
      si0 += ni;
      const t0 = process.hrtime.bigint();
      const d1 = sampleDirect(spec, n);
      const d2 = sampleDirect(spec, n);
      const t1 = process.hrtime.bigint();
      const p1 = await pool.sample(spec, n, { timeoutMs: 10_000 });
      const p2 = await pool.sample(spec, n, { timeoutMs: 10_000 });
      const t2 = process.hrtime.bigint();
      const [q1, q2] = await Promise.all([
        pool.sample(spec, n, { timeoutMs: 10_000 }),
        pool.sample(spec, n, { timeoutMs: 10_000 }),
      ]);
      const t3 = process.hrtime.bigint();
      const dt = Number(t1 - t0) / 1e9;
      const st = Number(t2 - t1) / 1e9;
      const pt = Number(t3 - t2) / 1e9;
      const nd = d1.values.length + d2.values.length;
      const ns = p1.values.length + p2.values.length;
      const np = q1.values.length + q2.values.length;
      direct += dt;
      seq += st;
      pipe += pt;
      sd += nd;
      ss += ns;
      sp += np;
      perRound.push(st / ns / (dt / nd));
      rounds++;
    }
    const ri = si0 / inline;
    const rd = sd / direct;
    const rs = ss / seq;
    const rp = sp / pipe;
    const row: Row = {
      name: spec.name,
      guard: ri / rd,
      seq: rd / rs,
      med: median(perRound),
      pipe: rd / rp,
      pipeInline: ri / rp,
    };
    rows.push(row);
    process.stdout.write(
      `${spec.name.padEnd(22)} ${String(n).padStart(6)} ${((direct / rounds / 2) * 1000).toFixed(1).padStart(6)} ${si(ri).padStart(9)} ${si(rd).padStart(9)} ${si(rs).padStart(9)} ${si(rp).padStart(9)} ${row.guard.toFixed(3).padStart(6)} ${row.seq.toFixed(3).padStart(6)} ${row.med.toFixed(3).padStart(6)} ${row.pipe.toFixed(3).padStart(6)} ${row.pipeInline.toFixed(3).padStart(7)}\n`,
    );
  } catch (e) {
    process.stdout.write(`${spec.name.padEnd(22)} failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}
await pool.close();
const summary = (key: 'guard' | 'seq' | 'med' | 'pipe' | 'pipeInline') => {
  const xs = rows.map((r) => r[key]);
  return `median ${median(xs).toFixed(3)}, ${xs.filter((x) => x <= 1.1).length}/${xs.length} within 1.10`;
};
process.stdout.write(
  `\noverhead ratio (direct samples/s / pool samples/s, target <= 1.10 at the catalog batch size):\n` +
    `  sequential:           ${summary('seq')}\n` +
    `  per-round median:     ${summary('med')}\n` +
    `  pipelined (2 queued): ${summary('pipe')}\n` +
    `  pipelined vs inline:  ${summary('pipeInline')}\n` +
    `crash guard cost (inline samples/s / guarded direct samples/s): ${summary('guard')}\n`,
);
