/**
 * quantum_proxy_v3 (EXPERIMENTAL): the per-source decomposition
 *   q = clamp01( prior × quality × (1 − stress_eff) × (1 − coupling) ),
 *   stress_eff = clamp01(stress + telemetry_confound_penalty),
 *   q_bits = H∞·q,  c_bits = H∞ − q_bits  (H∞ clamped to [0, 8] bits per byte),
 * with Monte-Carlo intervals, an ablation and a sensitivity analysis, and the aggregate
 * Q = Σ q_bits, C = Σ c_bits, fraction Q/(Q+C), ratio Q/C.
 *
 * - every random draw comes from one seeded generator (config.seed): same data + same seed = same report;
 * - point estimates (sources and aggregate) use the caller's H∞ and the telemetry-adjusted stress; the
 *   Monte-Carlo draws are centred on the same values and only give the intervals;
 * - ablation and sensitivity use the effective (telemetry-adjusted) stress, with a
 *   `without_telemetry_confound` scenario;
 * - an infinite Q:C is written as the string "inf" and an undefined one (0/0) as null.
 */
import { populationSd } from '../stats/mean-sd.js';
import {
  clamp,
  clamp01,
  EXPERIMENTAL_LABEL,
  QUANTUM_MODEL_ID,
  QUANTUM_MODEL_REVISION,
  QUANTUM_MODEL_VERSION,
  type QuantumConfig,
  resolveQuantumConfig,
} from './config.js';
import { type ConfoundWindow, confoundPenalty, type TelemetryConfound, telemetryConfound } from './confound.js';
import {
  COUPLING_FAMILIES,
  type CouplingResult,
  couplingAnalysis,
  couplingPenaltySd,
  type SourceCoupling,
} from './coupling.js';
import { defaultCalibration, type PriorCalibration, physicsPrior } from './prior.js';
import { qualityFactor, qualityMetrics } from './quality.js';
import { RATIO_INFINITE, type Ratio, ratio } from './ratio.js';
import { SeededRng } from './rng.js';
import { type StressSweepSource, sweepStress, windowStress, windowsOf } from './stress.js';

export interface QuantumSourceInput {
  name: string;
  /** Catalog category (timing, io, thermal, …); selects the prior's category level. */
  category: string;
  /** `reference` sources (hardware/OS RNGs) are excluded: they are not measured physics. */
  kind?: 'physical' | 'counter' | 'reference';
  /** H∞ in bits per byte of the stream, as the caller measured it (e.g. SP 800-90B MCV of the full stream). */
  minEntropyBits: number;
  /** The source's raw byte stream: quality, coupling, window stress and uncertainty are computed from it. */
  bytes: Uint8Array;
  /** A live stress sweep for this source; without it stress comes from window variability. */
  stressSweep?: StressSweepSource;
  /** Replace the calibrated prior by p (CI p ± 0.05). */
  physicsPriorOverride?: number;
}

export interface QuantumOptions {
  config?: Partial<QuantumConfig>;
  calibration?: PriorCalibration;
  /** Label of the calibration in the report ("default_seeded" or the file path). */
  calibrationSource?: string;
  /** telemetry_v1 window spanning the measurement: enables the confound penalty. */
  telemetry?: ConfoundWindow;
  /** Coupling already computed over exactly the usable inputs' streams with this config (quantumProxyV3Parallel). */
  coupling?: CouplingResult;
}

/** Inputs in name order, without reference sources, too-short streams or missing H∞ (those are listed with the reason). */
export function usableInputs(inputs: readonly QuantumSourceInput[]): {
  used: QuantumSourceInput[];
  excluded: { name: string; reason: string }[];
} {
  const excluded: { name: string; reason: string }[] = [];
  const used = [...inputs]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .filter((s) => {
      if (s.kind === 'reference') {
        excluded.push({ name: s.name, reason: 'reference source (hardware/OS RNG): not measured physics' });
        return false;
      }
      if (s.bytes.length < 2) {
        excluded.push({ name: s.name, reason: `stream too short (${s.bytes.length} bytes)` });
        return false;
      }
      if (!Number.isFinite(s.minEntropyBits)) {
        excluded.push({ name: s.name, reason: 'min-entropy not available' });
        return false;
      }
      return true;
    });
  return { used, excluded };
}

