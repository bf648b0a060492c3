/**
 * `oe validate` at full size: one package of a fast source with 1,000,000 raw samples and 1000 restarts
 * × 1000 samples (the documented run), timed, and NIST's own tools run on the package's files in the same
 * run (ea_non_iid on raw.bin, ea_restart on restart.bin with the package's H_I), their results set beside
 * the package's.
 *
 *   npm run build:ts && OE_NIST_BIN=/path/to/tools npm run bench -- validate
 *
 * The package is built by the compiled CLI (bin/oe.js → dist/), as users run it: each restart is then a
 * plain Node process (from the source tree every restart would also load tsx). OE_BENCH_SOURCE picks
 * the source (default clock_jitter), OE_BENCH_RESTARTS the restart count (default 1000). Without
 * OE_NIST_BIN (the folder with ea_non_iid and ea_restart) only oe's side runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = process.env.OE_BENCH_SOURCE ?? 'clock_jitter';
const restarts = Number(process.env.OE_BENCH_RESTARTS ?? 1000);

function timed(cmd: string[], cwd: string): { wall: number; cpu: number; out: string; status: number | null } {
  const r = spawnSync('bash', ['-c', 'TIMEFORMAT="OE_TIME %R %U %S"; time "$@"', '_', ...cmd], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  const m = /OE_TIME (\S+) (\S+) (\S+)/.exec(r.stderr ?? '') ?? ['', 'NaN', 'NaN', 'NaN'];
  if (r.status !== 0)
    process.stderr.write(`${cmd[0]} exited ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')}\n`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]), out: r.stdout, status: r.status };
}

async function main(): Promise<void> {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
    process.stdout.write('dist/ is missing: run "npm run build:ts" first (the package is built by the compiled CLI)\n');
    process.exit(1);
  }
  const nist = process.env.OE_NIST_BIN;
  const tool = (n: string) => (nist && existsSync(join(nist, n)) ? join(nist, n) : null);
  const work = mkdtempSync(join(tmpdir(), 'oe-bench-validate-'));
  const dir = join(work, 'pkg');
  try {
    process.stdout.write(`oe validate --source ${source} --restarts ${restarts} (1,000,000 raw samples)\n`);
    const v = timed(
      [
        process.execPath,
        join(root, 'bin', 'oe.js'),
        'validate',
        '--source',
        source,
        '--restarts',
        String(restarts),
        '--output',
        dir,
      ],
      work,
    );
    if (v.status !== 0) process.exit(1);
    const reg = JSON.parse(readFileSync(join(dir, 'registration.json'), 'utf8'));
    const a = JSON.parse(readFileSync(join(dir, 'assessment.json'), 'utf8'));
    process.stdout.write(
      `package: ${v.wall.toFixed(1)} s wall, ${v.cpu.toFixed(1)} s CPU (all processes); ` +
        `${reg.restart.restarts} restarts in ${reg.restart.seconds.toFixed(1)} s wall ` +
        `(${((1000 * reg.restart.seconds) / reg.restart.restarts).toFixed(0)} ms per restart, ${reg.restart.concurrency} at a time)\n` +
        `H_I = ${a.hAssessed.toFixed(6)} (${a.track}), H_r = ${a.restart.hR.toFixed(6)}, H_c = ${a.restart.hC.toFixed(6)}, ` +
        `sanity ${a.restart.sanityPassed ? 'pass' : 'FAIL'} (X = ${a.restart.xMax}, cutoff ${a.restart.xCutoff}), ` +
        `final ${a.hRestartValidated === null ? 'none' : a.hRestartValidated.toFixed(6)}\n`,
    );
    const eaNonIid = tool('ea_non_iid');
    const eaRestart = tool('ea_restart');
    if (!eaNonIid || !eaRestart) {
      process.stdout.write(
        "NIST's tools not found (set OE_NIST_BIN to the folder with ea_non_iid and ea_restart; build " +
          'usnistgov/SP800-90B_EntropyAssessment cpp/ and NIST STS 2.1.2 with -O2): the comparison needs them.\n',
      );
      return;
    }
    const bits = String(reg.samples.bitsPerSample);
    const n = timed([eaNonIid, '-i', '-a', '-v', 'raw.bin', bits], dir);
    const nh = Number(/min\(H_original, \d X H_bitstring\): (\S+)/.exec(n.out)?.[1]);
    process.stdout.write(
      `NIST ea_non_iid on raw.bin: H = ${nh.toFixed(6)} (oe ${a.nonIid.hAssessed.toFixed(6)}, |Δ| ${Math.abs(nh - a.nonIid.hAssessed).toExponential(1)}), ` +
        `${n.wall.toFixed(1)} s wall\n`,
    );
    if (restarts === 1000) {
      const r = timed(
        [eaRestart, a.track === 'iid' ? '-i' : '-n', '-v', 'restart.bin', bits, String(a.hAssessed)],
        dir,
      );
      const hr = /H_r: (\S+)/.exec(r.out)?.[1];
      const hc = /H_c: (\S+)/.exec(r.out)?.[1];
      const sanity = /Sanity Check Failed/i.test(r.out) ? 'FAIL' : 'pass';
      const validation = /Validation Test Passed/.test(r.out)
        ? 'pass'
        : /Validation Testing Failed/.test(r.out)
          ? 'FAIL'
          : '?';
      process.stdout.write(
        `NIST ea_restart on restart.bin: sanity ${sanity}, H_r = ${hr}, H_c = ${hc}, validation ${validation} ` +
          `(oe: ${a.restart.sanityPassed ? 'pass' : 'FAIL'}, ${a.restart.hR.toFixed(6)}, ${a.restart.hC.toFixed(6)}, ` +
          `${a.restart.validationPassed ? 'pass' : 'FAIL'}), ${r.wall.toFixed(1)} s wall\n`,
      );
    } else process.stdout.write('ea_restart needs 1000 restarts: skipped\n');
  } finally {
    rmSync(work, { recursive: true, force: true });
    process.stdout.write(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}\n`,
    );
  }
}

await main();
