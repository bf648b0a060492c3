/**
 * The bench job, `oe bench`: round-based benchmark of entropy sources. For every selected source: warmup rounds, then
 * `rounds` rounds of `samplesPerRound` measurements (all sources concurrently, each batch with the
 * profile's deadline), per-round Shannon and MCV min-entropy of the raw extracted bytes, throughput,
 * stability; then one fixed-size grading sample per source (GRADE_SAMPLES) assessed by the SP 800-90B
 * non-IID track; then the entropy-pool section; optionally telemetry and quantum_proxy_v3
 * (EXPERIMENTAL). One function per phase; runBench wires them. Sampling goes through the live-sampling
 * helper (src/jobs/live-sampling.ts) with one batch per round and source; the statistics come from
 * src/analyze/.
 */
import {
  BENCH_PROFILES,
  type BenchState,
  benchScore,
  benchState,
  GRADE_SAMPLES,
  type Grade,
  gradeMinEntropy,
  type RankBy,
  stability,
} from '../analyze/bench/grade.js';
import { QUANTUM_MODEL_ID, QUANTUM_MODEL_VERSION } from '../analyze/quantum/config.js';
import type { PriorCalibration } from '../analyze/quantum/prior.js';
import { type QuantumReport, type QuantumSourceInput, quantumProxyV3Parallel } from '../analyze/quantum/proxy.js';
import { mostCommonValue } from '../analyze/sp800-90b/most-common-value.js';
import { assessNonIid, type NonIidResult } from '../analyze/sp800-90b/non-iid.js';
import { mean } from '../analyze/stats/mean-sd.js';
import { shannonEntropy } from '../analyze/stats/shannon-entropy.js';
import { probeSource } from '../collect/availability.js';
import { getSource, selectSources } from '../collect/catalog.js';
import { type Conditioning, parseConditioning } from '../collect/conditioning/index.js';
import { EntropyPool } from '../collect/entropy-pool.js';
import { type Fingerprint, fingerprint } from '../collect/fingerprint.js';
import type { Sampler } from '../collect/sampler.js';
import { SamplerPool } from '../collect/sampler-pool.js';
import { type TelemetryWindow, telemetrySnapshot, telemetryWindow } from '../collect/telemetry/index.js';
import type { SourceSpec } from '../collect/types.js';
import { errorMessage, OeError, optionError } from '../errors.js';
import { defaultConcurrency, type LiveSample, sampleLive } from './live-sampling.js';
import { readCalibrationFile } from './quantum-inputs.js';
import { runStressSweep, type StressSweepReport, sweepForSource } from './stress-sweep.js';

export const BENCH_FORMAT_VERSION = 1;

export interface BenchOptions {
  profile?: keyof typeof BENCH_PROFILES;
  samplesPerRound?: number;
  rounds?: number;
  warmupRounds?: number;
  timeoutSec?: number;
  /** `--sources` filter (absent: the fast set). */
  sources?: string;
  /** One source, by its exact name (`--source NAME`). */
  source?: string;
  rankBy?: RankBy;
  /** Conditioning of the pool section only (per-source metrics are always on raw bytes). */
  conditioning?: Conditioning | string;
  telemetry?: boolean;
  pool?: boolean;
  seed?: number;
  quantum?: boolean;
  quantumCalibration?: string;
  quantumLiveStress?: boolean;
  /** Batches in flight at once (default: max(2, CPUs), the sampler pool's threads). */
  concurrency?: number;
  /** Explicit source specs (library callers, tests); overrides `source` and `sources`. */
  specs?: readonly SourceSpec[];
  /** Injected for tests; default a new SamplerPool (closed at the end). */
  sampler?: Sampler;
  probe?: (spec: SourceSpec) => string | null;
  fingerprint?: () => Fingerprint;
  /** Grading sample size (default GRADE_SAMPLES; tests only). */
  gradeSamples?: number;
  onProgress?: (e: BenchProgress) => void;
}