/** quantumProxyV3 with the pairwise coupling spread over worker threads; the same report as the serial one. */
export async function quantumProxyV3Parallel(
  inputs: readonly QuantumSourceInput[],
  options: QuantumOptions & { threads?: number } = {},
): Promise<QuantumReport> {
  const { couplingAnalysisParallel } = await import('./coupling-parallel.js');
  const config = resolveQuantumConfig(options.config);
  const { used } = usableInputs(inputs);
  const coupling = await couplingAnalysisParallel(
    used.map((s) => ({ name: s.name, bytes: s.bytes })),
    config,
    options.threads,
  );
  return quantumProxyV3(inputs, { ...options, coupling });
}

/** One source's row of the report (snake_case, schemas/quantum.schema.json). */
export interface QuantumSourceReport {
  name: string;
  category: string;
  sample_bytes: number;
  min_entropy_bits: number;
  physics_prior: number;
  physics_prior_ci_low: number;
  physics_prior_ci_high: number;
  prior_source_samples: number;
  prior_category_samples: number;
  quality_factor: number;
  stress_mode: 'windows' | 'live';
  stress_sensitivity: number;
  stress_window_sd_observed: number | null;
  stress_window_sd_sampling: number | null;
  stress_sensitivity_effective: number;
  telemetry_confound_penalty: number;
  coupling_pairs: number;
  coupling_mean_abs_r_raw: number;
  coupling_mean_abs_r_lag_raw: number;
  coupling_mean_mi_bits_raw: number;
  coupling_mean_mi_bits_lag_raw: number;
  coupling_mean_abs_r_null: number;
  coupling_mean_abs_r_lag_null: number;
  coupling_mean_mi_bits_null: number;
  coupling_mean_mi_bits_lag_null: number;
  coupling_mean_abs_r: number;
  coupling_mean_abs_r_lag: number;
  coupling_mean_mi_bits: number;
  coupling_mean_mi_bits_lag: number;
  coupling_mean_q_corr: number;
  coupling_mean_q_corr_lag: number;
  coupling_mean_q_mi: number;
  coupling_mean_q_mi_lag: number;
  coupling_significant_pair_fraction_any: number;
  coupling_significant_pair_fraction_corr: number;
  coupling_significant_pair_fraction_corr_lag: number;
  coupling_significant_pair_fraction_mi: number;
  coupling_significant_pair_fraction_mi_lag: number;
  coupling_penalty: number;
  quantum_score: number;
  quantum_score_ci_low: number;
  quantum_score_ci_high: number;
  classical_score: number;
  quantum_min_entropy_bits: number;
  quantum_min_entropy_bits_ci_low: number;
  quantum_min_entropy_bits_ci_high: number;
  classical_min_entropy_bits: number;
  classical_min_entropy_bits_ci_low: number;
  classical_min_entropy_bits_ci_high: number;
}

export interface QuantumAggregate {
  quantum_bits: number;
  quantum_bits_ci_low: number;
  quantum_bits_ci_high: number;
  classical_bits: number;
  classical_bits_ci_low: number;
  classical_bits_ci_high: number;
  quantum_fraction: number;
  quantum_fraction_ci_low: number;
  quantum_fraction_ci_high: number;
  classical_fraction: number;
  /** Q/C; "inf" when C = 0 < Q; null when Q = C = 0. */
  quantum_to_classical: Ratio;
  quantum_to_classical_ci_low: Ratio;
  quantum_to_classical_ci_high: Ratio;
}

export interface AblationEntry {
  scenario: string;
  quantum_fraction: number;
  quantum_to_classical: Ratio;
  delta_quantum_fraction: number;
  /** Difference of the ratios; null when either ratio is not finite. */
  delta_quantum_to_classical: number | null;
}

export interface SensitivityRow {
  name: string;
  baseline_q: number;
  impact_without_prior: number;
  impact_without_quality: number;
  impact_without_coupling: number;
  impact_without_stress: number;
  impact_without_telemetry_confound: number;
}

