/**
 * quantum_proxy_v3 (EXPERIMENTAL) coupling penalty: how much a source's stream depends on the other
 * sources' streams, beyond what a circular-shift null gives.
 *
 * Per pair (streams truncated to their common length n):
 * - correlation families (|r| at lag 0, max |r| over lags −L..L): one FFT cross-correlation
 *   (dependence/lagged-correlation `crossProducts`) gives r at every circular offset, so the null is
 *   every rotation whose lag window stays clear of the observed one (≈ n values, exact Monte-Carlo
 *   p-values down to ≈ 1/n);
 * - mutual-information families (MI at lag 0, max MI over lags −L..L): a joint histogram per offset for
 *   the observed window and R null rotations (s_k = ⌊(k+1)n/(R+1)⌋, as openentropy), p-values from the G-test
 *   rescaled by the null's mean G (the design-effect correction of dependence/ `dependence`), Šidák over
 *   the 2L+1 lags for the max-lag family.
 * Cost: O(n log n) for the correlations plus (1 + R)(2L + 1) O(n) histogram passes: linear in n per pair.
 */

import { benjaminiHochberg } from '../dependence/benjamini-hochberg.js';
import { type CentredSpectrum, centredSpectrum, circAt, crossProducts } from '../dependence/lagged-correlation.js';
import { miBins } from '../dependence/mutual-information.js';
import { chiSquarePValue } from '../math/special.js';
import { mean, populationSd } from '../stats/mean-sd.js';
import { clamp01, type QuantumConfig } from './config.js';

/** The four statistic families, in this order everywhere: |r| lag 0, max-lag |r|, MI lag 0, max-lag MI. */
export const COUPLING_FAMILIES = ['corr', 'corr_lag', 'mi', 'mi_lag'] as const;
export type Quad = [number, number, number, number];

export interface CouplingStream {
  name: string;
  bytes: Uint8Array;
}

export interface PairCoupling {
  a: string;
  b: string;
  /** Common length used (both streams truncated to their first n bytes). */
  n: number;
  /** Null rotations used per family: [corr, corr_lag, mi, mi_lag] (0 when n ≤ 16). */
  nullRounds: Quad;
  observed: Quad;
  nullMean: Quad;
  nullSd: Quad;
  /** max(0, observed − (null mean + σ·null sd)); equal to observed when there is no null. */
  excess: Quad;
  /**
   * p-values: correlation families by Monte-Carlo permutation (1 + #{null ≥ obs}) / (1 + N) (Phipson &
   * Smyth 2010); MI families by the null-rescaled G-test. 1 when there is no null.
   */
  p: Quad;
  /** BH q-values over all pairs and all four families jointly. */
  q: Quad;
  significant: [boolean, boolean, boolean, boolean];
}

export interface SourceCoupling {
  pairs: number;
  meanRaw: Quad;
  meanNull: Quad;
  meanExcess: Quad;
  meanQ: Quad;
  /** Fraction of this source's pairs significant in each family. */
  significantFraction: Quad;
  /** Fraction of this source's pairs significant in at least one family (joint BH, so this is controlled). */
  significantFractionAny: number;
  /** clamp01( Σ_f w_f·clamp01(meanExcess_f / threshold_f) / Σ_f w_f ). */
  penalty: number;
}

export interface CouplingResult {
  pairs: PairCoupling[];
  bySource: Map<string, SourceCoupling>;
  /** Pairs skipped because their common length was below max(minPairSamples, 8). */
  skippedPairs: number;
}

interface Prepared {
  n: number;
  spectrum: CentredSpectrum;
  /** bin index << log2(k) (row offset into the joint table). */
  rowBins: Uint16Array;
  colBins: Uint8Array;
  k: number;
  /** Σ c·log2 c over the marginal histogram, and its number of non-empty bins. */
  sClog: number;
  occupied: number;
}

function prepare(bytes: Uint8Array, n: number): Prepared {
  const k = miBins(n);
  const logK = Math.log2(k);
  const drop = 8 - logK;
  const rowBins = new Uint16Array(n);
  const colBins = new Uint8Array(n);
  const hist = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const b = bytes[i] >> drop;
    rowBins[i] = b << logK;
    colBins[i] = b;
    hist[b]++;
  }
  let sClog = 0;
  let occupied = 0;
  for (let j = 0; j < k; j++)
    if (hist[j] > 0) {
      sClog += hist[j] * Math.log2(hist[j]);
      occupied++;
    }
  return { n, spectrum: centredSpectrum(bytes, n), rowBins, colBins, k, sClog, occupied };
}