export interface BenchProgress {
  phase: 'warmup' | 'round' | 'grade' | 'assess' | 'pool' | 'stress' | 'quantum' | 'done';
  index?: number;
  total?: number;
  bytes?: number;
  seconds?: number;
  source?: string;
}

export interface BenchSourceRow {
  name: string;
  category: string;
  kind: string;
  composite: boolean;
  available: boolean;
  reason: string | null;
  state: BenchState;
  healthy: boolean;
  rounds: number;
  success_rounds: number;
  failures: number;
  errors: string[];
  bytes_total: number;
  avg_shannon: number | null;
  /** Per successful round: MCV min-entropy, Shannon entropy (bits/byte) and throughput (B/s) of the raw bytes. */
  round_min_entropy: number[];
  round_shannon: number[];
  round_throughput_bps: number[];
  avg_round_min_entropy: number | null;
  min_entropy: number | null;
  min_entropy_method: string;
  grade_samples: number;
  grade: Grade | null;
  grade_note: string | null;
  avg_throughput_bps: number | null;
  stability: number;
  score: number;
  quantum_score?: number | null;
}

export interface BenchPool {
  conditioning: Conditioning;
  bytes: number;
  shannon_entropy: number;
  min_entropy: number;
  healthy_sources: number;
  total_sources: number;
}

export interface BenchReport {
  format: 'oe-bench';
  format_version: number;
  generated_unix: number;
  generated_at: string;
  profile: string;
  conditioning: Conditioning;
  rank_by: RankBy;
  seed: number;
  settings: {
    samples_per_round: number;
    rounds: number;
    warmup_rounds: number;
    timeout_sec: number;
    grade_samples: number;
    grade_method: string;
  };
  fingerprint: Fingerprint;
  standard: {
    sources: BenchSourceRow[];
    pool: BenchPool | null;
    pool_note: string | null;
  };
  experimental?: {
    label: string;
    telemetry_v1?: TelemetryWindow;
    quantum_proxy_v3?: {
      model_id: string;
      model_version: number;
      sample_bytes: number;
      calibration_source: string;
      stress_mode: 'windows' | 'live';
      stress_sweep?: StressSweepReport;
      report: QuantumReport;
    };
  };
}

const POOL_BYTES = 65536;

function positive(name: string, v: number | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  if (!Number.isFinite(v) || v < min) throw optionError(name, `must be a number >= ${min}, got ${v}`);
  return v;
}

/** The source list of a bench: `source` (one exact name) or the `sources` selection (catalog.ts selectSources). */
export function benchSources(options: Pick<BenchOptions, 'source' | 'sources'>): SourceSpec[] {
  if (options.source !== undefined) return [getSource(options.source)];
  return selectSources(options.sources);
}

/** Everything the phases share: settings resolved from the options, the sources that can run, the sampler. */
interface BenchContext {
  options: BenchOptions;
  profileName: string;
  samplesPerRound: number;
  rounds: number;
  warmupRounds: number;
  timeoutSec: number;
  timeoutMs: number;
  rankBy: RankBy;
  quantum: boolean;
  conditioning: Conditioning;
  seed: number;
  gradeSamples: number;
  calibration: PriorCalibration | undefined;
  progress: (e: BenchProgress) => void;
  probe: (spec: SourceSpec) => string | null;
  specs: SourceSpec[];
  /** Why each of `specs` cannot run (null: it can). */
  reasons: (string | null)[];
  live: SourceSpec[];
  sampler: Sampler;
  /** Batches in flight at once. */
  concurrency: number;
}

/** Per-round accumulators of one source. */
interface RoundStats {
  shannon: number[];
  hmin: number[];
  bps: number[];
  bytes: number;
  failures: number;
  errors: string[];
}

/** The grading phase's result per live source: the sample's bytes, its assessment, or why there is none. */
interface Grading {
  bytes: (Uint8Array | null)[];
  assessed: (NonIidResult | null)[];
  notes: (string | null)[];
}