export interface QuantumReport {
  model_id: string;
  model_version: number;
  model_revision: string;
  experimental: true;
  label: string;
  seed: number;
  config: Record<string, number | boolean>;
  calibration: {
    source: string;
    global_prior: number;
    global_prior_ci_low: number;
    global_prior_ci_high: number;
    category_entries: number;
    source_entries: number;
  };
  coupling: {
    pairs: number;
    skipped_pairs: number;
    significant_pairs_any: number;
    null_rounds: number;
    fdr_alpha: number;
    fdr_gate: boolean;
    /** BH runs once over all (pair, family) tests. */
    fdr_scope: 'all_pairs_all_families';
  };
  sources: QuantumSourceReport[];
  excluded: { name: string; reason: string }[];
  aggregate: QuantumAggregate;
  ablation: { entries: AblationEntry[] };
  sensitivity: {
    sources: SensitivityRow[];
    summary: {
      mean_impact_without_prior: number;
      mean_impact_without_quality: number;
      mean_impact_without_coupling: number;
      mean_impact_without_stress: number;
      mean_impact_without_telemetry_confound: number;
    };
  };
  telemetry_confound?: TelemetryConfound;
}

/** Point components of one source. */
interface Components {
  h: number;
  prior: number;
  quality: number;
  stress: number;
  confound: number;
  coupling: number;
}

/** q = clamp01(prior × quality × (1 − clamp01(stress + confound)) × (1 − coupling)). */
export function quantumScore(c: Omit<Components, 'h'>): number {
  return clamp01(c.prior * c.quality * (1 - clamp01(c.stress + c.confound)) * (1 - c.coupling));
}

/** q_bits = H∞·q and c_bits = H∞ − q_bits, with H∞ clamped to [0, 8]. */
export function splitBits(h: number, q: number): { q_bits: number; c_bits: number } {
  const hc = clamp(h, 0, 8);
  return { q_bits: hc * q, c_bits: hc - hc * q };
}

/** Aggregate of per-source bits: Q = Σ q_bits, C = Σ c_bits, fraction = Q/(Q+C) (0 when both are 0). */
export function aggregateBits(qBits: ArrayLike<number>, cBits: ArrayLike<number>) {
  let Q = 0;
  let C = 0;
  for (let i = 0; i < qBits.length; i++) {
    Q += qBits[i];
    C += cBits[i];
  }
  const frac = Q + C > 0 ? Q / (Q + C) : 0;
  return { Q, C, fraction: frac, ratio: ratio(Q, C) };
}

/** Linear-interpolation quantile (Hyndman–Fan type 7) of an ascending array; ∞ propagates. */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  const a = sorted[lo];
  const b = sorted[hi];
  if (a === b || h === lo) return a;
  if (!Number.isFinite(a) || !Number.isFinite(b)) return b;
  return a + (h - lo) * (b - a);
}

/** What the per-source phase needs besides the source: config, calibration and the shared analyses. */
interface SourceContext {
  config: QuantumConfig;
  calibration: PriorCalibration;
  confound: TelemetryConfound | undefined;
  coupling: CouplingResult;
}

/** A source's row before the Monte-Carlo intervals are known (they are filled in by `withIntervals`). */
type PointRow = Omit<QuantumSourceReport, 'quantum_score_ci_low' | 'quantum_score_ci_high'>;

/** One source measured: its point components, their standard errors, and its report row. */
interface MeasuredSource {
  components: Components;
  sds: Components;
  row: PointRow;
}

/**
 * Phase 1, one source: point components (prior, quality, stress from a live sweep or from window
 * variability, telemetry confound, coupling penalty, H∞ clamped to [0, 8]), the standard error of
 * each (of the full-stream value; floors 0.02 / 0.01 and the stress band keep an interval from
 * collapsing on a short stream), and the row of the report.
 */
