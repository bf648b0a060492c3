/**
 * SP 800-90B benchmark: the whole non-IID suite and the IID track on 1,000,000 8-bit samples
 * (a_uniform8 of shared/reference/sp800-90b/gen_inputs.py, regenerated), next to NIST's
 * SP800-90B_EntropyAssessment 1.1.7 figures measured on this kind of 2-vCPU VM (README of the
 * reference folder): ea_non_iid 40.3 s wall / 33.2 s user CPU, ea_iid 162 s user CPU (143 s wall quiet).
 * The reference tool cannot be built here (no network for its sources), so its published figures are
 * the baseline; each phase runs in its own child process so its peak RSS is its own.
 *
 *   npm run bench -- sp800-90b            (OE_BENCH_SKIP_IID=1 skips the IID track)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const NIST = {
  nonIidWall: 40.3,
  nonIidCpu: 33.2,
  iidCpu: 162,
  iidWallQuiet: 143,
};
const self = fileURLToPath(import.meta.url);

async function phase(name: string): Promise<void> {
  const { uniform8 } = await import('../test/sp800-90b-reference.js');
  const data = uniform8();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let h: number;
  let extra = '';
  if (name === 'non-iid') {
    const { assessNonIid } = await import('../src/analyze/sp800-90b/non-iid.js');
    const r = await assessNonIid(data, 8);
    h = r.hAssessed;
  } else {
    const { assessIid } = await import('../src/analyze/sp800-90b/iid.js');
    const r = await assessIid(data, 8, { seed: 1 });
    h = r.hAssessed;
    extra = ` rounds=${r.roundsRun} iid=${r.iid}`;
  }
  const wall = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(cpu0);
  const cpu = (c.user + c.system) / 1e6;
  const rssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(
    `RESULT ${name} wall=${wall.toFixed(2)} cpu=${cpu.toFixed(2)} rss=${rssMiB.toFixed(0)} h=${h}${extra}\n`,
  );
}

function run(name: string): Record<string, string> | null {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--phase', name], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT'));
  if (r.status !== 0 || !line) {
    process.stderr.write(`phase ${name} failed: ${r.stderr.trim().split('\n').at(-1)}\n`);
    return null;
  }
  return Object.fromEntries(
    line
      .split(' ')
      .slice(2)
      .map((kv) => kv.split('=') as [string, string]),
  );
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--phase');
  if (i >= 0) return phase(process.argv[i + 1]);
  process.stdout.write(
    'SP 800-90B on 1,000,000 8-bit samples (a_uniform8), NIST 1.1.7 reference figures as baseline\n',
  );
  let failed = false;
  const n = run('non-iid');
  if (n) {
    const wall = Number(n.wall);
    const cpu = Number(n.cpu);
    process.stdout.write(
      `non-IID suite: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU, peak RSS ${n.rss} MiB, H = ${Number(n.h).toFixed(6)} (NIST 7.247806)\n` +
        `  ratio to ea_non_iid: wall ${(wall / NIST.nonIidWall).toFixed(2)} (target ≤ 0.5), CPU ${(cpu / NIST.nonIidCpu).toFixed(2)}\n`,
    );
    if (Number(n.rss) > 1024) process.stdout.write('  peak RSS above 1 GiB\n');
  } else failed = true;
  if (process.env.OE_BENCH_SKIP_IID !== '1') {
    const d = run('iid');
    if (d) {
      const wall = Number(d.wall);
      const cpu = Number(d.cpu);
      // NIST's run stopped after as many rounds as its slowest-decided statistic needed (C0+C1+C2 of
      // its table); ours depends on our seed, so also compare the cost per round.
      const { readFileSync } = await import('node:fs');
      const out = readFileSync(
        fileURLToPath(new URL('../test/fixtures/sp800-90b/a_uniform8_iid.out', import.meta.url)),
        'utf8',
      );
      const nistRounds = Math.max(
        ...[...out.matchAll(/^\s+\S+\*?\s+(\d+)\s+(\d+)\s+(\d+)$/gm)].map(
          (m) => Number(m[1]) + Number(m[2]) + Number(m[3]),
        ),
      );
      const ours = cpu / Number(d.rounds);
      const theirs = NIST.iidCpu / nistRounds;
      process.stdout.write(
        `  per permutation round: ${(ours * 1000).toFixed(1)} ms CPU vs NIST ${(theirs * 1000).toFixed(1)} ms (${nistRounds} rounds in its run): ratio ${(ours / theirs).toFixed(2)}\n`,
      );
      process.stdout.write(
        `IID track: ${wall.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU, peak RSS ${d.rss} MiB,${' '}${d.rounds} permutation rounds, IID ${d.iid}\n` +
          `  ratio to ea_iid: wall/NIST CPU ${(wall / NIST.iidCpu).toFixed(2)} (target ≤ 0.5), CPU ${(cpu / NIST.iidCpu).toFixed(2)}, wall/NIST quiet wall ${(wall / NIST.iidWallQuiet).toFixed(2)}\n`,
      );
      if (Number(d.rss) > 1024) process.stdout.write('  peak RSS above 1 GiB\n');
    } else failed = true;
  }
  process.stdout.write(
    `load average while measuring: ${(await import('node:os'))
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}\n`,
  );
  if (failed) process.exit(1);
}

await main();
