import { OeError } from '../../errors.js';
import { createWorkerPool } from '../../util/workers.js';
import { type EstimatorOutcome, type JobId, runJob, type Track } from './estimators.js';
import { type PreparedSymbols, prepareSymbols, toBitstring } from './symbols.js';

/** The non-IID track's result (SP 800-90B §6.3, as `ea_non_iid -i -a`). */
export interface NonIidResult {
  samples: number;
  bitsPerSymbol: number;
  alphabetSize: number;
  translated: boolean;
  warnings: string[];
  /** Number of bits in the bitstring, or null when the samples are binary (no bitstring track). */
  bitstringLength: number | null;
  estimators: EstimatorOutcome[];
  /** min over the literal estimates and the word size. */
  hOriginal: number;
  /** min over the bitstring estimates and 1, or null without a bitstring track. */
  hBitstring: number | null;
  /** bitsPerSymbol × H_bitstring, or null. */
  hBitstringPerSymbol: number | null;
  /** min(word size, H_original, bits × H_bitstring). */
  hAssessed: number;
}

const ORDER: JobId[] = ['mcv', 'collision', 'markov', 'compression', 'tuple', 'multi-mcw', 'lag', 'multi-mmc', 'lz78y'];
const BINARY_ONLY = new Set<JobId>(['collision', 'markov', 'compression']);

/** The (job, track) pairs the reference tool runs for an initial entropy estimate. */
export function plannedJobs(alphabetSize: number): Array<{ job: JobId; track: Track }> {
  const out: Array<{ job: JobId; track: Track }> = [];
  for (const job of ORDER) {
    if (alphabetSize > 2) out.push({ job, track: 'bitstring' });
    if (!BINARY_ONLY.has(job) || alphabetSize === 2) out.push({ job, track: 'literal' });
  }
  return out;
}

/** Combines the outcomes into H_original, H_bitstring and the assessed min-entropy (§3.1.3). */
export function combineNonIid(p: PreparedSymbols, estimators: EstimatorOutcome[]): NonIidResult {
  const hasBits = p.alphabetSize > 2;
  let hOriginal = p.wordSize;
  let hBitstring = 1;
  for (const e of estimators) {
    if (e.hMin === undefined) continue;
    if (e.track === 'literal') hOriginal = Math.min(hOriginal, e.hMin);
    else hBitstring = Math.min(hBitstring, e.hMin);
  }
  let hAssessed = Math.min(p.wordSize, hOriginal);
  if (hasBits) hAssessed = Math.min(hAssessed, hBitstring * p.wordSize);
  return {
    samples: p.raw.length,
    bitsPerSymbol: p.wordSize,
    alphabetSize: p.alphabetSize,
    translated: p.translated,
    warnings: p.warnings,
    bitstringLength: hasBits ? p.raw.length * p.wordSize : null,
    estimators,
    hOriginal,
    hBitstring: hasBits ? hBitstring : null,
    hBitstringPerSymbol: hasBits ? hBitstring * p.wordSize : null,
    hAssessed,
  };
}

/**
 * Non-IID assessment on one thread: every §6.3 estimator on the literal samples and on the
 * bitstring, with the reference tool's rules (Collision, Markov and Compression only on binary
 * data; no bitstring track when there are only two distinct symbols).
 */
export function assessNonIidSync(data: Uint8Array, bits?: number): NonIidResult {
  const p = prepareSymbols(data, bits);
  assertUsable(p);
  const bitstring = p.alphabetSize > 2 ? toBitstring(p.raw, p.wordSize) : null;
  const outcomes: EstimatorOutcome[] = [];
  for (const { job, track } of plannedJobs(p.alphabetSize)) {
    const seq = track === 'bitstring' ? (bitstring as Uint8Array) : p.symbols;
    outcomes.push(...runJob(job, seq, track === 'bitstring' ? 2 : p.alphabetSize, track));
  }
  return combineNonIid(p, outcomes);
}

/** A single-symbol alphabet has no entropy to assess (the tool refuses it too). */
export function assertUsable(p: PreparedSymbols): void {
  if (p.alphabetSize <= 1)
    throw new OeError('BAD_INPUT', 'the samples consist of a single symbol: no entropy can be awarded');
}

/** Rough relative cost of a job, for balancing jobs across worker threads. */
function cost(job: JobId, track: Track, L: number, k: number): number {
  const per: Record<JobId, number> = {
    mcv: 0.2,
    collision: 0.3,
    markov: 0.3,
    compression: 1,
    tuple: 8,
    'multi-mcw': 2,
    lag: track === 'bitstring' ? 6 : k > 16 ? 2 : 6,
    'multi-mmc': track === 'bitstring' ? 6 : 10,
    lz78y: track === 'bitstring' ? 6 : 6,
  };
  return per[job] * L;
}

/**
 * Non-IID assessment with the estimators spread over worker threads (piscina via createWorkerPool).
 * Same result as assessNonIidSync. `threads` defaults to the number of CPUs (at least 2 jobs' worth).
 */
export async function assessNonIid(
  data: Uint8Array,
  bits?: number,
  options: { threads?: number } = {},
): Promise<NonIidResult> {
  const p = prepareSymbols(data, bits);
  assertUsable(p);
  const threads = Math.max(1, options.threads ?? (await import('node:os')).availableParallelism());
  if (threads === 1) return assessNonIidSync(data, bits);
  const bitstring = p.alphabetSize > 2 ? toBitstring(p.raw, p.wordSize) : null;
  const share = (a: Uint8Array) => {
    const sab = new SharedArrayBuffer(a.length);
    new Uint8Array(sab).set(a);
    return sab;
  };
  const literalSab = share(p.symbols);
  const bitSab = bitstring ? share(bitstring) : null;
  const jobs = plannedJobs(p.alphabetSize).map((j, index) => ({
    ...j,
    index,
    cost: cost(j.job, j.track, j.track === 'bitstring' ? (bitstring?.length ?? 0) : p.symbols.length, p.alphabetSize),
  }));
  // longest-processing-time-first packing into `threads` groups
  const groups: Array<{ load: number; items: typeof jobs }> = Array.from({ length: threads }, () => ({
    load: 0,
    items: [],
  }));
  for (const j of [...jobs].sort((a, b) => b.cost - a.cost)) {
    const g = groups.reduce((m, x) => (x.load < m.load ? x : m));
    g.items.push(j);
    g.load += j.cost;
  }
  const pool = createWorkerPool(import.meta.url, 'non-iid-worker', { maxThreads: threads, minThreads: 0 });
  try {
    const results = await Promise.all(
      groups
        .filter((g) => g.items.length > 0)
        .map(
          (g) =>
            pool.run({
              literal: literalSab,
              bitstring: bitSab,
              k: p.alphabetSize,
              jobs: g.items.map(({ job, track, index }) => ({ job, track, index })),
            }) as Promise<Array<{ index: number; outcomes: EstimatorOutcome[] }>>,
        ),
    );
    const byIndex = results.flat().sort((a, b) => a.index - b.index);
    return combineNonIid(
      p,
      byIndex.flatMap((r) => r.outcomes),
    );
  } finally {
    await pool.destroy();
  }
}