function measureSource(s: QuantumSourceInput, ctx: SourceContext): MeasuredSource {
  const { config, confound, coupling } = ctx;
  const W = config.bootstrapWindows;
  const prior = physicsPrior(ctx.calibration, s.name, s.category, s.physicsPriorOverride);
  const quality = qualityFactor(qualityMetrics(s.bytes));
  const ws = windowStress(s.bytes, W, config.minWindowBytes, config.stressDeltaBits);
  const live = s.stressSweep ? sweepStress(s.stressSweep, config.stressDeltaBits) : undefined;
  const stress = live ? live.stress : ws.stress;
  const pen = confound ? confoundPenalty(confound, s.category) : 0;
  const cp = coupling.bySource.get(s.name) as SourceCoupling;
  const h = clamp(s.minEntropyBits, 0, 8);
  const components: Components = { h, prior: prior.mean, quality, stress, confound: pen, coupling: cp.penalty };
  const windows = windowsOf(s.bytes, W, config.minWindowBytes);
  const qWin = windows.length >= 2 ? windows.map((w) => qualityFactor(qualityMetrics(w))) : [];
  const k = Math.max(1, windows.length);
  const sds: Components = {
    h: windows.length >= 2 ? Math.max(0.02, populationSd(ws.windowMinEntropy) / Math.sqrt(k)) : 0.05,
    prior: Math.max((prior.ci_high - prior.ci_low) / (2 * 1.96), 0.01),
    quality: qWin.length >= 2 ? Math.max(0.02, populationSd(qWin) / Math.sqrt(k)) : 0.02,
    stress: clamp(0.03 + 0.2 * stress, 0.02, 0.2),
    confound: 0,
    coupling: cp.pairs > 0 ? Math.max(0.02, couplingPenaltySd(s.name, coupling, config)) : 0,
  };
  const q = quantumScore(components);
  const bits = splitBits(h, q);
  const row: PointRow = {
    name: s.name,
    category: s.category,
    sample_bytes: s.bytes.length,
    min_entropy_bits: h,
    physics_prior: prior.mean,
    physics_prior_ci_low: prior.ci_low,
    physics_prior_ci_high: prior.ci_high,
    prior_source_samples: prior.source_samples,
    prior_category_samples: prior.category_samples,
    quality_factor: quality,
    stress_mode: live ? 'live' : 'windows',
    stress_sensitivity: stress,
    stress_window_sd_observed: live ? null : ws.observedSd,
    stress_window_sd_sampling: live ? null : ws.samplingSd,
    stress_sensitivity_effective: clamp01(stress + pen),
    telemetry_confound_penalty: pen,
    ...couplingColumns(cp),
    quantum_score: q,
    classical_score: 1 - q,
    quantum_min_entropy_bits: bits.q_bits,
    quantum_min_entropy_bits_ci_low: 0,
    quantum_min_entropy_bits_ci_high: 0,
    classical_min_entropy_bits: bits.c_bits,
    classical_min_entropy_bits_ci_low: 0,
    classical_min_entropy_bits_ci_high: 0,
  };
  return { components, sds, row };
}

/** A source's coupling summary as report columns (families in COUPLING_FAMILIES order). */
function couplingColumns(cp: SourceCoupling) {
  return {
    coupling_pairs: cp.pairs,
    coupling_mean_abs_r_raw: cp.meanRaw[0],
    coupling_mean_abs_r_lag_raw: cp.meanRaw[1],
    coupling_mean_mi_bits_raw: cp.meanRaw[2],
    coupling_mean_mi_bits_lag_raw: cp.meanRaw[3],
    coupling_mean_abs_r_null: cp.meanNull[0],
    coupling_mean_abs_r_lag_null: cp.meanNull[1],
    coupling_mean_mi_bits_null: cp.meanNull[2],
    coupling_mean_mi_bits_lag_null: cp.meanNull[3],
    coupling_mean_abs_r: cp.meanExcess[0],
    coupling_mean_abs_r_lag: cp.meanExcess[1],
    coupling_mean_mi_bits: cp.meanExcess[2],
    coupling_mean_mi_bits_lag: cp.meanExcess[3],
    coupling_mean_q_corr: cp.meanQ[0],
    coupling_mean_q_corr_lag: cp.meanQ[1],
    coupling_mean_q_mi: cp.meanQ[2],
    coupling_mean_q_mi_lag: cp.meanQ[3],
    coupling_significant_pair_fraction_any: cp.significantFractionAny,
    coupling_significant_pair_fraction_corr: cp.significantFraction[0],
    coupling_significant_pair_fraction_corr_lag: cp.significantFraction[1],
    coupling_significant_pair_fraction_mi: cp.significantFraction[2],
    coupling_significant_pair_fraction_mi_lag: cp.significantFraction[3],
    coupling_penalty: cp.penalty,
  };
}

/** Monte-Carlo draws: per source q, q_bits, c_bits; per draw the aggregate Q, C, Q/(Q+C) and Q/C. */
interface Draws {
  q: Float64Array[];
  qBits: Float64Array[];
  cBits: Float64Array[];
  Q: Float64Array;
  C: Float64Array;
  fraction: Float64Array;
  /** Q/C; +∞ when C = 0 < Q, NaN when Q = C = 0. */
  ratio: Float64Array;
}