/** Validates the options and resolves the profile, the sources and the sampler (phase 0). */
function benchContext(options: BenchOptions): BenchContext {
  const profileName = options.profile ?? 'standard';
  const profile = BENCH_PROFILES[profileName];
  if (!profile) throw optionError('profile', `must be quick, standard or deep, got "${profileName}"`);
  const samplesPerRound = Math.round(
    positive('samplesPerRound', options.samplesPerRound, 1) ?? profile.samplesPerRound,
  );
  const rounds = Math.round(positive('rounds', options.rounds, 1) ?? profile.rounds);
  const warmupRounds = Math.round(positive('warmupRounds', options.warmupRounds, 0) ?? profile.warmupRounds);
  const timeoutSec = positive('timeoutSec', options.timeoutSec, 0.1) ?? profile.timeoutSec;
  const rankBy: RankBy = options.rankBy ?? 'balanced';
  if (!['balanced', 'min_entropy', 'throughput', 'quantum'].includes(rankBy))
    throw optionError('rankBy', `must be balanced, min_entropy, throughput or quantum, got ${rankBy}`);
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw optionError('seed', `must be an integer in 0..4294967295, got ${seed}`);
  const conditioning = parseConditioning(options.conditioning ?? 'sha256');
  const calibration = options.quantumCalibration ? readCalibrationFile(options.quantumCalibration) : undefined;
  const probe = options.probe ?? probeSource;
  const specs = options.specs ? [...options.specs] : benchSources(options);
  const reasons = specs.map((s) => probe(s));
  const live = specs.filter((_, i) => reasons[i] === null);
  if (live.length === 0)
    throw new OeError(
      'UNAVAILABLE',
      `no selected source can run here (${specs.length > 1 ? `all ${specs.length} unavailable; ` : ''}${specs[0]?.name}: ${reasons[0]})`,
    );
  return {
    options,
    profileName,
    samplesPerRound,
    rounds,
    warmupRounds,
    timeoutSec,
    timeoutMs: timeoutSec * 1000,
    rankBy,
    quantum: options.quantum === true || options.quantumLiveStress === true || rankBy === 'quantum',
    conditioning,
    seed,
    gradeSamples: options.gradeSamples ?? GRADE_SAMPLES,
    calibration,
    progress: options.onProgress ?? (() => {}),
    probe,
    specs,
    reasons,
    live,
    sampler: options.sampler ?? new SamplerPool(),
    concurrency: Math.max(1, options.concurrency ?? defaultConcurrency()),
  };
}

/** One batch of `n` measurements from every source in `sources` (already probed), with a deadline each. */
function sampleRound(ctx: BenchContext, sources: readonly SourceSpec[], n: number, timeoutMs: number) {
  return sampleLive(sources, n, {
    sampler: ctx.sampler,
    concurrency: ctx.concurrency,
    timeoutMs,
    ignoreBackoff: true,
    batch: 'whole',
    probe: () => null,
  });
}

/** Phase 1: warmup rounds, then the measured rounds (per-round Shannon, MCV and throughput of the raw bytes). */
async function runRounds(ctx: BenchContext): Promise<RoundStats[]> {
  for (let w = 0; w < ctx.warmupRounds; w++) {
    ctx.progress({ phase: 'warmup', index: w + 1, total: ctx.warmupRounds });
    await sampleRound(ctx, ctx.live, ctx.samplesPerRound, ctx.timeoutMs);
  }
  const perRound: RoundStats[] = ctx.live.map(() => ({
    shannon: [],
    hmin: [],
    bps: [],
    bytes: 0,
    failures: 0,
    errors: [],
  }));
  for (let r = 0; r < ctx.rounds; r++) {
    const t0 = Date.now();
    const res = await sampleRound(ctx, ctx.live, ctx.samplesPerRound, ctx.timeoutMs);
    let roundBytes = 0;
    res.forEach((x, i) => {
      const acc = perRound[i];
      if (!x.ok) {
        acc.failures++;
        if (!acc.errors.includes(x.reason) && acc.errors.length < 3) acc.errors.push(x.reason);
        return;
      }
      if (x.bytes.length < 2) {
        acc.failures++;
        return;
      }
      const sec = Number(x.endNs - x.startNs) / 1e9;
      acc.shannon.push(shannonEntropy(x.bytes).bitsPerByte);
      acc.hmin.push(mostCommonValue(x.bytes).hMin);
      if (sec > 0) acc.bps.push(x.bytes.length / sec);
      acc.bytes += x.bytes.length;
      roundBytes += x.bytes.length;
    });
    ctx.progress({
      phase: 'round',
      index: r + 1,
      total: ctx.rounds,
      bytes: roundBytes,
      seconds: (Date.now() - t0) / 1000,
    });
  }
  return perRound;
}

