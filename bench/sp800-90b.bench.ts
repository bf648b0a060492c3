/**
 * SP 800-90B benchmark: oe's non-IID suite and IID track beside NIST's own tools (ea_non_iid and
 * ea_iid of SP800-90B_EntropyAssessment) on the same file, in the same run: 1,000,000 8-bit samples
 * (a_uniform8 of shared/reference/sp800-90b/gen_inputs.py, regenerated and written to a temporary file).
 *
 *   OE_NIST_BIN=/path/to/tools npm run bench -- sp800-90b
 *
 * OE_NIST_BIN is the folder holding ea_non_iid and ea_iid; without it only oe's side runs and the
 * ratios are not printed. OE_BENCH_REPEAT (default 2) runs each IID pair that many times, alternating
 * which tool goes first, because NIST's permutation rounds are seeded from /dev/urandom and the number
 * of rounds (and so the time) varies from run to run; oe uses seeds 1, 2, … OE_BENCH_SKIP_IID=1 or
 * OE_BENCH_SKIP_NON_IID=1 skip a track. Every command runs in its own process, timed by bash's `time`
 * (wall, user + system CPU of all its threads).
 *
 * First, the per-round arm (OE_BENCH_ROUNDS rounds, default 12; 0 skips it): CPU of one permutation
 * round on one thread — the shuffle (WebAssembly and C++), the collision times, the fused pass and the
 * compression statistic (TypeScript and C++), the old and the addon's forms (which the rounds use)
 * alternating on the same shuffles, with the results checked equal.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const self = fileURLToPath(import.meta.url);

interface Timed {
  wall: number;
  cpu: number;
  out: string;
}

/** Runs a command under bash's `time`; its stdout is returned, the times parsed from stderr. */
function timed(cmd: string[], cwd?: string): Timed | null {
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="OE_TIME %R %U %S"; time "$@"', '_', ...cmd], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const m = /OE_TIME (\S+) (\S+) (\S+)/.exec(r.stderr ?? '');
  if (r.status !== 0 || !m) {
    process.stderr.write(`${cmd.join(' ')} failed: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}\n`);
    return null;
  }
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), out: r.stdout };
}

/** Child phase: one oe track on the file, printing a RESULT line. */
async function phase(track: string, file: string, seed: number): Promise<void> {
  const data = new Uint8Array(readFileSync(file));
  if (track === 'non-iid') {
    const { assessNonIid } = await import('../src/analyze/sp800-90b/non-iid.js');
    const r = await assessNonIid(data, 8);
    process.stdout.write(`RESULT h=${r.hAssessed}\n`);
  } else {
    const { assessIid } = await import('../src/analyze/sp800-90b/iid.js');
    const r = await assessIid(data, 8, { seed });
    const comp = r.permutationTests.find((t) => t.name === 'compression');
    const bz = comp ? comp.C0 + comp.C1 + comp.C2 : 0;
    process.stdout.write(`RESULT h=${r.hAssessed} rounds=${r.roundsRun} bzip2=${bz} iid=${r.iid}\n`);
  }
  const rss = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`RSS ${rss.toFixed(0)}\n`);
}

interface OeRun extends Timed {
  /** The RESULT line's fields (h, rounds, bzip2, iid) and the peak RSS in MiB. */
  info: Record<string, string>;
}

function oe(track: string, file: string, seed: number): OeRun | null {
  const t = timed([process.execPath, '--import', 'tsx', self, '--phase', track, file, String(seed)]);
  if (!t) return null;
  const line = t.out.split('\n').find((l) => l.startsWith('RESULT')) ?? '';
  const kv = Object.fromEntries(
    line
      .split(' ')
      .slice(1)
      .map((x) => x.split('=') as [string, string]),
  );
  return { ...t, info: { ...kv, rss: /RSS (\d+)/.exec(t.out)?.[1] ?? '?' } };
}

/**
 * The per-round arm: CPU ms per round of each part on one thread, the TypeScript and C++ forms of the
 * collision times, the fused pass and the compression statistic alternating on the same shuffles
 * (results checked equal).
 */
