/**
 * Calibration of the SP 800-22 report verdict from a bank of per-sequence p-values.
 *
 * Building the bank (measured): oe's battery runs once on each of many real 1,000,000-bit sequences —
 * /dev/urandom (the kernel CRNG that getrandom reads), the reference sources rdrand and getrandom through
 * oe's sampler, the deliberately flawed inputs of test/flawed-sequences.ts applied to fresh /dev/urandom
 * bytes, and clock_jitter's raw bytes (a source that fails today) — and every sequence's p-values go to one
 * JSON line of the bank file. The file is appended to chunk by chunk, so a run can be stopped and resumed
 * and a partial bank is usable; the same bank serves every decision rule and every K (the rule acts on
 * p-values only, which do not depend on it).
 *
 * Reading the bank: see bench/verdict-calibration.ts for what is observed and what is computed.
 *
 *   npm run bench -- verdict-bank                     build up to the targets, then print the calibration
 *   OE_BENCH_BANK=path                                the bank file (default $TMPDIR/oe-verdict-bank.jsonl)
 *   OE_BENCH_BANK_URANDOM=n                           urandom sequences wanted in the bank (default 3000)
 *   OE_BENCH_BANK_SAMPLER=n                           rdrand and getrandom sequences each (default 200)
 *   OE_BENCH_BANK_BUILD=0                             only read the bank (no new sequences)
 *   OE_BENCH_THREADS=n                                worker threads for the battery (default: CPUs)
 */
import { appendFileSync, existsSync, openSync, readFileSync, readSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedSequences, runSp80022OnPacked } from '../src/analyze/sp800-22/run-sequences.js';
import type { Sp80022Result } from '../src/analyze/sp800-22/types.js';
import { getSource } from '../src/collect/catalog.js';
import { closeSharedSamplerPool } from '../src/collect/sampler-pool.js';
import { sampleLive } from '../src/jobs/live-sampling.js';
import { FLAWS } from '../test/flawed-sequences.js';
import { type BankLine, calibrationReport } from './verdict-calibration.js';

const BANK = process.env.OE_BENCH_BANK ?? join(tmpdir(), 'oe-verdict-bank.jsonl');
const URANDOM = Number(process.env.OE_BENCH_BANK_URANDOM ?? 3000);
const SAMPLER = Number(process.env.OE_BENCH_BANK_SAMPLER ?? 200);
const BUILD = process.env.OE_BENCH_BANK_BUILD !== '0';
const THREADS = Number(process.env.OE_BENCH_THREADS ?? availableParallelism());
const SEQ_BITS = 1_000_000;
const SEQ_BYTES = SEQ_BITS / 8;
/** Flawed reports in the bank: K = 1 (single sequences) and K = 9 (one file of 9·10⁶ bits), per flaw. */
const FLAW_K1 = 10;
const FLAW_K9 = 2;
const CLOCK_JITTER = 3;
const CHUNK = 32;

const started = performance.now();
const log = (s: string) =>
  process.stderr.write(
    `[${((performance.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0].toFixed(1)}] ${s}\n`,
  );

const urandom = openSync('/dev/urandom', 'r');
function urandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let off = 0; off < n; ) off += readSync(urandom, out, off, Math.min(1 << 24, n - off), null);
  return out;
}

async function sampled(source: string, bytes: number): Promise<Uint8Array> {
  const [r] = await sampleLive([getSource(source)], bytes);
  if (!r.ok) throw new Error(`${source}: ${r.reason}`);
  return r.bytes;
}

/** What the decisions need of a result: p-values, applicability and Runs' prerequisite flag. */
function slim(r: Sp80022Result): BankLine['results'][number] {
  const out: BankLine['results'][number] = { name: r.name, applicable: r.applicable, pValues: r.pValues };
  if (r.statistics.prerequisiteFailed === 1) out.prerequisiteFailed = true;
  return out;
}

