/**
 * Command start-up, as a user runs oe after `npm install` (bin/oe.js over dist/; build it with
 * `npm run build:ts`):
 *
 * 1. `oe report --input` on one 1,000,000-bit ASCII file next to NIST STS 2.1.2 (`sts_assess`, built
 *    with -O2) on the same file, alternating, in this run: wall and CPU time (user + sys of the child)
 *    and their ratios. STS is found in $OE_NIST_BIN; it needs its `templates/` folder (looked for in
 *    $OE_NIST_BIN/templates, $OE_STS_TEMPLATES or $OE_NIST_BIN/../srcsts/templates) and an
 *    `experiments/` tree in its working directory (made here in a scratch folder).
 * 2. Every command's start: `oe <command> --help` (the command's module and options) and a small real
 *    run of each command (one that does little work: a snapshot, an empty listing, 32 bytes, one tick,
 *    the server until it listens…), next to a bare `node -e 0` in the same run.
 *
 * Timings alternate between the sides and report medians. The input is 125,000 bytes from node:crypto
 * written as '0'/'1' characters (a benchmark input, not an entropy source).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const bin = join(root, 'bin', 'oe.js');
const RUNS = Number(process.env.OE_BENCH_RUNS ?? 5);
const scratch = mkdtempSync(join(tmpdir(), 'oe-bench-startup-'));
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;

if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) {
  process.stderr.write('cli-startup: dist/ is missing; run "npm run build:ts" first\n');
  process.exit(2);
}

interface Sample {
  wall: number;
  /** user + sys seconds of the child, when /usr/bin/time is there. */
  cpu: number | null;
}

