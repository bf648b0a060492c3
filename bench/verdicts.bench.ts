/**
 * Calibration of oe's verdicts on true random data, next to their power on flawed data, in one run.
 *
 * SP 800-22 reports: a pool of 1,000,000-bit sequences from /dev/urandom (the kernel CRNG, as getrandom)
 * and, through oe's sampler, from the reference sources rdrand and getrandom (their extracted bytes, as
 * `oe report` takes them) is run through the battery once; reports of K sequences are disjoint groups
 * of the pool, for every K oe meets by default (1 for a live report, K = bits/10⁶ for files and sessions).
 * A report "marks FAIL" when at least one of its 15 tests FAILs. Printed per K: reports, FAILs, the rate
 * with its 95 % Clopper–Pearson interval, for oe's rule (src/analyze/sp800-22/test-decisions.ts) and, on
 * the same reports, for the NIST-interval rule (NIST's proportion interval and uniformity p ≥ 0.0001,
 * plus "expected + 3σ" for tests with many p-values). Flawed inputs (test/flawed-sequences.ts, applied to
 * fresh /dev/urandom bytes) and a source that fails today (clock_jitter's raw bytes) give the detection
 * rate in the same run.
 *
 * Analysis verdicts (`oe analyze`, `oe sessions --analyze`; src/analyze/stats/verdict.ts): WARNING-or-worse
 * and CRITICAL rates on true random bytes at oe analyze's default 50,000 samples and at 1,000,000, and on
 * the flawed inputs.
 *
 *   npm run bench -- verdicts                          default: 360 urandom sequences (minutes on 2 cores)
 *   OE_BENCH_VERDICTS_SCALE=3 npm run bench -- verdicts    three times every count (the docs' figures:
 *                                                      43 min on a shared 2-vCPU VM at load 27–46);
 *                                                      10 or more for the K ≥ 55 rows to mean something
 *   OE_BENCH_THREADS=n                                 worker threads for the battery (default: CPUs)
 *   OE_BENCH_VERDICTS_ONLY=analysis                    only the analysis verdicts (minutes), flawed inputs included
 */
import { openSync, readSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { packedSequences, runSp80022OnPacked } from '../src/analyze/sp800-22/run-sequences.js';
import { secondLevelAnalysis } from '../src/analyze/sp800-22/second-level.js';
import { failuresToReject } from '../src/analyze/sp800-22/series-evidence.js';
import { FAMILY_ALPHA, sp80022Decisions } from '../src/analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES, type Sp80022Result } from '../src/analyze/sp800-22/types.js';
import { mostCommonValue } from '../src/analyze/sp800-90b/most-common-value.js';
import { clopperPearson } from '../src/analyze/stats/clopper-pearson.js';
import { byteStatistics } from '../src/analyze/stats/source-statistics.js';
import { verdict } from '../src/analyze/stats/verdict.js';
import { getSource } from '../src/collect/catalog.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { sampleLive } from '../src/jobs/live-sampling.js';
import { FLAWS } from '../test/flawed-sequences.js';

const SCALE = Number(process.env.OE_BENCH_VERDICTS_SCALE ?? 1);
const THREADS = Number(process.env.OE_BENCH_THREADS ?? availableParallelism());
const SEQ_BITS = 1_000_000;
const SEQ_BYTES = SEQ_BITS / 8;
const ALPHA = 0.01;
const URANDOM_SEQUENCES = Math.round(360 * SCALE);
const SAMPLER_SEQUENCES = Math.round(36 * SCALE);
const KS = [1, 2, 9, 20, 55, 100, 300];
const FLAW_REPORTS_K1 = Math.round(3 * SCALE);
const FLAW_REPORTS_K9 = Math.max(1, Math.round(SCALE));
const ANALYSIS_SMALL = Math.round(300 * SCALE);
const ANALYSIS_SMALL_SAMPLER = Math.round(60 * SCALE);
const ANALYSIS_LARGE = Math.round(6 * SCALE);
const ANALYSIS_FLAWED = Math.round(10 * SCALE);

const started = performance.now();
const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;
const log = (s: string) => process.stderr.write(`[${elapsed()}] ${s}\n`);

const urandom = openSync('/dev/urandom', 'r');
function urandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; ) off += readSync(urandom, out, off, Math.min(1 << 24, n - off), null);
  return out;
}