/**
 * Phase 2: `rounds` draws of every source's components ~ Normal(point, sd), clamped (H∞ to [0, 8],
 * the rest to [0, 1]); a component with sd 0 is not drawn. One seeded generator, drawn source by source
 * within a round in a fixed order (H∞, prior, quality, stress, coupling), so a seed fixes every interval.
 */
function monteCarlo(points: readonly Components[], sds: readonly Components[], rounds: number, seed: number): Draws {
  const rng = new SeededRng(seed);
  const m = points.length;
  const d: Draws = {
    q: Array.from({ length: m }, () => new Float64Array(rounds)),
    qBits: Array.from({ length: m }, () => new Float64Array(rounds)),
    cBits: Array.from({ length: m }, () => new Float64Array(rounds)),
    Q: new Float64Array(rounds),
    C: new Float64Array(rounds),
    fraction: new Float64Array(rounds),
    ratio: new Float64Array(rounds),
  };
  const draw = (mu: number, s: number, lo: number, hi: number) => (s > 0 ? clamp(mu + s * rng.normal(), lo, hi) : mu);
  for (let r = 0; r < rounds; r++) {
    let Q = 0;
    let C = 0;
    for (let i = 0; i < m; i++) {
      const c = points[i];
      const sd = sds[i];
      const h = draw(c.h, sd.h, 0, 8);
      const q = quantumScore({
        prior: draw(c.prior, sd.prior, 0, 1),
        quality: draw(c.quality, sd.quality, 0, 1),
        stress: draw(c.stress, sd.stress, 0, 1),
        confound: c.confound,
        coupling: draw(c.coupling, sd.coupling, 0, 1),
      });
      const b = splitBits(h, q);
      d.q[i][r] = q;
      d.qBits[i][r] = b.q_bits;
      d.cBits[i][r] = b.c_bits;
      Q += b.q_bits;
      C += b.c_bits;
    }
    d.Q[r] = Q;
    d.C[r] = C;
    d.fraction[r] = Q + C > 0 ? Q / (Q + C) : 0;
    d.ratio[r] = C > 0 ? Q / C : Q > 0 ? Number.POSITIVE_INFINITY : Number.NaN;
  }
  return d;
}

/** Central 95 % interval (2.5 % and 97.5 % type-7 quantiles) of draws. */
function interval95(xs: Float64Array): [number, number] {
  const s = Float64Array.from(xs).sort();
  return [quantileSorted(s, 0.025), quantileSorted(s, 0.975)];
}

/** Phase 3, one source: its row with the Monte-Carlo intervals of q, q_bits and c_bits. */
function withIntervals(row: PointRow, draws: Draws, i: number): QuantumSourceReport {
  const [ql, qh] = interval95(draws.q[i]);
  const [bl, bh] = interval95(draws.qBits[i]);
  const [cl, ch] = interval95(draws.cBits[i]);
  return {
    ...row,
    quantum_score_ci_low: ql,
    quantum_score_ci_high: qh,
    quantum_min_entropy_bits_ci_low: bl,
    quantum_min_entropy_bits_ci_high: bh,
    classical_min_entropy_bits_ci_low: cl,
    classical_min_entropy_bits_ci_high: ch,
  } as QuantumSourceReport;
}

/** Phase 3, aggregate: Q, C, fraction and Q/C of the point estimates, with their Monte-Carlo intervals. */
function aggregateWithIntervals(sources: readonly QuantumSourceReport[], draws: Draws): QuantumAggregate {
  const point = aggregateBits(
    sources.map((s) => s.quantum_min_entropy_bits),
    sources.map((s) => s.classical_min_entropy_bits),
  );
  const [Ql, Qh] = interval95(draws.Q);
  const [Cl, Ch] = interval95(draws.C);
  const [Fl, Fh] = interval95(draws.fraction);
  // Ratio quantiles over the draws where it is defined (NaN = 0/0 is left out).
  const defined = Float64Array.from(draws.ratio.filter((x) => !Number.isNaN(x))).sort();
  const ratioCi = (p: number): Ratio => {
    if (defined.length === 0) return null;
    const v = quantileSorted(defined, p);
    return Number.isFinite(v) ? v : RATIO_INFINITE;
  };
  return {
    quantum_bits: point.Q,
    quantum_bits_ci_low: Ql,
    quantum_bits_ci_high: Qh,
    classical_bits: point.C,
    classical_bits_ci_low: Cl,
    classical_bits_ci_high: Ch,
    quantum_fraction: point.fraction,
    quantum_fraction_ci_low: Fl,
    quantum_fraction_ci_high: Fh,
    classical_fraction: point.Q + point.C > 0 ? 1 - point.fraction : 0,
    quantum_to_classical: point.ratio,
    quantum_to_classical_ci_low: ratioCi(0.025),
    quantum_to_classical_ci_high: ratioCi(0.975),
  };
}