/**
 * Mutual information (bits) between a and b rotated by d, pairs (a_i, b_(i+d) mod n), each byte reduced to
 * k equal-width bins (its top log2 k bits; k from dependence/miBins, ≥ 5 expected counts per cell):
 * plug-in I = log2 n + (S_xy − S_x − S_y)/n with S = Σ c·log2 c, and the Miller–Madow value
 * I + (k_x + k_y − k_xy − 1)/(2n ln 2) (Miller 1955; Paninski 2003 §3) floored at 0. The same numbers as
 * dependence/mutualInformation, specialised for the null loop: rotation leaves the marginals unchanged,
 * so only the joint table is recounted per offset, and c·log2 c comes from a table.
 */
function circularMi(
  pa: Prepared,
  pb: Prepared,
  n: number,
  d: number,
  counts: Int32Array,
  clog: Float64Array,
): { mm: number; plugin: number } {
  const ra = pa.rowBins;
  const cb = pb.colBins;
  const m = n - d;
  for (let i = 0; i < m; i++) counts[ra[i] + cb[i + d]]++;
  for (let i = m; i < n; i++) counts[ra[i] + cb[i - m]]++;
  let sxy = 0;
  let kxy = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j];
    if (c !== 0) {
      sxy += clog[c];
      kxy++;
      counts[j] = 0;
    }
  }
  const plugin = Math.max(0, Math.log2(n) + (sxy - pa.sClog - pb.sClog) / n);
  const mm = Math.max(0, plugin + (pa.occupied + pb.occupied - kxy - 1) / (2 * n * Math.LN2));
  return { mm, plugin };
}

const clogCache = new Map<number, Float64Array>();
function clogTable(n: number): Float64Array {
  let t = clogCache.get(n);
  if (!t) {
    t = new Float64Array(n + 1);
    for (let c = 1; c <= n; c++) t[c] = c * Math.log2(c);
    if (clogCache.size > 8) clogCache.clear();
    clogCache.set(n, t);
  }
  return t;
}

/**
 * Null shifts s_k = floor((k+1)·n/(R+1)), k = 0..R−1, clamped to [1, n−1] (openentropy's rule), keeping only
 * those whose lag window [s−L, s+L] stays clear of the observed window [−L, L] (circular distance > 2L),
 * so the null never re-counts the observed offsets. No null when n ≤ 16.
 */
export function nullShifts(n: number, rounds: number, maxLag: number): number[] {
  if (n <= 16 || rounds <= 0) return [];
  const out: number[] = [];
  for (let k = 0; k < rounds; k++) {
    const s = Math.min(n - 1, Math.max(1, Math.floor(((k + 1) * n) / (rounds + 1))));
    if (Math.min(s, n - s) > 2 * maxLag) out.push(s);
  }
  return out;
}

function meanSd(xs: ArrayLike<number>): [number, number] {
  const m = mean(xs);
  return [m, populationSd(xs, m)];
}

function permutationP(obs: number, nulls: ArrayLike<number>): number {
  let ge = 0;
  for (let i = 0; i < nulls.length; i++) if (nulls[i] >= obs * (1 - 1e-12)) ge++;
  return (1 + ge) / (1 + nulls.length);
}