async function roundArm(data: Uint8Array, rounds: number): Promise<void> {
  const { bzip2TextSize } = await import('../src/analyze/sp800-90b/bzip2-size.js');
  const { nativeKernels } = await import('../src/analyze/sp800-90b/native-kernels.js');
  const { PermutationKernel } = await import('../src/analyze/sp800-90b/permutation-kernel.js');
  const { NUM_TESTS, collisionTimes, fusedStatistics } = await import(
    '../src/analyze/sp800-90b/permutation-statistics.js'
  );
  const { RoundRng } = await import('../src/analyze/sp800-90b/shuffle.js');
  const { symbolSummary } = await import('../src/analyze/sp800-90b/iid.js');
  const { prepareSymbols } = await import('../src/analyze/sp800-90b/symbols.js');
  const native = nativeKernels();
  if (!native) {
    process.stdout.write('per-round arm: the addon lacks the IID kernels (rebuild it: npm run build:native)\n');
    return;
  }
  const p = prepareSymbols(data, 8);
  const { mean, median } = symbolSummary(p);
  const k = new PermutationKernel(data.length, p.symbols !== p.raw);
  // the WebAssembly shuffle, for the "before" side (same permutation)
  const kw = new PermutationKernel(data.length, p.symbols !== p.raw, false);
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const t = { shuffleWasm: 0, shuffleCpp: 0, collTs: 0, collCpp: 0, fusedTs: 0, fusedCpp: 0, ts: 0, cpp: 0 };
  const coll = [new Float64Array(3), new Float64Array(3)];
  const outs = [new Float64Array(NUM_TESTS), new Float64Array(NUM_TESTS)];
  // one warm-up round (JIT, buffers), then the measured ones
  for (let r = -1; r < rounds; r++) {
    const shuffles = [0, 0];
    let c = 0;
    for (const which of r % 2 === 0 ? [0, 1] : [1, 0]) {
      const kk = which === 0 ? kw : k;
      c = cpu();
      kk.load(p.symbols, p.raw);
      kk.shuffle(new RoundRng(1, r + 1));
      shuffles[which] = cpu() - c;
    }
    if (Buffer.compare(k.data, kw.data) !== 0) throw new Error(`the shuffles differ in round ${r + 1}`);
    const sizes = [0, 0];
    const times = [0, 0, 0, 0, 0, 0];
    for (const which of r % 2 === 0 ? [0, 1] : [1, 0]) {
      c = cpu();
      if (which === 0) {
        const x = collisionTimes(k.data, p.alphabetSize);
        coll[0].set([x.sum, x.count, x.max]);
      } else native.collisionTimes(k.data, coll[1]);
      times[4 + which] = cpu() - c;
      c = cpu();
      if (which === 0) fusedStatistics(k.data, k.values, mean, median, outs[0]);
      else native.fusedStatistics(k.data, k.values, mean, median, outs[1]);
      times[which] = cpu() - c;
      c = cpu();
      sizes[which] = which === 0 ? bzip2TextSize(k.values) : native.bzip2TextSize(k.values);
      times[2 + which] = cpu() - c;
    }
    const differ = (a: Float64Array, b: Float64Array) => a.some((x, j) => x !== b[j]);
    if (sizes[0] !== sizes[1] || differ(outs[0], outs[1]) || differ(coll[0], coll[1]))
      throw new Error(`TypeScript and C++ results differ in round ${r + 1}`);
    if (r < 0) continue;
    t.shuffleWasm += shuffles[0];
    t.shuffleCpp += shuffles[1];
    t.collTs += times[4];
    t.collCpp += times[5];
    t.fusedTs += times[0];
    t.fusedCpp += times[1];
    t.ts += times[2];
    t.cpp += times[3];
  }
  const per = (x: number) => fmt(x / rounds, 1);
  const before = t.shuffleWasm + t.collTs + t.fusedTs + t.ts;
  const now = t.shuffleCpp + t.collCpp + t.fusedCpp + t.cpp;
  const plainBefore = t.shuffleWasm + t.collTs + t.fusedTs;
  const plainNow = t.shuffleCpp + t.collCpp + t.fusedCpp;
  process.stdout.write(
    `per-round CPU (${rounds} rounds, one thread, ms; TypeScript or WebAssembly → C++): shuffle ` +
      `${per(t.shuffleWasm)} → ${per(t.shuffleCpp)}, ` +
      `collision times ${per(t.collTs)} → ${per(t.collCpp)}, fused pass of 16 statistics ${per(t.fusedTs)} → ${per(t.fusedCpp)}, ` +
      `compression ${per(t.ts)} → ${per(t.cpp)} (${fmt(t.cpp / t.ts, 2)}); a round with every statistic ` +
      `${per(before)} → ${per(now)} (${fmt(now / before, 2)}), without compression ${per(plainBefore)} → ` +
      `${per(plainNow)} (${fmt(plainNow / plainBefore, 2)}); 1-min load average ${fmt(loadavg()[0])}\n`,
  );
}

