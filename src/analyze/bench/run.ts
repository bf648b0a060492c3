/**
 * `oe bench`: round-based benchmark of entropy sources. For every selected source: warmup rounds, then
 * `rounds` rounds of `samplesPerRound` measurements (all sources concurrently, each batch with the
 * profile's deadline), per-round Shannon and MCV min-entropy of the raw extracted bytes, throughput,
 * stability; then one fixed-size grading sample per source (GRADE_SAMPLES) assessed by the SP 800-90B
 * non-IID track; then the entropy-pool section; optionally telemetry and quantum_proxy_v3
 * (EXPERIMENTAL). This module drives collection (sampler pool, entropy pool, load threads); the
 * statistics it reports come from the analysis functions it imports.
 */
import { availableParallelism } from 'node:os';
import { probeSource } from '../../collect/availability.js';
import { getSource, selectSources } from '../../collect/catalog.js';
import { type Conditioning, parseConditioning } from '../../collect/conditioning/index.js';
import { type BatchSampler, EntropyPool } from '../../collect/entropy-pool.js';
import { type Fingerprint, fingerprint } from '../../collect/fingerprint.js';
import { SamplerPool } from '../../collect/sampler-pool.js';
import { type TelemetryWindow, telemetrySnapshot, telemetryWindow } from '../../collect/telemetry/index.js';
import type { SourceSpec } from '../../collect/types.js';
import { errorMessage, OeError } from '../../errors.js';
import { readCalibrationFile } from '../quantum/calibration-file.js';
import { QUANTUM_MODEL_ID, QUANTUM_MODEL_VERSION } from '../quantum/config.js';
import { type QuantumReport, type QuantumSourceInput, quantumProxyV3Parallel } from '../quantum/proxy.js';
import { mostCommonValue } from '../sp800-90b/most-common-value.js';
import { assessNonIid, type NonIidResult } from '../sp800-90b/non-iid.js';
import { shannonEntropy } from '../stats/shannon-entropy.js';
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
} from './grade.js';
import { settleLimited } from './limit.js';
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
  /** `--source NAME`: one source, exact name or first partial match. */
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
  sampler?: BatchSampler;
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
  if (!Number.isFinite(v) || v < min) throw new OeError('USAGE', `${name} must be a number >= ${min}, got ${v}`);
  return v;
}

/** The source list of a bench: `--source NAME` (exact, else first partial match) or the `--sources` filter. */
export function benchSources(options: Pick<BenchOptions, 'source' | 'sources'>): SourceSpec[] {
  if (options.source !== undefined) {
    try {
      return [getSource(options.source)];
    } catch {
      let hit: SourceSpec | undefined;
      try {
        hit = selectSources(options.source)[0];
      } catch {
        hit = undefined;
      }
      if (!hit) throw new OeError('NOT_FOUND', `--source: no source matches "${options.source}" (see "oe scan")`);
      return [hit];
    }
  }
  return selectSources(options.sources);
}