/**
 * Phase 2: one contiguous sample of `gradeSamples` per source that had a successful round, assessed by the
 * SP 800-90B non-IID track.
 */
async function gradeSources(ctx: BenchContext, perRound: RoundStats[]): Promise<Grading> {
  const { live } = ctx;
  ctx.progress({ phase: 'grade', total: live.length });
  const gradable = live.filter((_, i) => perRound[i].hmin.length > 0);
  const sampled = await sampleRound(ctx, gradable, ctx.gradeSamples, Math.max(30_000, ctx.timeoutMs));
  const byName = new Map<string, LiveSample>(sampled.map((x) => [x.spec.name, x]));
  const out: Grading = { bytes: [], assessed: [], notes: [] };
  for (let i = 0; i < live.length; i++) {
    const x = byName.get(live[i].name);
    if (!x?.ok) {
      out.bytes.push(null);
      out.assessed.push(null);
      out.notes.push(`no grading sample: ${x ? x.reason : 'no successful round'}`);
      continue;
    }
    out.bytes.push(x.bytes);
    ctx.progress({ phase: 'assess', index: i + 1, total: live.length, source: live[i].name });
    try {
      out.assessed.push(await assessNonIid(x.bytes));
      out.notes.push(null);
    } catch (e) {
      // A single-symbol stream (BAD_INPUT: no entropy can be awarded, graded F with 0 bits) or an
      // assessment failure: the source is left ungraded with the reason, the rest of the bench goes on.
      out.assessed.push(null);
      out.notes.push(
        e instanceof OeError && e.code === 'BAD_INPUT' ? errorMessage(e) : `assessment failed: ${errorMessage(e)}`,
      );
    }
  }
  return out;
}

/** The row of a source that cannot run here. */
function unavailableRow(ctx: BenchContext, spec: SourceSpec, reason: string | null): BenchSourceRow {
  return {
    ...rowBase(ctx, spec),
    available: false,
    reason,
    state: 'UNAVAILABLE',
    healthy: false,
    rounds: ctx.rounds,
    success_rounds: 0,
    failures: 0,
    errors: [],
    bytes_total: 0,
    avg_shannon: null,
    round_min_entropy: [],
    round_shannon: [],
    round_throughput_bps: [],
    avg_round_min_entropy: null,
    min_entropy: null,
    grade: null,
    grade_note: 'unavailable',
    avg_throughput_bps: null,
    stability: 0,
    score: 0,
  };
}

function rowBase(ctx: BenchContext, spec: SourceSpec) {
  return {
    name: spec.name,
    category: spec.category,
    kind: spec.kind,
    composite: spec.category === 'composite',
    grade_samples: ctx.gradeSamples,
    min_entropy_method: 'SP 800-90B non-IID (§6.3), min over estimators, fixed sample size',
  };
}