function readBank(): BankLine[] {
  if (!existsSync(BANK)) return [];
  return readFileSync(BANK, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as BankLine);
}

/** Runs the battery on the first `count` whole sequences of `bytes` and appends them to the bank. */
async function bank(source: string, group: string | undefined, bytes: Uint8Array, count: number): Promise<void> {
  const K = Math.min(count, Math.floor(bytes.length / SEQ_BYTES));
  if (K < count) throw new Error(`${source}: ${bytes.length} bytes, ${count} sequences wanted`);
  const per = await runSp80022OnPacked(packedSequences(bytes, K, SEQ_BITS), { threads: THREADS });
  const lines = per.map((results) => JSON.stringify({ source, group, results: results.map(slim) } satisfies BankLine));
  appendFileSync(BANK, `${lines.join('\n')}\n`);
}

async function build(): Promise<void> {
  const have = new Map<string, number>();
  const groups = new Set<string>();
  for (const l of readBank()) {
    have.set(l.source, (have.get(l.source) ?? 0) + 1);
    if (l.group) groups.add(`${l.source} ${l.group}`);
  }
  log(`bank ${BANK}: ${[...have].map(([s, n]) => `${s} ${n}`).join(', ') || 'empty'}`);
  // The small inputs first, so that a partial bank already holds the detection rates.
  for (const flaw of FLAWS) {
    for (const [K, reports] of [
      [1, FLAW_K1],
      [9, FLAW_K9],
    ] as const) {
      if (flaw.name === 'one-bad-sequence' && K === 1) continue;
      for (let r = 0; r < reports; r++) {
        const group = `K${K}-${r}`;
        if (groups.has(`${flaw.name} ${group}`)) continue;
        await bank(flaw.name, group, flaw.apply(urandomBytes(K * SEQ_BYTES), SEQ_BYTES), K);
      }
    }
    log(`flaw ${flaw.name} banked`);
  }
  for (let r = have.get('clock_jitter raw') ?? 0; r < CLOCK_JITTER; r++) {
    try {
      await bank('clock_jitter raw', `K1-${r}`, await sampled('clock_jitter', SEQ_BYTES), 1);
    } catch (e) {
      log(`clock_jitter: not sampled (${(e as Error).message})`);
      break;
    }
  }
  const sampler = new Map([
    ['rdrand', have.get('rdrand') ?? 0],
    ['getrandom', have.get('getrandom') ?? 0],
  ]);
  let n = have.get('urandom') ?? 0;
  while (n < URANDOM || [...sampler.values()].some((m) => m < SAMPLER)) {
    if (n < URANDOM) {
      const k = Math.min(CHUNK, URANDOM - n);
      await bank('urandom', undefined, urandomBytes(k * SEQ_BYTES), k);
      n += k;
    }
    for (const [source, m] of sampler) {
      if (m >= SAMPLER) continue;
      const k = Math.min(CHUNK / 4, SAMPLER - m);
      try {
        await bank(source, undefined, await sampled(source, k * SEQ_BYTES), k);
        sampler.set(source, m + k);
      } catch (e) {
        log(`${source}: not sampled (${(e as Error).message})`);
        sampler.set(source, SAMPLER);
      }
    }
    log(`urandom ${n}/${URANDOM}, ${[...sampler].map(([s, m]) => `${s} ${m}`).join(', ')}`);
  }
}

async function main(): Promise<void> {
  console.log(
    `verdict bank ${BANK}: ${THREADS} battery threads, ${availableParallelism()} CPUs, load ${loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')}`,
  );
  if (BUILD) await build();
  const lines = readBank();
  console.log(calibrationReport(lines));
  console.log(
    `\n${((performance.now() - started) / 1000).toFixed(0)} s in all, load ${loadavg()[0].toFixed(1)} at the end`,
  );
}

try {
  await main();
} finally {
  await closeSharedSamplerPool();
}