/** Rounds NIST's run took: the largest C0+C1+C2 of its table, and the compression statistic's. */
function nistRounds(out: string): { rounds: number; bzip2: number } {
  let rounds = 0;
  let bzip2 = 0;
  for (const m of out.matchAll(/^\s+(\S+?)\*?\s+(\d+)\s+(\d+)\s+(\d+)$/gm)) {
    const sum = Number(m[2]) + Number(m[3]) + Number(m[4]);
    rounds = Math.max(rounds, sum);
    if (m[1] === 'compression') bzip2 = sum;
  }
  return { rounds, bzip2 };
}

const fmt = (x: number, d = 1) => x.toFixed(d);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function main(): Promise<void> {
  const i = process.argv.indexOf('--phase');
  if (i >= 0) return phase(process.argv[i + 1], process.argv[i + 2], Number(process.argv[i + 3]));
  const nistDir = process.env.OE_NIST_BIN;
  const tool = (name: string) => (nistDir && existsSync(join(nistDir, name)) ? join(nistDir, name) : null);
  const eaNonIid = tool('ea_non_iid');
  const eaIid = tool('ea_iid');
  if (!eaNonIid || !eaIid)
    process.stdout.write(
      `NIST's tools not found (${nistDir ? `no ea_non_iid / ea_iid in ${nistDir}` : 'OE_NIST_BIN is not set'}): ` +
        'the ratios need them. Build usnistgov/SP800-90B_EntropyAssessment cpp/ and NIST STS 2.1.2 with -O2, ' +
        'then set OE_NIST_BIN to the folder holding ea_non_iid and ea_iid. Only oe is measured below.\n',
    );
  const dir = mkdtempSync(join(tmpdir(), 'oe-bench-90b-'));
  let failed = false;
  try {
    const { uniform8 } = await import('../test/sp800-90b-reference.js');
    const file = join(dir, 'a_uniform8.bin');
    writeFileSync(file, uniform8());
    process.stdout.write(`SP 800-90B on ${file} (1,000,000 8-bit samples), oe and NIST in the same run\n`);
    const armRounds = Number(process.env.OE_BENCH_ROUNDS ?? 12);
    if (armRounds > 0) await roundArm(new Uint8Array(readFileSync(file)), armRounds);
    if (process.env.OE_BENCH_SKIP_NON_IID !== '1') {
      const o = oe('non-iid', file, 1);
      const n = eaNonIid ? timed([eaNonIid, '-i', '-a', '-v', 'a_uniform8.bin', '8'], dir) : null;
      if (!o) failed = true;
      else {
        process.stdout.write(
          `non-IID  oe: ${fmt(o.wall)} s wall, ${fmt(o.cpu)} s CPU, peak RSS ${o.info.rss} MiB, H = ${Number(o.info.h).toFixed(6)}\n`,
        );
        if (n) {
          const h = /min\(H_original, 8 X H_bitstring\): (\S+)/.exec(n.out)?.[1];
          process.stdout.write(
            `non-IID  NIST ea_non_iid: ${fmt(n.wall)} s wall, ${fmt(n.cpu)} s CPU, H = ${h}\n` +
              `  ratio oe/NIST: wall ${fmt(o.wall / n.wall, 2)} (target ≤ 0.5), CPU ${fmt(o.cpu / n.cpu, 2)}\n`,
          );
        }
      }
    }
    if (process.env.OE_BENCH_SKIP_IID !== '1') {
      const repeat = Math.max(1, Number(process.env.OE_BENCH_REPEAT ?? 2));
      const ratios: number[] = [];
      const cpuRatios: number[] = [];
      // one summary row per pair, printed again at the end
      const rows: string[] = [];
      for (let r = 0; r < repeat; r++) {
        const runNist = () => (eaIid ? timed([eaIid, '-i', '-a', '-v', 'a_uniform8.bin', '8'], dir) : null);
        const loadBefore = loadavg()[0];
        let n: Timed | null = null;
        if (r % 2 === 0) n = runNist();
        const o = oe('iid', file, r + 1);
        if (r % 2 === 1) n = runNist();
        if (!o) {
          failed = true;
          continue;
        }
        process.stdout.write(
          `IID #${r + 1}  oe (seed ${r + 1}): ${fmt(o.wall)} s wall, ${fmt(o.cpu)} s CPU, ${o.info.rounds} rounds ` +
            `(${o.info.bzip2} with the compression statistic), peak RSS ${o.info.rss} MiB, IID ${o.info.iid}, ` +
            `H = ${Number(o.info.h).toFixed(6)}\n`,
        );
        if (n) {
          const nr = nistRounds(n.out);
          const h = /min\(H_original, 8 X H_bitstring\): (\S+)/.exec(n.out)?.[1];
          const ratio = o.wall / n.wall;
          ratios.push(ratio);
          cpuRatios.push(o.cpu / n.cpu);
          process.stdout.write(
            `IID #${r + 1}  NIST ea_iid: ${fmt(n.wall)} s wall, ${fmt(n.cpu)} s CPU, ${nr.rounds} rounds ` +
              `(${nr.bzip2} with the compression statistic), H = ${h}\n` +
              `  ratio oe/NIST: wall ${fmt(ratio, 2)} (target ≤ 0.5), CPU ${fmt(o.cpu / n.cpu, 2)}; ` +
              `${r % 2 === 0 ? 'NIST' : 'oe'} ran first; 1-min load average ${fmt(loadBefore)} before, ${fmt(loadavg()[0])} after\n`,
          );
          rows.push(
            [
              `#${r + 1}`.padEnd(5),
              (r % 2 === 0 ? 'NIST' : 'oe').padEnd(6),
              `${fmt(o.wall)} s`.padStart(9),
              `${fmt(n.wall)} s`.padStart(10),
              fmt(ratio, 2).padStart(6),
              `${o.info.rounds} (${o.info.bzip2})`.padStart(13),
              `${nr.rounds} (${nr.bzip2})`.padStart(13),
              `${fmt(loadBefore)}`.padStart(5),
            ].join('  '),
          );
        }
      }
      if (rows.length > 0)
        process.stdout.write(
          `IID pairs (seed = pair number; rounds: all, and with the compression statistic):\n` +
            `pair   first    oe wall   NIST wall   ratio      oe rounds    NIST rounds   load\n${rows.join('\n')}\n`,
        );
      if (ratios.length > 1)
        process.stdout.write(
          `IID wall ratio oe/NIST over ${ratios.length} pairs: median ${fmt(median(ratios), 2)}, ` +
            `range ${fmt(Math.min(...ratios), 2)}–${fmt(Math.max(...ratios), 2)}; CPU ratio median ` +
            `${fmt(median(cpuRatios), 2)}, range ${fmt(Math.min(...cpuRatios), 2)}–${fmt(Math.max(...cpuRatios), 2)}\n`,
        );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `load average at the end: ${loadavg()
      .map((x) => fmt(x))
      .join(' ')}\n`,
  );
  if (failed) process.exit(1);
}

await main();
