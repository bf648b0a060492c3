/**
 * quantum_proxy_v3 (EXPERIMENTAL) physics prior: a calibrated hierarchical Beta model of "how much of
 * this kind of source is plausibly quantum-origin noise". It restates hand labels (openentropy's
 * table), so it dominates rankings; treat it as an assumption, not a measurement.
 */
import { betaQuantile } from '../stats/incomplete-beta.js';
import { QUANTUM_MODEL_ID, QUANTUM_MODEL_VERSION } from './config.js';

export { betaQuantile };

/** One labelled calibration record: y ∈ [0,1] with weight w (floored at 0.1). */
export interface CalibrationRecord {
  source?: string;
  category?: string;
  label: number;
  weight: number;
}

/** A Beta(α, β) posterior with its summary. */
export interface BetaPosterior {
  alpha: number;
  beta: number;
  /** n_eff = α + β − 2 (the labelled weight added to the Beta(1,1) start). */
  n_eff: number;
  /** α / (α + β). */
  mean: number;
  /** 2.5 % quantile of Beta(α, β) (exact, by inverting the regularized incomplete beta). */
  ci_low: number;
  /** 97.5 % quantile of Beta(α, β). */
  ci_high: number;
}

/** The serialized calibration (`--quantum-calibration FILE`, schemas/quantum-calibration.schema.json). */
export interface PriorCalibration {
  model_id: string;
  model_version: number;
  prior_alpha: number;
  prior_beta: number;
  global: BetaPosterior;
  categories: Record<string, BetaPosterior>;
  sources: Record<string, BetaPosterior>;
  /** Where this calibration came from (file path or "default_seeded"); informative. */
  description?: string;
}

/**
 * openentropy's category labels (label, weight): they are the model's assumption.
 * `novel` (a category of oe's catalog that the table lacks) is not labelled and falls back to
 * the global mean.
 */
export const SEEDED_CATEGORY_LABELS: Readonly<Record<string, readonly [number, number]>> = {
  thermal: [0.76, 20],
  sensor: [0.69, 16],
  timing: [0.45, 20],
  gpu: [0.38, 14],
  io: [0.34, 14],
  ipc: [0.29, 12],
  microarch: [0.28, 16],
  scheduling: [0.24, 12],
  network: [0.23, 10],
  system: [0.19, 14],
  signal: [0.2, 10],
  composite: [0.1, 8],
};

/**
 * openentropy's source labels (category, label, weight), keyed by oe's source names:
 * `iosurface_crossing` is filed under gpu (its real category), `tcp_connect_timing` is the TCP source,
 * and there is no `process` entry (`process_table` is labelled), so every label applies to a source
 * and none inflates the tallies.
 */
export const SEEDED_SOURCE_LABELS: Readonly<Record<string, readonly [string, number, number]>> = {
  audio_noise: ['sensor', 0.95, 12],
  camera_noise: ['sensor', 0.94, 10],
  counter_beat: ['thermal', 0.9, 12],
  audio_pll_timing: ['thermal', 0.82, 10],
  display_pll: ['thermal', 0.82, 10],
  pcie_pll: ['thermal', 0.82, 10],
  denormal_timing: ['thermal', 0.72, 8],
  pdn_resonance: ['thermal', 0.72, 8],
  usb_timing: ['io', 0.42, 8],
  gpu_timing: ['gpu', 0.42, 8],
  gpu_divergence: ['gpu', 0.42, 8],
  iosurface_crossing: ['gpu', 0.42, 8],
  sleep_jitter: ['scheduling', 0.25, 8],
  dispatch_queue: ['scheduling', 0.25, 8],
  sysctl_deltas: ['system', 0.18, 8],
  vmstat_deltas: ['system', 0.18, 8],
  process_table: ['system', 0.18, 6],
  dns_timing: ['network', 0.22, 6],
  tcp_connect_timing: ['network', 0.22, 6],
  wifi_rssi: ['network', 0.22, 6],
};

export function seededCalibrationRecords(): CalibrationRecord[] {
  const out: CalibrationRecord[] = [];
  for (const [category, [label, weight]] of Object.entries(SEEDED_CATEGORY_LABELS))
    out.push({ category, label, weight });
  for (const [source, [category, label, weight]] of Object.entries(SEEDED_SOURCE_LABELS))
    out.push({ source, category, label, weight });
  return out;
}

/**
 * Summary of Beta(α, β): mean α/(α+β), n_eff = α+β−2 and the equal-tailed 95 % interval from Beta
 * quantiles (mean ± 1.96·sd could leave [0, 1] and misplaces the interval of a skewed posterior).
 */
