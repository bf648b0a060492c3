/**
 * `oe validate` at full size: one package of a fast source with 1,000,000 raw samples and 1000 restarts
 * × 1000 samples (the documented run), timed, then NIST's own tools run on the package's files in the same
 * run — ea_non_iid and ea_iid on raw.bin, ea_restart on restart.bin with the package's H_I and track — each
 * writing its result JSON (-o), which is set beside the package's nist/*.json value by value.
 *
 *   npm run build:ts && OE_NIST_BIN=/path/to/tools npm run bench -- validate
 *
 * The package is built by the compiled CLI (bin/oe.js → dist/), as users run it: each restart is then a
 * plain Node process (from the source tree every restart would also load tsx). OE_BENCH_SOURCE picks
 * the source (default clock_jitter), OE_BENCH_RESTARTS the restart count (default 1000), OE_BENCH_IID=1
 * adds --iid (and ea_iid; on a source that is not IID, such as clock_jitter's low byte, every failing
 * permutation statistic runs all 10,000 rounds in both tools: hours for ea_iid on 2 cores),
 * OE_BENCH_KEEP=1 keeps the package and NIST's JSON. Without OE_NIST_BIN
 * (the folder with ea_non_iid, ea_iid and ea_restart) only oe's side runs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = process.env.OE_BENCH_SOURCE ?? 'clock_jitter';
const restarts = Number(process.env.OE_BENCH_RESTARTS ?? 1000);
const iid = process.env.OE_BENCH_IID === '1';

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

type Json = Record<string, unknown>;

/**
 * Per statistic of a permutationTestResults list (iterations 0, 1, 2 = C0, C1, C2, one triple per dataset):
 * passed when C0 + C1 > 5 and C1 + C2 > 5 (SP 800-90B §5.1). The counts themselves differ between runs
 * (NIST seeds its shuffles from /dev/urandom), the verdicts should not.
 */
function permutationVerdicts(list: unknown): Map<string, boolean> {
  const out = new Map<string, boolean>();
  const rows = Array.isArray(list) ? (list as Json[]) : [];
  for (let d = 0; d + 2 < rows.length; d += 3)
    for (const key of Object.keys(rows[d])) {
      if (key === 'iteration') continue;
      const [c0, c1, c2] = [0, 1, 2].map((k) => Number(rows[d + k][key]));
      out.set(`${d / 3 === 0 ? '' : `dataset ${d / 3 + 1} `}${key}`, c0 + c1 > 5 && c1 + c2 > 5);
    }
  return out;
}

/**
 * NIST's result JSON beside oe's for the same file: the input's sha256, the error level, then per test case
 * every value of either side (numbers with |Δ|, booleans, the permutation tests' verdicts).
 */