/** Phase 3: one row per selected source (grade, stability, score). */
function sourceRows(ctx: BenchContext, perRound: RoundStats[], grading: Grading): BenchSourceRow[] {
  const maxBps = Math.max(0, ...perRound.map((a) => (a.bps.length ? mean(a.bps) : 0)));
  return ctx.specs.map((spec, k) => {
    const i = ctx.live.indexOf(spec);
    if (i < 0) return unavailableRow(ctx, spec, ctx.reasons[k]);
    const a = perRound[i];
    const success = a.hmin.length;
    const singleSymbol = grading.notes[i]?.includes('single symbol') ?? false;
    const assessed = grading.assessed[i];
    const h = assessed ? assessed.hAssessed : singleSymbol ? 0 : null;
    const stab = stability(a.hmin);
    const bps = a.bps.length ? mean(a.bps) : 0;
    return {
      ...rowBase(ctx, spec),
      available: true,
      reason: null,
      state: benchState(true, success, a.failures),
      healthy: h !== null && h > 1 && a.failures === 0,
      rounds: ctx.rounds,
      success_rounds: success,
      failures: a.failures,
      errors: a.errors,
      bytes_total: a.bytes,
      avg_shannon: success ? mean(a.shannon) : null,
      round_min_entropy: a.hmin,
      round_shannon: a.shannon,
      round_throughput_bps: a.bps,
      avg_round_min_entropy: success ? mean(a.hmin) : null,
      min_entropy: h,
      grade: h === null ? null : gradeMinEntropy(h),
      grade_note: grading.notes[i],
      avg_throughput_bps: success ? bps : null,
      stability: stab,
      score: benchScore(ctx.rankBy === 'quantum' ? 'balanced' : ctx.rankBy, {
        minEntropy: h ?? 0,
        throughputBps: bps,
        maxThroughputBps: maxBps,
        stability: stab,
        rounds: ctx.rounds,
        missedRounds: ctx.rounds - success - a.failures,
        failures: a.failures,
      }),
    };
  });
}

/** Phase 4: POOL_BYTES of the entropy pool's output under the bench's conditioning. */
async function poolSection(ctx: BenchContext): Promise<{ pool: BenchPool | null; note: string | null }> {
  if (ctx.options.pool === false) return { pool: null, note: 'skipped (--no-pool)' };
  ctx.progress({ phase: 'pool' });
  const ep = new EntropyPool({
    sources: ctx.live,
    sampler: ctx.sampler,
    probe: ctx.probe,
    batchTimeoutMs: Math.max(ctx.timeoutMs, 5000),
  });
  try {
    const out = await ep.getBytes(POOL_BYTES, ctx.conditioning);
    const hr = ep.healthReport();
    return {
      pool: {
        conditioning: ctx.conditioning,
        bytes: out.length,
        shannon_entropy: shannonEntropy(out).bitsPerByte,
        min_entropy: mostCommonValue(out).hMin,
        healthy_sources: hr.sourcesHealthy,
        total_sources: hr.sourcesTotal,
      },
      note: null,
    };
  } catch (e) {
    return { pool: null, note: `pool could not serve ${POOL_BYTES} bytes: ${errorMessage(e)}` };
  } finally {
    await ep.close();
  }
}

type QuantumBenchSection = NonNullable<BenchReport['experimental']>['quantum_proxy_v3'];

/**
 * Phase 5 (EXPERIMENTAL): quantum_proxy_v3 on the grading samples of the graded sources, with the live
 * stress sweep when asked; sets each row's quantum_score.
 */