export function betaPosterior(alpha: number, beta: number): BetaPosterior {
  return {
    alpha,
    beta,
    n_eff: alpha + beta - 2,
    mean: alpha / (alpha + beta),
    ci_low: betaQuantile(0.025, alpha, beta),
    ci_high: betaQuantile(0.975, alpha, beta),
  };
}

/**
 * Builds the hierarchical calibration: start every level at Beta(α0, β0) (default 1, 1); every record
 * adds y·w to α and (1−y)·w to β at the global level, at its category (if given) and at its source
 * (if given). Weights are floored at 0.1 and labels clamped to [0, 1].
 */
export function buildCalibration(
  records: readonly CalibrationRecord[],
  priorAlpha = 1,
  priorBeta = 1,
  description = 'records',
): PriorCalibration {
  let ga = priorAlpha;
  let gb = priorBeta;
  const cats = new Map<string, [number, number]>();
  const srcs = new Map<string, [number, number]>();
  const add = (m: Map<string, [number, number]>, k: string, a: number, b: number) => {
    const cur = m.get(k) ?? [priorAlpha, priorBeta];
    m.set(k, [cur[0] + a, cur[1] + b]);
  };
  for (const r of records) {
    const y = Math.min(1, Math.max(0, r.label));
    const w = Math.max(0.1, r.weight);
    ga += y * w;
    gb += (1 - y) * w;
    if (r.category) add(cats, r.category, y * w, (1 - y) * w);
    if (r.source) add(srcs, r.source, y * w, (1 - y) * w);
  }
  const toObj = (m: Map<string, [number, number]>) =>
    Object.fromEntries([...m.keys()].sort().map((k) => [k, betaPosterior(m.get(k)![0], m.get(k)![1])]));
  return {
    model_id: QUANTUM_MODEL_ID,
    model_version: QUANTUM_MODEL_VERSION,
    prior_alpha: priorAlpha,
    prior_beta: priorBeta,
    global: betaPosterior(ga, gb),
    categories: toObj(cats),
    sources: toObj(srcs),
    description,
  };
}

let seeded: PriorCalibration | undefined;
/** The default calibration built from openentropy's labels ("default_seeded"). */
export function defaultCalibration(): PriorCalibration {
  seeded ??= buildCalibration(seededCalibrationRecords(), 1, 1, 'default_seeded');
  return seeded;
}

export interface PhysicsPrior {
  mean: number;
  ci_low: number;
  ci_high: number;
  /** n_eff of the source-level posterior (0 when the source is not labelled). */
  source_samples: number;
  /** n_eff of the category-level posterior (0 when the category is not labelled). */
  category_samples: number;
  /** Shrinkage weights (w_s, w_c, w_g). */
  weights: [number, number, number];
}

/**
 * Shrinks source → category → global: w_s = n_s/(n_s+8), w_c = (1−w_s)·n_c/(n_c+6),
 * w_g = 1 − w_s − w_c, with n the levels' n_eff (0 when a level is absent);
 * prior = w_s·mean_s + w_c·mean_c + w_g·mean_g and the CI bounds blended with the same weights.
 * An override p gives mean p with CI p ± 0.05 (clamped to [0,1]).
 */
export function physicsPrior(
  calibration: PriorCalibration,
  source: string,
  category: string,
  override?: number,
): PhysicsPrior {
  if (override !== undefined) {
    const p = Math.min(1, Math.max(0, override));
    return {
      mean: p,
      ci_low: Math.max(0, p - 0.05),
      ci_high: Math.min(1, p + 0.05),
      source_samples: 0,
      category_samples: 0,
      weights: [0, 0, 0],
    };
  }
  const g = calibration.global;
  const s = calibration.sources[source];
  const c = calibration.categories[category];
  const ns = s ? Math.max(0, s.n_eff) : 0;
  const nc = c ? Math.max(0, c.n_eff) : 0;
  const ws = ns / (ns + 8);
  const wc = ((1 - ws) * nc) / (nc + 6);
  const wg = 1 - ws - wc;
  const blend = (k: 'mean' | 'ci_low' | 'ci_high') => ws * (s ?? g)[k] + wc * (c ?? g)[k] + wg * g[k];
  return {
    mean: blend('mean'),
    ci_low: blend('ci_low'),
    ci_high: blend('ci_high'),
    source_samples: ns,
    category_samples: nc,
    weights: [ws, wc, wg],
  };
}