/** Runs a command to completion; wall from spawn to exit, CPU from /usr/bin/time. */
function run(cmd: string, args: string[], opts: { cwd?: string; input?: string } = {}): Sample {
  const full = TIME ? [TIME, '-f', '%U %S', cmd, ...args] : [cmd, ...args];
  const t = process.hrtime.bigint();
  const r = spawnSync(full[0], full.slice(1), {
    cwd: opts.cwd ?? scratch,
    input: opts.input,
    stdio: ['pipe', 'ignore', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const lines = r.stderr.trim().split('\n');
  const cpu = TIME
    ? lines
        .at(-1)!
        .split(' ')
        .reduce((a, x) => a + Number(x), 0)
    : null;
  // STS ends with exit status 1 even when it worked; its results are checked below instead.
  if (r.status !== 0 && cmd !== stsPath) {
    throw new Error(`${[cmd, ...args].join(' ')} exited ${r.status}: ${lines.slice(-3).join(' | ')}`);
  }
  return { wall, cpu };
}

/** Starts a long-running command and times it until `ready` appears on its stderr, then stops it. */
function runUntil(args: string[], ready: RegExp): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t = process.hrtime.bigint();
    const child: ChildProcess = spawn(process.execPath, [bin, ...args], {
      cwd: scratch,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`oe ${args.join(' ')}: no ${ready} within 60 s: ${err}`));
    }, 60_000);
    child.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      if (ready.test(err)) {
        const wall = Number(process.hrtime.bigint() - t) / 1e9;
        clearTimeout(timer);
        child.once('exit', () => resolve({ wall, cpu: null }));
        child.kill('SIGTERM');
      }
    });
    child.once('exit', (code) => {
      if (!ready.test(err)) {
        clearTimeout(timer);
        reject(new Error(`oe ${args.join(' ')} exited ${code} before ${ready}: ${err}`));
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ms = (s: number) => `${(s * 1000).toFixed(0).padStart(6)} ms`;

function summary(samples: Sample[]): { wall: number; cpu: number | null } {
  const cpus = samples.map((s) => s.cpu).filter((c): c is number => c !== null);
  return { wall: median(samples.map((s) => s.wall)), cpu: cpus.length ? median(cpus) : null };
}

// --- 1. oe report --input vs sts_assess on the same 1 M-bit file -------------------------------

const bitsFile = join(scratch, 'bits-1M.txt');
{
  const bytes = randomBytes(125_000);
  const chars = new Uint8Array(1_000_000);
  for (let i = 0; i < chars.length; i++) chars[i] = 48 + ((bytes[i >>> 3] >>> (7 - (i & 7))) & 1);
  writeFileSync(bitsFile, chars);
}

const nistBin = process.env.OE_NIST_BIN;
const stsPath = nistBin ? join(nistBin, 'sts_assess') : '';
const templates = [
  process.env.OE_STS_TEMPLATES,
  nistBin && join(nistBin, 'templates'),
  nistBin && join(nistBin, '..', 'srcsts', 'templates'),
].find((p): p is string => Boolean(p) && existsSync(join(p as string, 'template9')));

process.stdout.write(
  `machine: ${availableParallelism()} CPUs, load ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}; ${RUNS} alternating runs, medians\n\n`,
);

const oeReport = () =>
  run(process.execPath, [
    bin,
    'report',
    '--input',
    bitsFile,
    '--format',
    'ascii',
    '--json',
    '--output',
    join(scratch, 'sp800-22.json'),
  ]);

if (!nistBin || !existsSync(stsPath) || !templates) {
  const what = !nistBin
    ? 'OE_NIST_BIN is not set'
    : !existsSync(stsPath)
      ? `${stsPath} is missing`
      : 'STS templates/ (template9) were not found';
  process.stdout.write(
    `oe report --input vs NIST STS: no ratio (${what}). The ratio needs NIST's tools: build usnistgov/SP800-90B_EntropyAssessment cpp/ and NIST STS 2.1.2 with -O2, then set OE_NIST_BIN (STS's templates/ beside sts_assess or in OE_STS_TEMPLATES).\n`,
  );
  const s = summary(Array.from({ length: RUNS }, oeReport));
  process.stdout.write(`oe report --input (1,000,000 ASCII bits, --json): ${ms(s.wall)} wall\n\n`);
} else {
  const cwd = join(scratch, 'sts');
  mkdirSync(cwd);
  symlinkSync(templates, join(cwd, 'templates'));
  const tests = ['Frequency', 'BlockFrequency', 'Runs', 'LongestRun', 'Rank', 'FFT', 'NonOverlappingTemplate'];
  tests.push('OverlappingTemplate', 'Universal', 'LinearComplexity', 'Serial', 'ApproximateEntropy');
  tests.push('CumulativeSums', 'RandomExcursions', 'RandomExcursionsVariant');
  for (const t of tests) mkdirSync(join(cwd, 'experiments', 'AlgorithmTesting', t), { recursive: true });
  // Input file, its name, all tests, default parameters, one bitstream, ASCII.
  const sts = () => run(stsPath, ['1000000'], { cwd, input: `0\n${bitsFile}\n1\n0\n1\n0\n` });
  const oe: Sample[] = [];
  const nist: Sample[] = [];
  oeReport(); // warm the file cache for both
  for (let i = 0; i < RUNS; i++) {
    nist.push(sts());
    oe.push(oeReport());
  }
  const done = readdirSync(join(cwd, 'experiments', 'AlgorithmTesting', 'LinearComplexity'));
  if (!done.includes('results.txt')) throw new Error('sts_assess did not write its LinearComplexity results');
  const a = summary(oe);
  const b = summary(nist);
  process.stdout.write('SP 800-22 battery on the same 1,000,000-bit ASCII file, from the command line\n');
  process.stdout.write(
    `  oe report --input --json (bin/oe.js):  ${ms(a.wall)} wall${a.cpu === null ? '' : `, ${ms(a.cpu)} CPU`}\n`,
  );
  process.stdout.write(
    `  NIST STS 2.1.2 sts_assess (-O2):       ${ms(b.wall)} wall${b.cpu === null ? '' : `, ${ms(b.cpu)} CPU`}\n`,
  );
  process.stdout.write(
    `  ratio oe / STS: ${(a.wall / b.wall).toFixed(2)} wall${a.cpu !== null && b.cpu !== null ? `, ${(a.cpu / b.cpu).toFixed(2)} CPU` : ''}\n\n`,
  );
}

// --- 2. every command's start ------------------------------------------------------------------

const empty = join(scratch, 'no-sessions');
mkdirSync(empty);
const small = join(scratch, 'small.bin');
writeFileSync(small, randomBytes(4096));

/** A small real run of every command: [label, arguments, or a line on stderr that means "started"]. */
const COMMANDS: [string, string[], RegExp?][] = [
  ['scan', ['scan', '--sources', 'getrandom', '--budget', '5', '--json']],
  ['telemetry', ['telemetry', '--json']],
  ['sessions', ['sessions', '--dir', empty]],
  ['assess', ['assess', small, '--json']],
  ['report', ['report', '--input', small, '--json']],
  ['analyze', ['analyze', '--sources', 'getrandom', '--samples', '2000', '--no-entropy', '--json']],
  ['stream', ['stream', '--bytes', '32', '--sources', 'getrandom', '--conditioning', 'raw']],
  ['monitor', ['monitor', '--ticks', '1', '--sources', 'getrandom']],
  ['record', ['record', '--duration', '0.2s', '--sources', 'getrandom', '--output', join(scratch, 's'), '--quiet']],
  ['bench', ['bench', '--profile', 'quick', '--sources', 'getrandom', '--no-pool', '--json']],
  ['compare', ['compare', join(scratch, 'bench.json'), join(scratch, 'bench.json'), '--json']],
  ['server', ['server', '--port', '0', '--sources', 'getrandom'], /listening on/],
  ['device', ['device', join(scratch, 'fifo'), '--sources', 'getrandom'], /Created FIFO/],
];
// compare needs a bench file: one quick bench, written once.
run(process.execPath, [
  bin,
  'bench',
  '--profile',
  'quick',
  '--sources',
  'getrandom',
  '--no-pool',
  '--output',
  join(scratch, 'bench.json'),
]);

const bare: number[] = [];
const help: Record<string, number[]> = {};
const real: Record<string, number[]> = {};
for (let i = 0; i < RUNS; i++) {
  bare.push(run(process.execPath, ['-e', '0']).wall);
  help.oe = [...(help.oe ?? []), run(process.execPath, [bin, '--help']).wall];
  for (const [name, args, ready] of COMMANDS) {
    help[name] = [...(help[name] ?? []), run(process.execPath, [bin, name, '--help']).wall];
    const s = ready ? await runUntil(args, ready) : run(process.execPath, [bin, ...args]);
    real[name] = [...(real[name] ?? []), s.wall];
  }
}
const node = median(bare);
process.stdout.write(`start of every command (wall; bare "node -e 0": ${ms(node)})\n`);
process.stdout.write(`  ${'command'.padEnd(10)} ${'--help'.padStart(9)} ${'× node'.padStart(7)}   small real run\n`);
process.stdout.write(
  `  ${'oe'.padEnd(10)} ${ms(median(help.oe))} ${(median(help.oe) / node).toFixed(2).padStart(7)}\n`,
);
for (const [name, args, ready] of COMMANDS) {
  const h = median(help[name]);
  const r = median(real[name]);
  const what = ready ? `until "${ready.source}"` : args.slice(1).join(' ').replaceAll(scratch, '…');
  process.stdout.write(
    `  ${name.padEnd(10)} ${ms(h)} ${(h / node).toFixed(2).padStart(7)}   ${ms(r)}  (${(r / node).toFixed(2)} × node; ${what})\n`,
  );
}
rmSync(scratch, { recursive: true, force: true });