/** What the decisions need of a result (keeps a pool of thousands of sequences small). */
function slim(results: Sp80022Result[]): Sp80022Result[] {
  return results.map((r) => {
    const statistics: Record<string, number> = {};
    if (r.statistics.prerequisiteFailed === 1) statistics.prerequisiteFailed = 1;
    return {
      name: r.name,
      applicable: r.applicable,
      reason: r.reason,
      pValues: r.pValues,
      labels: r.labels,
      parameters: {},
      statistics,
    };
  });
}

/** The battery on every 10⁶-bit sequence of `bytes`, slimmed. */
async function battery(bytes: Uint8Array): Promise<Sp80022Result[][]> {
  const K = Math.floor(bytes.length / SEQ_BYTES);
  const per = await runSp80022OnPacked(packedSequences(bytes, K, SEQ_BITS), { threads: THREADS });
  return per.map(slim);
}

/** `count` sequences from a byte producer, in chunks so that memory stays bounded. */
async function pool(name: string, count: number, produce: (bytes: number) => Promise<Uint8Array>) {
  const out: Sp80022Result[][] = [];
  const chunk = Math.max(THREADS * 8, 32);
  while (out.length < count) {
    const k = Math.min(chunk, count - out.length);
    out.push(...(await battery(await produce(k * SEQ_BYTES))));
    log(`${name}: ${out.length}/${count} sequences`);
  }
  return out;
}

async function sampled(source: string, bytes: number): Promise<Uint8Array> {
  const [r] = await sampleLive([getSource(source)], bytes);
  if (!r.ok) throw new Error(`${source}: ${r.reason}`);
  return r.bytes;
}

/** Whether oe's rule marks a report FAIL. */
function failsNow(per: Sp80022Result[][]): boolean {
  return sp80022Decisions(per, { alpha: ALPHA }).decisions.some((d) => d.verdict === 'FAIL');
}

/**
 * The NIST-interval rule (the baseline): one sequence, a test fails when more of its
 * p-values are below α than m·α + 3σ allows (any below α for a single p-value); several sequences, a
 * series is flagged when its proportion is outside NIST's interval or its uniformity p < 0.0001, and a
 * test fails when its one series is flagged, or more of its series than the expected count + 3σ.
 */