/** The components a scenario replaces: each knocks out one factor (prior → the global prior). */
function knockouts(globalPrior: number): [string, (c: Components) => Components][] {
  return [
    ['without_prior', (c) => ({ ...c, prior: globalPrior })],
    ['without_quality', (c) => ({ ...c, quality: 1 })],
    ['without_coupling', (c) => ({ ...c, coupling: 0 })],
    ['without_stress', (c) => ({ ...c, stress: 0 })],
    ['without_telemetry_confound', (c) => ({ ...c, confound: 0 })],
  ];
}

/**
 * Phase 4: the aggregate fraction and Q/C under each scenario (point estimates, effective stress
 * everywhere) and its difference from the full model.
 */
function ablation(points: readonly Components[], globalPrior: number): AblationEntry[] {
  const scenarios: [string, (c: Components) => Components][] = [
    ['full', (c) => c],
    ...knockouts(globalPrior),
    ['prior_only', (c) => ({ ...c, quality: 1, stress: 0, confound: 0, coupling: 0 })],
    ['measured_only', (c) => ({ ...c, prior: 1 })],
  ];
  const evalScenario = (f: (c: Components) => Components) => {
    const qb: number[] = [];
    const cb: number[] = [];
    for (const c0 of points) {
      const c = f(c0);
      const b = splitBits(c.h, quantumScore(c));
      qb.push(b.q_bits);
      cb.push(b.c_bits);
    }
    return aggregateBits(qb, cb);
  };
  const full = evalScenario((c) => c);
  return scenarios.map(([scenario, f]) => {
    const a = evalScenario(f);
    return {
      scenario,
      quantum_fraction: a.fraction,
      quantum_to_classical: a.ratio,
      delta_quantum_fraction: a.fraction - full.fraction,
      delta_quantum_to_classical:
        typeof a.ratio === 'number' && typeof full.ratio === 'number' ? a.ratio - full.ratio : null,
    };
  });
}

/**
 * Phase 5: per source, |q − q_without_X| for each factor X, sources by total impact (largest first,
 * then by name), and the mean impact of each factor.
 */
function sensitivity(points: readonly Components[], names: readonly string[], globalPrior: number) {
  const [prior, quality, coupling, stress, confound] = knockouts(globalPrior).map(([, f]) => f);
  const rows: SensitivityRow[] = points.map((c, i) => {
    const q0 = quantumScore(c);
    const imp = (x: Components) => Math.abs(quantumScore(x) - q0);
    return {
      name: names[i],
      baseline_q: q0,
      impact_without_prior: imp(prior(c)),
      impact_without_quality: imp(quality(c)),
      impact_without_coupling: imp(coupling(c)),
      impact_without_stress: imp(stress(c)),
      impact_without_telemetry_confound: imp(confound(c)),
    };
  });
  const total = (r: SensitivityRow) =>
    r.impact_without_prior +
    r.impact_without_quality +
    r.impact_without_coupling +
    r.impact_without_stress +
    r.impact_without_telemetry_confound;
  rows.sort((a, b) => total(b) - total(a) || (a.name < b.name ? -1 : 1));
  const meanOf = (k: keyof SensitivityRow) =>
    rows.length ? rows.reduce((a, r) => a + (r[k] as number), 0) / rows.length : 0;
  return {
    sources: rows,
    summary: {
      mean_impact_without_prior: meanOf('impact_without_prior'),
      mean_impact_without_quality: meanOf('impact_without_quality'),
      mean_impact_without_coupling: meanOf('impact_without_coupling'),
      mean_impact_without_stress: meanOf('impact_without_stress'),
      mean_impact_without_telemetry_confound: meanOf('impact_without_telemetry_confound'),
    },
  };
}