function compareNistJson(nist: Json, oe: Json): string[] {
  const lines: string[] = [];
  let maxDelta = 0;
  let differ = 0;
  lines.push(
    `input sha256 ${nist.sha256 === oe.sha256 ? 'identical' : `DIFFERS (${nist.sha256} vs ${oe.sha256})`}; ` +
      `errorLevel NIST ${nist.errorLevel}${nist.errorMessage ? ` "${nist.errorMessage}"` : ''}, oe ${oe.errorLevel}` +
      `${oe.errorMessage ? ` "${oe.errorMessage}"` : ''}`,
  );
  if (nist.sha256 !== oe.sha256 || nist.errorLevel !== oe.errorLevel) differ++;
  const cases = (d: Json) => new Map(((d.testCases as Json[]) ?? []).map((c) => [String(c.testCaseDesc), c]));
  const mineCases = cases(oe);
  for (const [desc, theirs] of cases(nist)) {
    const mine = mineCases.get(desc);
    mineCases.delete(desc);
    if (!mine) {
      lines.push(`${desc || '(test case)'}: only in NIST's file`);
      differ++;
      continue;
    }
    const parts: string[] = [];
    for (const key of new Set([...Object.keys(theirs), ...Object.keys(mine)])) {
      if (key === 'testCaseDesc') continue;
      const [t, m] = [theirs[key], mine[key]];
      if (key === 'permutationTestResults') {
        const [vt, vm] = [permutationVerdicts(t), permutationVerdicts(m)];
        const same = [...vt].filter(([k, v]) => vm.get(k) === v).length;
        const failed = (v: Map<string, boolean>) => [...v].filter(([, ok]) => !ok).map(([k]) => k);
        parts.push(
          `permutation verdicts ${same}/${vt.size} agree (failed: NIST ${failed(vt).join(' ') || 'none'}; oe ${failed(vm).join(' ') || 'none'})`,
        );
        if (same !== vt.size || vt.size !== vm.size) differ++;
      } else if (typeof t === 'number' && typeof m === 'number') {
        const d = Math.abs(t - m);
        maxDelta = Math.max(maxDelta, d);
        parts.push(
          `${key} ${t.toPrecision(8)}${d === 0 ? ' =' : ` vs ${m.toPrecision(8)} (|Δ| ${d.toExponential(1)})`}`,
        );
      } else if (t === undefined || m === undefined) {
        parts.push(`${key} only in ${t === undefined ? 'oe' : 'NIST'}`);
        differ++;
      } else {
        parts.push(`${key} ${String(t)}${t === m ? ' =' : ` vs oe ${String(m)} DIFFERS`}`);
        if (t !== m) differ++;
      }
    }
    lines.push(`${desc || '(test case)'}: ${parts.join(', ')}`);
  }
  for (const desc of mineCases.keys()) {
    lines.push(`${desc || '(test case)'}: only in oe's file`);
    differ++;
  }
  lines.push(`largest |Δ| of a number: ${maxDelta.toExponential(1)}; other differences: ${differ}`);
  return lines;
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
        ...(iid ? ['--iid'] : []),
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
    const eaIid = tool('ea_iid');
    const eaRestart = tool('ea_restart');
    if (!eaNonIid || !eaRestart || (iid && !eaIid)) {
      process.stdout.write(
        "NIST's tools not found (set OE_NIST_BIN to the folder with ea_non_iid, ea_iid and ea_restart; build " +
          'usnistgov/SP800-90B_EntropyAssessment cpp/ and NIST STS 2.1.2 with -O2): the comparison needs them.\n',
      );
      return;
    }
    const bits = String(reg.samples.bitsPerSample);
    // NIST's tools on the package's own files, each writing its result JSON (-o) beside the package
    const runs: Array<{ tool: string; args: string[]; file: string }> = [
      { tool: eaNonIid, args: ['-i', '-a', '-v', 'raw.bin', bits], file: 'ea_non_iid.json' },
    ];
    if (iid && eaIid) runs.push({ tool: eaIid, args: ['-i', '-a', '-v', 'raw.bin', bits], file: 'ea_iid.json' });
    if (restarts === 1000)
      runs.push({
        tool: eaRestart,
        args: [a.track === 'iid' ? '-i' : '-n', '-v', 'restart.bin', bits, String(a.hAssessed)],
        file: 'ea_restart.json',
      });
    else process.stdout.write('ea_restart needs 1000 restarts: skipped\n');
    for (const run of runs) {
      const out = join(work, `nist-${run.file}`);
      const t = timed([run.tool, '-o', out, ...run.args], dir);
      process.stdout.write(
        `\nNIST ${basename(run.tool)} ${run.args.join(' ')}: ${t.wall.toFixed(1)} s wall, ${t.cpu.toFixed(1)} s CPU\n`,
      );
      if (!existsSync(out)) {
        process.stdout.write(`  no result JSON (exit ${t.status})\n`);
        continue;
      }
      const nist = JSON.parse(readFileSync(out, 'utf8'));
      const mine = JSON.parse(readFileSync(join(dir, 'nist', run.file), 'utf8'));
      for (const line of compareNistJson(nist, mine)) process.stdout.write(`  ${line}\n`);
    }
  } finally {
    if (process.env.OE_BENCH_KEEP === '1')
      process.stdout.write(`kept: ${work} (package in pkg/, NIST's JSON beside it)\n`);
    else rmSync(work, { recursive: true, force: true });
    process.stdout.write(
      `load average at the end: ${loadavg()
        .map((x) => x.toFixed(1))
        .join(' ')}\n`,
    );
  }
}

await main();