/** Runs a benchmark; see the module comment. */
export async function runBench(options: BenchOptions = {}): Promise<BenchReport> {
  const profileName = options.profile ?? 'standard';
  const profile = BENCH_PROFILES[profileName];
  if (!profile) throw new OeError('USAGE', `unknown profile "${profileName}" (quick, standard, deep)`);
  const samplesPerRound = Math.round(
    positive('--samples-per-round', options.samplesPerRound, 1) ?? profile.samplesPerRound,
  );
  const rounds = Math.round(positive('--rounds', options.rounds, 1) ?? profile.rounds);
  const warmupRounds = Math.round(positive('--warmup-rounds', options.warmupRounds, 0) ?? profile.warmupRounds);
  const timeoutSec = positive('--timeout-sec', options.timeoutSec, 0.1) ?? profile.timeoutSec;
  const rankBy: RankBy = options.rankBy ?? 'balanced';
  if (!['balanced', 'min_entropy', 'throughput', 'quantum'].includes(rankBy))
    throw new OeError('USAGE', `--rank-by must be balanced, min_entropy, throughput or quantum, got ${rankBy}`);
  const quantum = options.quantum === true || options.quantumLiveStress === true || rankBy === 'quantum';
  const conditioning = parseConditioning(options.conditioning ?? 'sha256');
  const seed = options.seed ?? 1;
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    throw new OeError('USAGE', `--seed must be an integer in 0..4294967295, got ${seed}`);
  const gradeSamples = options.gradeSamples ?? GRADE_SAMPLES;
  const calibration = options.quantumCalibration ? readCalibrationFile(options.quantumCalibration) : undefined;
  const progress = options.onProgress ?? (() => {});
  const probe = options.probe ?? probeSource;
  const specs = options.specs ? [...options.specs] : benchSources(options);
  const reasons = specs.map((s) => probe(s));
  const live = specs.filter((_, i) => reasons[i] === null);
  if (live.length === 0)
    throw new OeError(
      'UNAVAILABLE',
      `no selected source can run here (${specs.length > 1 ? `all ${specs.length} unavailable; ` : ''}${specs[0]?.name}: ${reasons[0]})`,
    );
  const ownsSampler = options.sampler === undefined;
  const sampler: BatchSampler = options.sampler ?? (new SamplerPool() as unknown as BatchSampler);
  const timeoutMs = timeoutSec * 1000;
  const sample = (s: SourceSpec, n: number, ms: number) =>
    (sampler.sample as (s: SourceSpec, n: number, o: object) => ReturnType<BatchSampler['sample']>)(s, n, {
      timeoutMs: ms,
      ignoreBackoff: true,
    });
  const telemetryStart = options.telemetry ? telemetrySnapshot() : undefined;
  // At most one batch per worker thread at a time: the pool's deadline counts from the call, so queued
  // batches would time out without the source being at fault.
  const limit = Math.max(1, options.concurrency ?? Math.max(2, availableParallelism()));
  const each = <T>(xs: readonly SourceSpec[], f: (s: SourceSpec, i: number) => Promise<T>) =>
    settleLimited(xs, limit, f);

  try {
    for (let w = 0; w < warmupRounds; w++) {
      progress({ phase: 'warmup', index: w + 1, total: warmupRounds });
      await each(live, (s) => sample(s, samplesPerRound, timeoutMs));
    }
    const perRound = live.map(() => ({
      shannon: [] as number[],
      hmin: [] as number[],
      bps: [] as number[],
      bytes: 0,
      failures: 0,
      errors: [] as string[],
    }));
    for (let r = 0; r < rounds; r++) {
      const t0 = Date.now();
      const res = await each(live, (s) => sample(s, samplesPerRound, timeoutMs));
      let roundBytes = 0;
      res.forEach((x, i) => {
        const acc = perRound[i];
        if (x.status === 'rejected') {
          acc.failures++;
          const msg = errorMessage(x.reason);
          if (!acc.errors.includes(msg) && acc.errors.length < 3) acc.errors.push(msg);
          return;
        }
        const bytes = live[i].extract(x.value.values);
        if (bytes.length < 2) {
          acc.failures++;
          return;
        }
        const sec = Number(x.value.endNs - x.value.startNs) / 1e9;
        acc.shannon.push(shannonEntropy(bytes).bitsPerByte);
        acc.hmin.push(mostCommonValue(bytes).hMin);
        if (sec > 0) acc.bps.push(bytes.length / sec);
        acc.bytes += bytes.length;
        roundBytes += bytes.length;
      });
      progress({ phase: 'round', index: r + 1, total: rounds, bytes: roundBytes, seconds: (Date.now() - t0) / 1000 });
    }

    // Grading: one contiguous sample of `gradeSamples` per source that had a successful round.
    const gradeTimeoutMs = Math.max(30_000, timeoutMs);
    progress({ phase: 'grade', total: live.length });
    const gradable = live.map((_, i) => perRound[i].hmin.length > 0);
    const gradeRes = await each(live, (s, i) =>
      gradable[i] ? sample(s, gradeSamples, gradeTimeoutMs) : Promise.reject(new Error('no successful round')),
    );
    const gradeBytes: (Uint8Array | null)[] = gradeRes.map((x, i) =>
      x.status === 'fulfilled' ? live[i].extract(x.value.values) : null,
    );
    const assessed: (NonIidResult | null)[] = [];
    const gradeNotes: (string | null)[] = [];
    for (let i = 0; i < live.length; i++) {
      const b = gradeBytes[i];
      const x = gradeRes[i];
      if (!b) {
        assessed.push(null);
        gradeNotes.push(`no grading sample: ${x.status === 'rejected' ? errorMessage(x.reason) : 'empty'}`);
        continue;
      }
      progress({ phase: 'assess', index: i + 1, total: live.length, source: live[i].name });
      try {
        assessed.push(await assessNonIid(b));
        gradeNotes.push(null);
      } catch (e) {
        // A single-symbol stream (BAD_INPUT: no entropy can be awarded, graded F with 0 bits) or an
        // assessment failure: the source is left ungraded with the reason, the rest of the bench goes on.
        assessed.push(null);
        gradeNotes.push(
          e instanceof OeError && e.code === 'BAD_INPUT' ? errorMessage(e) : `assessment failed: ${errorMessage(e)}`,
        );
      }
    }

    const maxBps = Math.max(0, ...perRound.map((a) => (a.bps.length ? mean(a.bps) : 0)));
    const rows: BenchSourceRow[] = specs.map((spec, k) => {
      const i = live.indexOf(spec);
      const base = {
        name: spec.name,
        category: spec.category,
        kind: spec.kind,
        composite: spec.category === 'composite',
        grade_samples: gradeSamples,
        min_entropy_method: 'SP 800-90B non-IID (§6.3), min over estimators, fixed sample size',
      };
      if (i < 0) {
        return {
          ...base,
          available: false,
          reason: reasons[k],
          state: 'UNAVAILABLE' as const,
          healthy: false,
          rounds,
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
      const a = perRound[i];
      const success = a.hmin.length;
      const singleSymbol = gradeNotes[i]?.includes('single symbol') ?? false;
      const h = assessed[i] ? assessed[i]!.hAssessed : singleSymbol ? 0 : null;
      const stab = stability(a.hmin);
      const bps = a.bps.length ? mean(a.bps) : 0;
      return {
        ...base,
        available: true,
        reason: null,
        state: benchState(true, success, a.failures),
        healthy: h !== null && h > 1 && a.failures === 0,
        rounds,
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
        grade_note: gradeNotes[i],
        avg_throughput_bps: success ? bps : null,
        stability: stab,
        score: benchScore(rankBy === 'quantum' ? 'balanced' : rankBy, {
          minEntropy: h ?? 0,
          throughputBps: bps,
          maxThroughputBps: maxBps,
          stability: stab,
          rounds,
          missedRounds: rounds - success - a.failures,
          failures: a.failures,
        }),
      };
    });

    // Pool section.
    let pool: BenchPool | null = null;
    let poolNote: string | null = null;
    if (options.pool === false) poolNote = 'skipped (--no-pool)';
    else if (live.length === 0) poolNote = 'no available source';
    else {
      progress({ phase: 'pool' });
      const ep = new EntropyPool({ sources: live, sampler, probe, batchTimeoutMs: Math.max(timeoutMs, 5000) });
      try {
        const out = await ep.getBytes(POOL_BYTES, conditioning);
        const hr = ep.healthReport();
        pool = {
          conditioning,
          bytes: out.length,
          shannon_entropy: shannonEntropy(out).bitsPerByte,
          min_entropy: mostCommonValue(out).hMin,
          healthy_sources: hr.sourcesHealthy,
          total_sources: hr.sourcesTotal,
        };
      } catch (e) {
        poolNote = `pool could not serve ${POOL_BYTES} bytes: ${errorMessage(e)}`;
      } finally {
        await ep.close();
      }
    }

    const telemetry = telemetryStart ? telemetryWindow(telemetryStart, telemetrySnapshot()) : undefined;
    let quantumSection: NonNullable<BenchReport['experimental']>['quantum_proxy_v3'];
    if (quantum) {
      const qSources = live.filter((_, i) => gradeBytes[i] && rows[specs.indexOf(live[i])].min_entropy !== null);
      let sweep: StressSweepReport | undefined;
      if (options.quantumLiveStress && qSources.length > 0) {
        progress({ phase: 'stress', total: 4 });
        sweep = await runStressSweep(qSources, sampler as never, {
          samples: Math.min(gradeSamples, 4096),
          timeoutMs: Math.max(timeoutMs, 3000),
        });
      }
      progress({ phase: 'quantum' });
      const inputs: QuantumSourceInput[] = qSources.map((s) => {
        const i = live.indexOf(s);
        return {
          name: s.name,
          category: s.category,
          kind: s.kind,
          minEntropyBits: rows[specs.indexOf(s)].min_entropy as number,
          bytes: gradeBytes[i] as Uint8Array,
          stressSweep: sweep ? sweepForSource(sweep, s.name) : undefined,
        };
      });
      const report = await quantumProxyV3Parallel(inputs, {
        config: { seed },
        calibration,
        calibrationSource: options.quantumCalibration ?? 'default_seeded',
        telemetry,
      });
      quantumSection = {
        model_id: QUANTUM_MODEL_ID,
        model_version: QUANTUM_MODEL_VERSION,
        sample_bytes: gradeSamples,
        calibration_source: report.calibration.source,
        stress_mode: sweep ? 'live' : 'windows',
        ...(sweep ? { stress_sweep: sweep } : {}),
        report,
      };
      const q = new Map(report.sources.map((s) => [s.name, s.quantum_score]));
      for (const r of rows) r.quantum_score = q.get(r.name) ?? null;
    }

    const order = (r: BenchSourceRow) => (rankBy === 'quantum' ? (r.quantum_score ?? -1) : r.score);
    rows.sort((a, b) => order(b) - order(a) || (a.name < b.name ? -1 : 1));
    progress({ phase: 'done' });
    const now = Date.now();
    const report: BenchReport = {
      format: 'oe-bench',
      format_version: BENCH_FORMAT_VERSION,
      generated_unix: Math.floor(now / 1000),
      generated_at: new Date(now).toISOString(),
      profile: profileName,
      conditioning,
      rank_by: rankBy,
      seed,
      settings: {
        samples_per_round: samplesPerRound,
        rounds,
        warmup_rounds: warmupRounds,
        timeout_sec: timeoutSec,
        grade_samples: gradeSamples,
        grade_method: 'SP 800-90B non-IID assessment of one contiguous sample of grade_samples raw bytes per source',
      },
      fingerprint: (options.fingerprint ?? fingerprint)(),
      standard: { sources: rows, pool, pool_note: poolNote },
    };
    if (telemetry || quantumSection)
      report.experimental = {
        label: 'EXPERIMENTAL: research outputs versioned by model_id/model_version, not release metrics',
        ...(telemetry ? { telemetry_v1: telemetry } : {}),
        ...(quantumSection ? { quantum_proxy_v3: quantumSection } : {}),
      };
    return report;
  } finally {
    if (ownsSampler) await sampler.close();
  }
}

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}