/** Coupling of one pair (both prepared at the common length n). */
function pairCoupling(a: string, b: string, pa: Prepared, pb: Prepared, config: QuantumConfig): PairCoupling {
  const n = pa.n;
  const L = Math.min(config.maxLag, Math.max(0, Math.floor((n - 3) / 4)));
  const sigma = config.couplingNullSigma;
  const observed: Quad = [0, 0, 0, 0];
  const nullMean: Quad = [0, 0, 0, 0];
  const nullSd: Quad = [0, 0, 0, 0];
  const p: Quad = [1, 1, 1, 1];
  const nullRounds: Quad = [0, 0, 0, 0];

  // Correlations at every circular offset: r(d) = circ(d)/√(Σa²·Σb²), circ(d) = Σ_i a_i b_(i+d) mod n.
  const denom = Math.sqrt(pa.spectrum.sumSq * pb.spectrum.sumSq);
  if (denom > 0) {
    const cross = crossProducts(pa.spectrum, pb.spectrum);
    const absR = new Float64Array(n);
    for (let d = 0; d < n; d++) absR[d] = Math.abs(circAt(cross, d)) / denom;
    const windowMax = (c: number) => {
      let mx = 0;
      for (let j = -L; j <= L; j++) {
        const v = absR[(((c + j) % n) + n) % n];
        if (v > mx) mx = v;
      }
      return mx;
    };
    observed[0] = absR[0];
    observed[1] = windowMax(0);
    if (n > 16) {
      const lag0Null: number[] = [];
      const lagNull: number[] = [];
      for (let c = 2 * L + 1; c <= n - 2 * L - 1; c++) {
        lag0Null.push(absR[c]);
        lagNull.push(windowMax(c));
      }
      [nullMean[0], nullSd[0]] = meanSd(lag0Null);
      [nullMean[1], nullSd[1]] = meanSd(lagNull);
      p[0] = lag0Null.length ? permutationP(observed[0], lag0Null) : 1;
      p[1] = lagNull.length ? permutationP(observed[1], lagNull) : 1;
      nullRounds[0] = lag0Null.length;
      nullRounds[1] = lagNull.length;
    }
  }

  // Mutual information in the observed window and in R null windows.
  const counts = new Int32Array(pa.k * pb.k);
  const clog = clogTable(n);
  const window = (c: number) => {
    let mm0 = 0;
    let g0 = 0;
    let mmMax = 0;
    let gMax = 0;
    for (let j = -L; j <= L; j++) {
      const r = circularMi(pa, pb, n, (((c + j) % n) + n) % n, counts, clog);
      const g = 2 * n * Math.LN2 * r.plugin;
      if (j === 0) {
        mm0 = r.mm;
        g0 = g;
      }
      if (r.mm > mmMax) mmMax = r.mm;
      if (g > gMax) gMax = g;
    }
    return { mm0, g0, mmMax, gMax };
  };
  const obs = window(0);
  observed[2] = obs.mm0;
  observed[3] = obs.mmMax;
  const nulls = nullShifts(n, config.couplingNullRounds, L).map(window);
  if (nulls.length > 0 && denom > 0) {
    [nullMean[2], nullSd[2]] = meanSd(nulls.map((x) => x.mm0));
    [nullMean[3], nullSd[3]] = meanSd(nulls.map((x) => x.mmMax));
    nullRounds[2] = nullRounds[3] = nulls.length;
    const df = (pa.occupied - 1) * (pb.occupied - 1);
    const gMean = mean(nulls.map((x) => x.g0));
    if (df > 0 && gMean > 0) {
      // G·df/mean(G_null) ~ χ²_df: the design-effect correction for serial dependence kept by rotation.
      p[2] = chiSquarePValue((obs.g0 * df) / gMean, df);
      const pMin = chiSquarePValue((obs.gMax * df) / gMean, df);
      // Šidák over the 2L+1 lags of the max-lag family.
      p[3] = Math.min(1, -Math.expm1((2 * L + 1) * Math.log1p(-Math.min(pMin, 1 - 1e-16))));
    }
  }
  const excess: Quad = [0, 0, 0, 0];
  for (let f = 0; f < 4; f++)
    excess[f] = nullRounds[f] > 0 ? Math.max(0, observed[f] - (nullMean[f] + sigma * nullSd[f])) : observed[f];
  return {
    a,
    b,
    n,
    nullRounds,
    observed,
    nullMean,
    nullSd,
    excess,
    p,
    q: [1, 1, 1, 1],
    significant: [false, false, false, false],
  };
}

/**
 * Pairwise coupling over every unordered pair of streams, with a circular-shift null per pair, BH q-values
 * over all (pair, family) tests jointly (so "significant in any family" is FDR-controlled; BH per family
 * would not be), and per-source summaries:
 * penalty = clamp01( Σ_f w_f·clamp01(mean_excess_f / threshold_f) / Σ_f w_f ) with weights
 * 0.40/0.20/0.25/0.15 and thresholds 0.30/0.36/0.02/0.03 bits (configurable). With the FDR gate on, a
 * pair's excess counts only in the families where it is significant. A source with no pairs gets
 * penalty 0, q-means 1 and fractions 0.
 */
export function couplingAnalysis(streams: readonly CouplingStream[], config: QuantumConfig): CouplingResult {
  const { jobs, skippedPairs } = couplingJobs(streams, config);
  return finishCoupling(streams, couplingPairs(streams, jobs, config), skippedPairs, config);
}

/** The pairs to compute, (i, j) with i < j in order, and how many were skipped as too short. */
export function couplingJobs(
  streams: readonly CouplingStream[],
  config: QuantumConfig,
): { jobs: [number, number][]; skippedPairs: number } {
  const minN = Math.max(config.minPairSamples, 8);
  const jobs: [number, number][] = [];
  let skippedPairs = 0;
  for (let i = 0; i < streams.length; i++)
    for (let j = i + 1; j < streams.length; j++) {
      if (Math.min(streams[i].bytes.length, streams[j].bytes.length) < minN) skippedPairs++;
      else jobs.push([i, j]);
    }
  return { jobs, skippedPairs };
}

/** Per-pair statistics (before BH) for the given jobs; each pair's result depends only on its two streams. */
export function couplingPairs(
  streams: readonly CouplingStream[],
  jobs: readonly [number, number][],
  config: QuantumConfig,
): PairCoupling[] {
  const prepared = streams.map(() => new Map<number, Prepared>());
  const get = (i: number, n: number) => {
    let p = prepared[i].get(n);
    if (!p) {
      p = prepare(streams[i].bytes, n);
      prepared[i].set(n, p);
    }
    return p;
  };
  return jobs.map(([i, j]) => {
    const n = Math.min(streams[i].bytes.length, streams[j].bytes.length);
    return pairCoupling(streams[i].name, streams[j].name, get(i, n), get(j, n), config);
  });
}