async function quantumSection(
  ctx: BenchContext,
  rows: BenchSourceRow[],
  grading: Grading,
  telemetry: TelemetryWindow | undefined,
): Promise<QuantumBenchSection> {
  const { live, specs } = ctx;
  const qSources = live.filter((_, i) => grading.bytes[i] && rows[specs.indexOf(live[i])].min_entropy !== null);
  let sweep: StressSweepReport | undefined;
  if (ctx.options.quantumLiveStress && qSources.length > 0) {
    ctx.progress({ phase: 'stress', total: 4 });
    sweep = await runStressSweep(qSources, ctx.sampler, {
      samples: Math.min(ctx.gradeSamples, 4096),
      timeoutMs: Math.max(ctx.timeoutMs, 3000),
    });
  }
  ctx.progress({ phase: 'quantum' });
  const inputs: QuantumSourceInput[] = qSources.map((s) => ({
    name: s.name,
    category: s.category,
    kind: s.kind,
    minEntropyBits: rows[specs.indexOf(s)].min_entropy as number,
    bytes: grading.bytes[live.indexOf(s)] as Uint8Array,
    stressSweep: sweep ? sweepForSource(sweep, s.name) : undefined,
  }));
  const report = await quantumProxyV3Parallel(inputs, {
    config: { seed: ctx.seed },
    calibration: ctx.calibration,
    calibrationSource: ctx.options.quantumCalibration ?? 'default_seeded',
    telemetry,
  });
  const q = new Map(report.sources.map((s) => [s.name, s.quantum_score]));
  for (const r of rows) r.quantum_score = q.get(r.name) ?? null;
  return {
    model_id: QUANTUM_MODEL_ID,
    model_version: QUANTUM_MODEL_VERSION,
    sample_bytes: ctx.gradeSamples,
    calibration_source: report.calibration.source,
    stress_mode: sweep ? 'live' : 'windows',
    ...(sweep ? { stress_sweep: sweep } : {}),
    report,
  };
}

/** Phase 6: the ranked rows and every section as the bench JSON (schemas/bench.schema.json). */
function assembleReport(
  ctx: BenchContext,
  rows: BenchSourceRow[],
  pool: { pool: BenchPool | null; note: string | null },
  telemetry: TelemetryWindow | undefined,
  quantum: QuantumBenchSection | undefined,
): BenchReport {
  const order = (r: BenchSourceRow) => (ctx.rankBy === 'quantum' ? (r.quantum_score ?? -1) : r.score);
  rows.sort((a, b) => order(b) - order(a) || (a.name < b.name ? -1 : 1));
  const now = Date.now();
  const report: BenchReport = {
    format: 'oe-bench',
    format_version: BENCH_FORMAT_VERSION,
    generated_unix: Math.floor(now / 1000),
    generated_at: new Date(now).toISOString(),
    profile: ctx.profileName,
    conditioning: ctx.conditioning,
    rank_by: ctx.rankBy,
    seed: ctx.seed,
    settings: {
      samples_per_round: ctx.samplesPerRound,
      rounds: ctx.rounds,
      warmup_rounds: ctx.warmupRounds,
      timeout_sec: ctx.timeoutSec,
      grade_samples: ctx.gradeSamples,
      grade_method: 'SP 800-90B non-IID assessment of one contiguous sample of grade_samples raw bytes per source',
    },
    fingerprint: (ctx.options.fingerprint ?? fingerprint)(),
    standard: { sources: rows, pool: pool.pool, pool_note: pool.note },
  };
  if (telemetry || quantum)
    report.experimental = {
      label: 'EXPERIMENTAL: research outputs versioned by model_id/model_version, not release metrics',
      ...(telemetry ? { telemetry_v1: telemetry } : {}),
      ...(quantum ? { quantum_proxy_v3: quantum } : {}),
    };
  return report;
}

/** Runs a benchmark; see the module comment. */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const ctx = benchContext(options);
  const telemetryStart = options.telemetry ? telemetrySnapshot() : undefined;
  try {
    const perRound = await runRounds(ctx);
    const grading = await gradeSources(ctx, perRound);
    const rows = sourceRows(ctx, perRound, grading);
    const pool = await poolSection(ctx);
    const telemetry = telemetryStart ? telemetryWindow(telemetryStart, telemetrySnapshot()) : undefined;
    const quantum = ctx.quantum ? await quantumSection(ctx, rows, grading, telemetry) : undefined;
    const report = assembleReport(ctx, rows, pool, telemetry, quantum);
    ctx.progress({ phase: 'done' });
    return report;
  } finally {
    if (options.sampler === undefined) await ctx.sampler.close?.();
  }
}
