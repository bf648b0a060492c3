/**
 * The recorder before and after the issue-13 split (recordSession as one 640-line body, commit 1c35e4f,
 * against the named steps of src/collect/recorder/ in this tree), in one process with one sampler pool:
 * uncapped samples/s of the available fast sources, each recorder with and without writing, the four
 * arms rotated round by round so the machine's load hits them alike. Printed per round and as medians of
 * per-round ratios: after/before with writing, after/before without, and each one's write/no-write ratio.
 * The after side runs with `mergeIntervalMs: 0` (the flush-part layout the before side writes) so the
 * comparison is the code structure, plus a fifth arm with the default merging (once a minute, so within a
 * short run the final merge only).
 *
 * The before side is a checkout of 1c35e4f with its node_modules (the native addon is the same):
 *
 *   git worktree add --detach /tmp/oe-before 1c35e4f && cp -al node_modules /tmp/oe-before/ && cp -a build /tmp/oe-before/
 *   OE_BENCH_BEFORE=/tmp/oe-before npm run bench -- recorder-split   (OE_BENCH_RUNS, OE_BENCH_RUN_SEC: 6, 4)
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeSource } from '../src/collect/availability.js';
import { selectSources } from '../src/collect/catalog.js';
import { recordSession } from '../src/collect/recorder/index.js';
import { SamplerPool } from '../src/collect/sampler-pool.js';
import { closeDb } from '../src/db/index.js';

const before = process.env.OE_BENCH_BEFORE;
const beforeEntry = before ? join(before, 'src', 'collect', 'recorder', 'index.ts') : '';
if (!before || !existsSync(beforeEntry)) {
  process.stdout.write(
    'the before/after ratio needs a checkout of the recorder before the split (commit 1c35e4f): ' +
      'git worktree add --detach /tmp/oe-before 1c35e4f && cp -al node_modules /tmp/oe-before/ && cp -a build /tmp/oe-before/, ' +
      'then set OE_BENCH_BEFORE=/tmp/oe-before\n',
  );
  process.exit(0);
}
const beforeMod = (await import(beforeEntry)) as { recordSession: (o: object) => Promise<{ manifest: Manifest }> };
interface Manifest {
  total_samples: number;
  duration_ms: number | null;
}

const RUNS = Number(process.env.OE_BENCH_RUNS ?? 6);
const SEC = Number(process.env.OE_BENCH_RUN_SEC ?? 4);
const sources = selectSources(undefined).filter((s) => probeSource(s) === null);
const pool = new SamplerPool();
await pool.warmUp();
const out = mkdtempSync(join(tmpdir(), 'oe-bench-split-'));
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

type Arm = 'before-write' | 'after-write' | 'before-nowrite' | 'after-nowrite' | 'after-merging';
const arms: Arm[] = ['before-write', 'after-write', 'before-nowrite', 'after-nowrite', 'after-merging'];
const rates = Object.fromEntries(arms.map((a) => [a, [] as number[]])) as Record<Arm, number[]>;
// Samples per CPU-second of the process (all threads): steadier than samples/s when other tenants swing
// the CPU this process gets.
const perCpu = Object.fromEntries(arms.map((a) => [a, [] as number[]])) as Record<Arm, number[]>;
// One discarded round first: the pool's first batches of every source are slow (start-up, batch sizing).
for (let k = -1; k < RUNS; k++) {
  for (let j = 0; j < arms.length; j++) {
    const arm = arms[(j + k + arms.length) % arms.length];
    const common = {
      sources,
      durationSec: SEC,
      maxRate: Number.POSITIVE_INFINITY,
      output: out,
      sampler: pool,
      skipProbe: true,
      writeParts: !arm.endsWith('nowrite'),
    };
    const c0 = process.cpuUsage();
    const { manifest } = arm.startsWith('before')
      ? await beforeMod.recordSession(common)
      : await recordSession({ ...common, mergeIntervalMs: arm === 'after-merging' ? undefined : 0 });
    const c = process.cpuUsage(c0);
    if (k < 0) continue;
    rates[arm].push(manifest.total_samples / ((manifest.duration_ms ?? 1) / 1000));
    perCpu[arm].push(manifest.total_samples / ((c.user + c.system) / 1e6));
  }
  if (k < 0) continue;
  process.stdout.write(`round ${k + 1}: ${arms.map((a) => `${a} ${(rates[a][k] / 1e3).toFixed(0)}k/s`).join('  ')}\n`);
}
await pool.close();
await closeDb();
rmSync(out, { recursive: true, force: true });
const ratio = (a: Arm, b: Arm) => {
  const per = rates[a].map((x, i) => x / rates[b][i]);
  const cpu = perCpu[a].map((x, i) => x / perCpu[b][i]);
  return (
    `${median(per).toFixed(3)} [${per.map((x) => x.toFixed(2)).join(', ')}]; per CPU-second ` +
    `${median(cpu).toFixed(3)} [${cpu.map((x) => x.toFixed(2)).join(', ')}]`
  );
};
process.stdout.write(
  `recorder before/after the split, uncapped, ${sources.length} sources, ${RUNS} rounds × ${SEC} s (medians of per-round ratios of samples/s; of samples per CPU-second):\n` +
    `  after/before, writing:         ${ratio('after-write', 'before-write')}\n` +
    `  after/before, without writing: ${ratio('after-nowrite', 'before-nowrite')}\n` +
    `  write/no-write before:         ${ratio('before-write', 'before-nowrite')}\n` +
    `  write/no-write after:          ${ratio('after-write', 'after-nowrite')}\n` +
    `  write/no-write after, default merging: ${ratio('after-merging', 'after-nowrite')}\n`,
);
process.exit(0);