/** BH q-values over all (pair, family) tests and the per-source summaries. */
export function finishCoupling(
  streams: readonly CouplingStream[],
  pairs: PairCoupling[],
  skippedPairs: number,
  config: QuantumConfig,
): CouplingResult {
  const allP: number[] = [];
  for (const pr of pairs) allP.push(...pr.p);
  const q = benjaminiHochberg(allP);
  pairs.forEach((pr, idx) => {
    for (let f = 0; f < 4; f++) {
      pr.q[f] = q[4 * idx + f];
      pr.significant[f] = pr.q[f] <= config.couplingFdrAlpha;
    }
  });
  const bySource = new Map<string, SourceCoupling>();
  for (const s of streams) bySource.set(s.name, summarize(s.name, pairs, config));
  return { pairs, bySource, skippedPairs };
}

function summarize(name: string, pairs: readonly PairCoupling[], config: QuantumConfig): SourceCoupling {
  const mine = pairs.filter((p) => p.a === name || p.b === name);
  const z = (): Quad => [0, 0, 0, 0];
  const out: SourceCoupling = {
    pairs: mine.length,
    meanRaw: z(),
    meanNull: z(),
    meanExcess: z(),
    meanQ: [1, 1, 1, 1],
    significantFraction: z(),
    significantFractionAny: 0,
    penalty: 0,
  };
  if (mine.length === 0) return out;
  out.meanQ = z();
  let any = 0;
  for (const p of mine) {
    for (let f = 0; f < 4; f++) {
      out.meanRaw[f] += p.observed[f];
      out.meanNull[f] += p.nullMean[f];
      out.meanExcess[f] += config.couplingUseFdrGate && !p.significant[f] ? 0 : p.excess[f];
      out.meanQ[f] += p.q[f];
      out.significantFraction[f] += p.significant[f] ? 1 : 0;
    }
    if (p.significant.some(Boolean)) any++;
  }
  for (let f = 0; f < 4; f++) {
    out.meanRaw[f] /= mine.length;
    out.meanNull[f] /= mine.length;
    out.meanExcess[f] /= mine.length;
    out.meanQ[f] /= mine.length;
    out.significantFraction[f] /= mine.length;
  }
  out.significantFractionAny = any / mine.length;
  out.penalty = couplingPenalty(out.meanExcess, config);
  return out;
}

/** Weight w_f of each family in the penalty (COUPLING_FAMILIES order). */
function familyWeights(config: QuantumConfig): Quad {
  return [config.couplingWeightCorr, config.couplingWeightLagCorr, config.couplingWeightMi, config.couplingWeightLagMi];
}

/** Threshold of each family: the excess at which its term of the penalty saturates. */
function familyThresholds(config: QuantumConfig): Quad {
  return [config.corrThreshold, config.laggedCorrThreshold, config.miThresholdBits, config.laggedMiThresholdBits];
}

/** clamp01( Σ_f w_f·clamp01(excess_f / threshold_f) / Σ_f w_f ). */
export function couplingPenalty(meanExcess: Quad, config: QuantumConfig): number {
  const w = familyWeights(config);
  const t = familyThresholds(config);
  let num = 0;
  let den = 0;
  for (let f = 0; f < 4; f++) {
    num += w[f] * clamp01(meanExcess[f] / t[f]);
    den += w[f];
  }
  return den > 0 ? clamp01(num / den) : 0;
}

/**
 * Sampling SD of a source's coupling penalty, from the circular-shift null spread of each statistic
 * (the null SD estimates the statistic's sampling variability): per pair
 * sd_pair² = Σ_f (w_f/Σw · null_sd_f/threshold_f)², and for the source mean over P pairs
 * sd = √(Σ_pairs sd_pair²)/P. It uses quantities the coupling analysis already computed instead of
 * re-running the pairwise procedure on every window.
 */
export function couplingPenaltySd(name: string, cr: CouplingResult, config: QuantumConfig): number {
  const mine = cr.pairs.filter((p) => p.a === name || p.b === name);
  if (mine.length === 0) return 0;
  const w = familyWeights(config);
  const t = familyThresholds(config);
  const W = w.reduce((a, b) => a + b, 0);
  let s2 = 0;
  for (const p of mine) for (let f = 0; f < 4; f++) s2 += ((w[f] / W) * (p.nullSd[f] / t[f])) ** 2;
  return Math.sqrt(s2) / mine.length;
}
