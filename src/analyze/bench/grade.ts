/**
 * Bench metrics: grading, stability, ranking score and state. Pure functions.
 *
 * Grades come from the SP 800-90B non-IID assessment (§6.3, `assessNonIid`) of a contiguous sample of
 * exactly GRADE_SAMPLES measurements per source, whatever the profile: min-entropy estimates carry
 * sample-size-dependent confidence bounds (MCV on 2048 uniform bytes tops out near 6.1 bits, on 4096
 * near 6.5), so grades taken from each profile's round size would change with the profile.
 */
import { mean, populationSd } from '../stats/mean-sd.js';

/** Measurements per source in the grading sample (fixed for every profile). */
export const GRADE_SAMPLES = 16384;

export type Grade = 'A' | 'B' | 'C' | 'D' | 'F';

/** openentropy's thresholds on H∞ (bits per byte): A ≥ 6, B ≥ 4, C ≥ 2, D ≥ 1, else F. */
export function gradeMinEntropy(h: number): Grade {
  if (!(h >= 0)) return 'F';
  if (h >= 6) return 'A';
  if (h >= 4) return 'B';
  if (h >= 2) return 'C';
  if (h >= 1) return 'D';
  return 'F';
}

/**
 * Stability across rounds = 1 − min(CV, 1) of the per-round min-entropy, CV = population SD / mean.
 * One round → 1; no rounds → 0; mean ≈ 0 → 1 if SD ≈ 0, else 0 (openentropy's definition).
 */
export function stability(values: readonly number[]): number {
  if (values.length === 0) return 0;
  if (values.length === 1) return 1;
  const m = mean(values);
  const sd = populationSd(values, m);
  if (Math.abs(m) < 1e-12) return sd < 1e-12 ? 1 : 0;
  return 1 - Math.min(sd / Math.abs(m), 1);
}

export type RankBy = 'balanced' | 'min_entropy' | 'throughput' | 'quantum';

export interface ScoreInput {
  minEntropy: number;
  throughputBps: number;
  maxThroughputBps: number;
  stability: number;
  rounds: number;
  missedRounds: number;
  failures: number;
}

/**
 * Ranking score (openentropy's formula):
 * min_entropy → H∞; throughput → B/s; balanced → 0.7·clamp01(H∞/8) + 0.2·(B/s ÷ max B/s) + 0.1·stability;
 * each multiplied by the reliability factor 1 − 0.5·clamp01((missed + failures)/rounds).
 * (`quantum` ranks by the experimental q; its `score` stays the balanced one.)
 */
export function benchScore(rankBy: RankBy, s: ScoreInput): number {
  const c01 = (x: number) => Math.min(1, Math.max(0, x));
  let base: number;
  if (rankBy === 'min_entropy') base = s.minEntropy;
  else if (rankBy === 'throughput') base = s.throughputBps;
  else
    base =
      0.7 * c01(s.minEntropy / 8) +
      0.2 * (s.maxThroughputBps > 0 ? s.throughputBps / s.maxThroughputBps : 0) +
      0.1 * s.stability;
  const reliability = 1 - 0.5 * c01(s.rounds > 0 ? (s.missedRounds + s.failures) / s.rounds : 1);
  return base * reliability;
}

export type BenchState = 'OK' | 'UNSTABLE' | 'FAILED' | 'UNAVAILABLE';

/** UNAVAILABLE: cannot run here; FAILED: no successful round; UNSTABLE: any failed round; OK otherwise. */
export function benchState(available: boolean, successRounds: number, failures: number): BenchState {
  if (!available) return 'UNAVAILABLE';
  if (successRounds === 0) return 'FAILED';
  if (failures > 0) return 'UNSTABLE';
  return 'OK';
}

export interface BenchProfile {
  samplesPerRound: number;
  rounds: number;
  warmupRounds: number;
  timeoutSec: number;
}

/** openentropy's profiles (samples/round, rounds, warmup, timeout s). */
export const BENCH_PROFILES: Readonly<Record<'quick' | 'standard' | 'deep', BenchProfile>> = {
  quick: { samplesPerRound: 2048, rounds: 3, warmupRounds: 1, timeoutSec: 2.0 },
  standard: { samplesPerRound: 4096, rounds: 5, warmupRounds: 1, timeoutSec: 3.0 },
  deep: { samplesPerRound: 16384, rounds: 10, warmupRounds: 2, timeoutSec: 6.0 },
};