/**
 * Runs quantum_proxy_v3 (EXPERIMENTAL) over per-source streams. Pure: the same inputs, options and seed
 * give the same report (inputs are processed in name order, whatever order they come in). Phases:
 * measure each source, Monte-Carlo intervals, aggregate, ablation, sensitivity.
 */
export function quantumProxyV3(inputs: readonly QuantumSourceInput[], options: QuantumOptions = {}): QuantumReport {
  const config = resolveQuantumConfig(options.config);
  const calibration = options.calibration ?? defaultCalibration();
  const { used, excluded } = usableInputs(inputs);
  const confound = options.telemetry ? telemetryConfound(options.telemetry) : undefined;
  const coupling =
    options.coupling ??
    couplingAnalysis(
      used.map((s) => ({ name: s.name, bytes: s.bytes })),
      config,
    );
  const measured = used.map((s) => measureSource(s, { config, calibration, confound, coupling }));
  const points = measured.map((m) => m.components);
  const draws = monteCarlo(
    points,
    measured.map((m) => m.sds),
    config.bootstrapRounds,
    config.seed,
  );
  const sources = measured.map((m, i) => withIntervals(m.row, draws, i));
  const aggregate = aggregateWithIntervals(sources, draws);
  const globalPrior = calibration.global.mean;
  sources.sort((a, b) => b.quantum_score - a.quantum_score || (a.name < b.name ? -1 : 1));
  return {
    model_id: QUANTUM_MODEL_ID,
    model_version: QUANTUM_MODEL_VERSION,
    model_revision: QUANTUM_MODEL_REVISION,
    experimental: true,
    label: EXPERIMENTAL_LABEL,
    seed: config.seed,
    config: configToJson(config),
    calibration: {
      source: options.calibrationSource ?? calibration.description ?? 'default_seeded',
      global_prior: calibration.global.mean,
      global_prior_ci_low: calibration.global.ci_low,
      global_prior_ci_high: calibration.global.ci_high,
      category_entries: Object.keys(calibration.categories).length,
      source_entries: Object.keys(calibration.sources).length,
    },
    coupling: {
      pairs: coupling.pairs.length,
      skipped_pairs: coupling.skippedPairs,
      significant_pairs_any: coupling.pairs.filter((p) => p.significant.some(Boolean)).length,
      null_rounds: config.couplingNullRounds,
      fdr_alpha: config.couplingFdrAlpha,
      fdr_gate: config.couplingUseFdrGate,
      fdr_scope: 'all_pairs_all_families',
    },
    sources,
    excluded,
    aggregate,
    ablation: { entries: ablation(points, globalPrior) },
    sensitivity: sensitivity(
      points,
      used.map((s) => s.name),
      globalPrior,
    ),
    ...(confound ? { telemetry_confound: confound } : {}),
  };
}

/** The config as snake_case JSON (openentropy's field names). */
export function configToJson(c: QuantumConfig): Record<string, number | boolean> {
  return {
    corr_threshold: c.corrThreshold,
    lagged_corr_threshold: c.laggedCorrThreshold,
    mi_threshold_bits: c.miThresholdBits,
    lagged_mi_threshold_bits: c.laggedMiThresholdBits,
    stress_delta_bits: c.stressDeltaBits,
    max_lag: c.maxLag,
    bootstrap_rounds: c.bootstrapRounds,
    bootstrap_windows: c.bootstrapWindows,
    min_window_bytes: c.minWindowBytes,
    coupling_weight_corr: c.couplingWeightCorr,
    coupling_weight_lag_corr: c.couplingWeightLagCorr,
    coupling_weight_mi: c.couplingWeightMi,
    coupling_weight_lag_mi: c.couplingWeightLagMi,
    coupling_null_rounds: c.couplingNullRounds,
    coupling_null_sigma: c.couplingNullSigma,
    coupling_fdr_alpha: c.couplingFdrAlpha,
    coupling_use_fdr_gate: c.couplingUseFdrGate,
    min_pair_samples: c.minPairSamples,
  };
}

export { COUPLING_FAMILIES };