function failsNistInterval(per: Sp80022Result[][]): boolean {
  if (per.length === 1) {
    return per[0].some((r) => {
      if (!r.applicable) return false;
      const m = r.pValues.length;
      const fails = r.pValues.filter((p) => p < ALPHA).length;
      return fails > 0 && fails > Math.floor(m * ALPHA + 3 * Math.sqrt(m * ALPHA * (1 - ALPHA)));
    });
  }
  const rows = secondLevelAnalysis(per, ALPHA).rows;
  return NIST_TEST_NAMES.some((name) => {
    const mine = rows.filter((r) => r.name === name);
    const flagged = mine.filter((r) => !r.proportionOk || r.uniformityOk === false).length;
    if (flagged === 0) return false;
    if (mine.length === 1) return true;
    const K = mine[0].sequences;
    let below = 0;
    for (let k = 0; k < mine[0].proportionInterval[0] * K && k <= K; k++) {
      let logC = 0;
      for (let j = 1; j <= k; j++) logC += Math.log((K - j + 1) / j);
      below += Math.exp(logC + k * Math.log(1 - ALPHA) + (K - k) * Math.log(ALPHA));
    }
    const pRow = Math.min(1, below) + 0.0001;
    const expected = mine.length * pRow;
    return flagged > Math.floor(expected + 3 * Math.sqrt(expected * (1 - pRow)));
  });
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
function rate(x: number, n: number): string {
  if (n === 0) return '—';
  const [lo, hi] = clopperPearson(x, n);
  return `${String(x).padStart(4)}/${String(n).padEnd(5)} ${pct(x / n).padStart(8)}  [${pct(lo)}, ${pct(hi)}]`;
}

/**
 * How often each test's p-values fall below 10⁻², 10⁻³, 10⁻⁴, 10⁻⁵ on the pool, as observed / expected
 * counts (all series pooled): the validity of the p-values the rule relies on, tail by tail.
 */
function tailTable(per: Sp80022Result[][]): void {
  const cuts = [1e-2, 1e-3, 1e-4, 1e-5];
  console.log('\np-value tails per test on the urandom pool: observed/expected count of p < 1e-2, 1e-3, 1e-4, 1e-5');
  for (const name of NIST_TEST_NAMES) {
    let n = 0;
    const below = cuts.map(() => 0);
    for (const seq of per) {
      const r = seq.find((x) => x.name === name);
      if (!r?.applicable) continue;
      for (const p of r.pValues) {
        n++;
        cuts.forEach((c, i) => {
          if (p < c) below[i]++;
        });
      }
    }
    const cells = cuts.map((c, i) => `${below[i]}/${(n * c).toPrecision(2)}`.padStart(12));
    console.log(`${name.padEnd(24)} ${String(n).padStart(8)} p-values ${cells.join(' ')}`);
  }
}

function reportTable(title: string, sources: [string, Sp80022Result[][]][]): void {
  console.log(`\n${title}`);
  console.log(
    `${'source'.padEnd(11)} ${'K'.padStart(4)}  ${'oe: FAIL / reports, rate [95 % CP]'.padEnd(42)} NIST-interval rule: FAIL / reports, rate [95 % CP]`,
  );
  for (const [name, per] of sources) {
    for (const K of KS) {
      const reports = Math.floor(per.length / K);
      if (reports === 0) continue;
      let now = 0;
      let before = 0;
      for (let r = 0; r < reports; r++) {
        const group = per.slice(r * K, (r + 1) * K);
        if (failsNow(group)) now++;
        if (failsNistInterval(group)) before++;
      }
      console.log(
        `${name.padEnd(11)} ${String(K).padStart(4)}  ${rate(now, reports).padEnd(42)} ${rate(before, reports)}`,
      );
    }
  }
}

async function flawedReports(): Promise<void> {
  console.log('\nFlawed inputs (each flaw applied to fresh /dev/urandom bytes): detection = reports marked FAIL');
  console.log(`${'input'.padEnd(18)} ${'K'.padStart(4)}  ${'oe: FAIL / reports'.padEnd(42)} NIST-interval rule`);
  for (const flaw of FLAWS) {
    for (const [K, reports] of [
      [1, FLAW_REPORTS_K1],
      [9, FLAW_REPORTS_K9],
    ] as const) {
      if (flaw.name === 'one-bad-sequence' && K === 1) continue;
      let now = 0;
      let before = 0;
      for (let r = 0; r < reports; r++) {
        const per = await battery(flaw.apply(urandomBytes(K * SEQ_BYTES), SEQ_BYTES));
        if (failsNow(per)) now++;
        if (failsNistInterval(per)) before++;
      }
      console.log(
        `${flaw.name.padEnd(18)} ${String(K).padStart(4)}  ${rate(now, reports).padEnd(42)} ${rate(before, reports)}`,
      );
    }
  }
  try {
    const per = await battery(await sampled('clock_jitter', SEQ_BYTES));
    console.log(
      `${'clock_jitter raw'.padEnd(18)} ${'1'.padStart(4)}  ${rate(failsNow(per) ? 1 : 0, 1).padEnd(42)} ${rate(failsNistInterval(per) ? 1 : 0, 1)}`,
    );
  } catch (e) {
    console.log(`clock_jitter raw: not sampled (${(e as Error).message})`);
  }
}

function analysisRow(name: string, size: number, count: number, produce: () => Uint8Array | Promise<Uint8Array>) {
  return (async () => {
    let warning = 0;
    let critical = 0;
    for (let i = 0; i < count; i++) {
      const b = await produce();
      const v = verdict({ stats: byteStatistics(b, { maxLag: 1000 }), minEntropy: mostCommonValue(b).hMin }).verdict;
      if (v !== 'GOOD') warning++;
      if (v === 'CRITICAL') critical++;
    }
    console.log(
      `${name.padEnd(22)} ${size.toLocaleString('en-US').padStart(9)}  ${rate(warning, count).padEnd(42)} ${rate(critical, count)}`,
    );
  })();
}

async function analysisTables(): Promise<void> {
  console.log(
    '\nAnalysis verdicts (src/analyze/stats/verdict.ts): stated WARNING-or-worse ≤ 5 %, CRITICAL ≤ 1 % on true RNG data',
  );
  console.log(
    `${'input'.padEnd(22)} ${'bytes'.padStart(9)}  ${'WARNING or CRITICAL / sources [95 % CP]'.padEnd(42)} CRITICAL`,
  );
  const small = 50_000;
  await analysisRow('urandom', small, ANALYSIS_SMALL, () => urandomBytes(small));
  for (const source of ['rdrand', 'getrandom']) {
    try {
      const all = await sampled(source, small * ANALYSIS_SMALL_SAMPLER);
      let i = 0;
      await analysisRow(`${source} (sampler)`, small, ANALYSIS_SMALL_SAMPLER, () =>
        all.subarray(small * i, small * ++i),
      );
    } catch (e) {
      console.log(`${source}: not sampled (${(e as Error).message})`);
    }
  }
  await analysisRow('urandom', 1_000_000, ANALYSIS_LARGE, () => urandomBytes(1_000_000));
  for (const flaw of FLAWS) {
    if (flaw.name === 'one-bad-sequence') continue;
    await analysisRow(flaw.name, small, ANALYSIS_FLAWED, () => flaw.apply(urandomBytes(small), SEQ_BYTES));
  }
  try {
    const all = await sampled('clock_jitter', small * 3);
    let i = 0;
    await analysisRow('clock_jitter raw', small, 3, () => all.subarray(small * i, small * ++i));
  } catch (e) {
    console.log(`clock_jitter raw: not sampled (${(e as Error).message})`);
  }
}

function thresholds(): void {
  console.log(
    `\nFailures of K sequences (p < ${ALPHA}) from which one series alone is significant (binomial tail × statistics used),` +
      ` at ${FAMILY_ALPHA} (a test alone) and ${FAMILY_ALPHA}/15 (Holm's first step over 15 tests), next to NIST's interval:`,
  );
  console.log(
    `${'K'.padStart(5)} ${`oe at ${FAMILY_ALPHA}`.padStart(12)} ${`oe at ${FAMILY_ALPHA}/15`.padStart(15)} ${'NIST (1−α ± 3σ)'.padStart(16)}`,
  );
  for (const K of [2, 3, 5, 9, 20, 55, 100, 300, 1000]) {
    const lower = 1 - ALPHA - 3 * Math.sqrt((ALPHA * (1 - ALPHA)) / K);
    const nist = Math.floor(K - lower * K) + 1; // smallest failures with proportion < lower
    console.log(
      `${String(K).padStart(5)} ${String(failuresToReject(K, ALPHA, FAMILY_ALPHA)).padStart(12)} ${String(failuresToReject(K, ALPHA, FAMILY_ALPHA / 15)).padStart(15)} ${String(nist).padStart(16)}`,
    );
  }
}

async function main(): Promise<void> {
  console.log(
    `verdict calibration: scale ${SCALE}, ${THREADS} battery threads, ${availableParallelism()} CPUs, load ${loadavg()[0].toFixed(1)}`,
  );
  if (process.env.OE_BENCH_VERDICTS_ONLY === 'analysis') {
    await analysisTables();
    console.log(`\n${elapsed()} in all`);
    return;
  }
  thresholds();
  const sources: [string, Sp80022Result[][]][] = [];
  sources.push(['urandom', await pool('urandom', URANDOM_SEQUENCES, async (n) => urandomBytes(n))]);
  for (const source of ['rdrand', 'getrandom']) {
    try {
      sources.push([source, await pool(source, SAMPLER_SEQUENCES, (n) => sampled(source, n))]);
    } catch (e) {
      console.log(`${source}: not sampled (${(e as Error).message})`);
    }
  }
  tailTable(sources[0][1]);
  reportTable(
    `SP 800-22 reports on true RNG data (1,000,000-bit sequences; a report marks FAIL when one of its tests FAILs; rule's level ${pct(FAMILY_ALPHA)}, stated rate ≤ 1 %)`,
    sources,
  );
  await flawedReports();
  await analysisTables();
  console.log(`\n${elapsed()} in all`);
}

try {
  await main();
} finally {
  await closeSharedSamplerPool();
}
