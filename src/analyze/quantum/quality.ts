/**
 * quantum_proxy_v3 (EXPERIMENTAL) quality factor: how "noise-like" a byte stream looks, in [0, 1].
 * Its formula and constants are openentropy's; the metrics under it come from src/analyze/stats.
 */
import { autocorrelation } from '../stats/autocorrelation.js';
import { bitBias } from '../stats/bit-bias.js';
import { spectralFlatness, welchPowerSpectrum } from '../stats/power-spectrum.js';
import { runs } from '../stats/runs.js';
import { stationarity } from '../stats/stationarity.js';
import { clamp01 } from './config.js';

/** The stream metrics the quality factor reads. */
export interface QualityMetrics {
  /** Spectral flatness in [0, 1] (1 = white). */
  spectralFlatness: number;
  /** max |r_k| over lags 1..min(100, n−2). */
  maxAbsAutocorrelation: number;
  /** Mean over the 8 bit positions of |P(bit = 1) − 0.5|. */
  overallBitBias: number;
  /** One-way ANOVA F of 10 equal windows' means. */
  stationarityF: number;
  /** F below the 5 % critical value. */
  stationary: boolean;
  /** Longest run of identical consecutive bytes. */
  longestRun: number;
  expectedLongestRun: number;
  /** Number of maximal runs of identical bytes. */
  runs: number;
  expectedRuns: number;
}

/**
 * The quality metrics of `bytes`, all from the per-source statistics (src/analyze/stats):
 * spectral flatness relative to its white-noise expectation (Welch: a single periodogram's flatness is
 * ≈ e^−γ ≈ 0.56 even for white noise), max |r_k| over lags 1..100, mean bit bias, the ANOVA
 * stationarity F with its exact 5 % test, and runs with expectations under the observed marginals.
 */
export function qualityMetrics(bytes: Uint8Array): QualityMetrics {
  const ac = autocorrelation(bytes, 100);
  const st = stationarity(bytes, 10);
  const spec = welchPowerSpectrum(bytes);
  const r = runs(bytes);
  return {
    spectralFlatness: spec ? clamp01(spectralFlatness(spec).relative) : 0,
    maxAbsAutocorrelation: ac.constant ? 1 : ac.maxAbs,
    overallBitBias: bitBias(bytes).overallBias,
    stationarityF: st.applicable ? st.f : 0,
    stationary: st.applicable ? st.pValue >= 0.05 : true,
    longestRun: r.longestRun,
    expectedLongestRun: r.expectedLongestRun,
    runs: r.totalRuns,
    expectedRuns: r.expectedRuns,
  };
}

/**
 * quality = clamp01( F × (1 − 0.50·A) × (1 − 0.40·B) × S × (1 − 0.30·R) ) (openentropy's formula), with
 * F = clamp01(spectral flatness); A = clamp01(max|autocorrelation| / 0.30); B = clamp01(bit bias / 0.03);
 * S = 1 if stationary else clamp01(1 / (1 + F_stat/3));
 * R = 0.5·clamp01((longest/expected_longest − 1)/2) + 0.5·clamp01((|runs − expected|/expected) / 0.4).
 * A constant stream has quality 0 (its autocorrelation is undefined and counted as 1, its flatness is 0).
 */
export function qualityFactor(m: QualityMetrics): number {
  const F = clamp01(m.spectralFlatness);
  const A = clamp01(m.maxAbsAutocorrelation / 0.3);
  const B = clamp01(m.overallBitBias / 0.03);
  const S = m.stationary ? 1 : clamp01(1 / (1 + m.stationarityF / 3));
  const R =
    0.5 * clamp01((m.longestRun / Math.max(1e-9, m.expectedLongestRun) - 1) / 2) +
    0.5 * clamp01(Math.abs(m.runs - m.expectedRuns) / Math.max(1e-9, m.expectedRuns) / 0.4);
  return clamp01(F * (1 - 0.5 * A) * (1 - 0.4 * B) * S * (1 - 0.3 * R));
}
