/**
 * quantum_proxy_v3 (EXPERIMENTAL): a model-based proxy for how much of a source's measured
 * min-entropy might come from physically unpredictable (quantum-origin) noise rather than classical,
 * state-dependent effects. It is NOT a proof that a source is a QRNG; every number it produces
 * depends on a hand-labelled prior and on heuristics. Constants follow openentropy's
 * `QuantumAssessmentConfig` (feature/qtm-bench); docs/ARCHITECTURE.md, "quantum_proxy_v3", says how
 * oe computes the model.
 */

export const QUANTUM_MODEL_ID = 'quantum_proxy_v3';
export const QUANTUM_MODEL_VERSION = 3;
/** oe's revision of the model (bumped whenever a formula here changes). */
export const QUANTUM_MODEL_REVISION = 'oe-1';
export const EXPERIMENTAL_LABEL =
  'EXPERIMENTAL: quantum_proxy_v3 is a model-based proxy, not a measurement and not a proof of quantum randomness';

export interface QuantumConfig {
  /** |r| at lag 0 treated as full-scale coupling. */
  corrThreshold: number;
  /** max-lag |r| treated as full-scale coupling. */
  laggedCorrThreshold: number;
  /** MI (bits) at lag 0 treated as full-scale coupling. */
  miThresholdBits: number;
  /** max-lag MI (bits) treated as full-scale coupling. */
  laggedMiThresholdBits: number;
  /** |ΔH∞| (bits) treated as full stress sensitivity. */
  stressDeltaBits: number;
  /** Lags scanned in both directions. */
  maxLag: number;
  /** Monte-Carlo draws (clamped 64..4096). */
  bootstrapRounds: number;
  /** Windows per stream for uncertainty and window stress. */
  bootstrapWindows: number;
  /** Smallest window (bytes) for a windowed MCV estimate; smaller windows are not used. */
  minWindowBytes: number;
  couplingWeightCorr: number;
  couplingWeightLagCorr: number;
  couplingWeightMi: number;
  couplingWeightLagMi: number;
  /** Circular-shift null draws per pair (clamped 0..256). */
  couplingNullRounds: number;
  /** Null guard in standard deviations: excess = max(0, obs − (null mean + sigma·null sd)). */
  couplingNullSigma: number;
  /** Benjamini–Hochberg level (clamped to [1e-6, 1]). */
  couplingFdrAlpha: number;
  /** If true, only BH-significant excess counts toward the penalty. */
  couplingUseFdrGate: boolean;
  /** Pairs shorter than max(minPairSamples, 8) are skipped. */
  minPairSamples: number;
  /** Seed of every random draw (Monte-Carlo); the same seed on the same data gives the same report. */
  seed: number;
}

export const DEFAULT_QUANTUM_CONFIG: Readonly<QuantumConfig> = Object.freeze({
  corrThreshold: 0.3,
  laggedCorrThreshold: 0.36,
  miThresholdBits: 0.02,
  laggedMiThresholdBits: 0.03,
  stressDeltaBits: 1.5,
  maxLag: 8,
  bootstrapRounds: 400,
  bootstrapWindows: 8,
  minWindowBytes: 512,
  couplingWeightCorr: 0.4,
  couplingWeightLagCorr: 0.2,
  couplingWeightMi: 0.25,
  couplingWeightLagMi: 0.15,
  couplingNullRounds: 31,
  couplingNullSigma: 2.0,
  couplingFdrAlpha: 0.05,
  couplingUseFdrGate: false,
  minPairSamples: 64,
  seed: 1,
});

/** Fills defaults and clamps every field to its documented range. */
export function resolveQuantumConfig(partial: Partial<QuantumConfig> = {}): QuantumConfig {
  const c = { ...DEFAULT_QUANTUM_CONFIG, ...partial };
  return {
    ...c,
    bootstrapRounds: Math.round(clamp(c.bootstrapRounds, 64, 4096)),
    bootstrapWindows: Math.round(clamp(c.bootstrapWindows, 2, 64)),
    minWindowBytes: Math.max(64, Math.round(c.minWindowBytes)),
    couplingNullRounds: Math.round(clamp(c.couplingNullRounds, 0, 256)),
    couplingFdrAlpha: clamp(c.couplingFdrAlpha, 1e-6, 1),
    maxLag: Math.round(clamp(c.maxLag, 0, 64)),
    seed: Math.trunc(c.seed) >>> 0,
  };
}

export function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

/** clamp(x, 0, 1), with NaN → 0. */
export function clamp01(x: number): number {
  return Number.isNaN(x) ? 0 : clamp(x, 0, 1);
}
