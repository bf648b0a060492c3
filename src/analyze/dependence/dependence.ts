import { chiSquarePValue } from '../math/special.js';
import { mean, sampleVariance } from '../stats/mean-sd.js';
import { benjaminiHochberg } from './benjamini-hochberg.js';
import {
  type CentredSpectrum,
  type CrossSeries,
  centredSpectrum,
  crossProducts,
  crossProductsTwo,
  laggedCorrelation,
  observedMaxCorrelation,
  shiftedMaxCorrelations,
} from './lagged-correlation.js';
import { binnedMutualInformation, binPair, miBins } from './mutual-information.js';
import { SeededRandom } from './prng.js';

export interface DependenceSource {
  name: string;
  /** The source's raw byte stream, in sample order. */
  bytes: Uint8Array;
}

export interface DependenceOptions {
  /** Largest lag L of the lagged correlation (default 16). */
  maxLag?: number;
  /** Samples per source used (the first ones; default 262144). Pairs use their common length. */
  maxSamples?: number;
  /** Circular shifts in the correlation null (default 9999; all admissible shifts when fewer). */
  correlationShifts?: number;
  /** Circular shifts in the mutual-information null (default 39; each costs one joint histogram). */
  miShifts?: number;
  /** PRNG seed of the shifts (default 1). */
  seed?: number;
  /** FDR level for flagging pairs (default 0.05). */
  alpha?: number;
  /** Pairs shorter than this are skipped with a reason (default 256). */
  minSamples?: number;
}

export interface PairDependence {
  a: string;
  b: string;
  n: number;
  correlation: {
    lag0: number;
    maxAbs: number;
    /** b lags a by maxLag samples when positive. */
    maxLag: number;
    /** Mean of the statistic max_k |r(k)| over the shifted null. */
    nullMean: number;
    /** Monte-Carlo p-value (1 + #{null ≥ observed}) / (1 + shifts) (Davison & Hinkley 1997, eq. 4.11). */
    pValue: number;
    qValue: number;
    shifts: number;
  };
  mutualInformation: {
    /** Miller–Madow corrected MI at lag 0, bits. */
    bits: number;
    plugInBits: number;
    bins: number;
    /** Mean Miller–Madow MI over the shifted null, bits. */
    nullMeanBits: number;
    /**
     * p-value of the G statistic (2n·ln 2·MI) against the shifted null fitted as a scaled χ² by its first two
     * moments (Satterthwaite 1946): G_null ≈ c·χ²_ν, c = var/(2·mean), ν = 2·mean²/var. Under i.i.d. data
     * this is the G-test (c = 1, ν = df); serial dependence or drift kept by the shifts widens the null and
     * the fit follows it. With fewer than 10 shifts, the Monte-Carlo p-value.
     */
    pValue: number;
    /** Monte-Carlo p-value over the shifts (resolution 1/(shifts + 1)). */
    pPermutation: number;
    qValue: number;
    shifts: number;
  };
  /** Either q-value ≤ alpha. */
  flagged: boolean;
}

export interface SkippedPair {
  a: string;
  b: string;
  reason: string;
}

export interface DependenceResult {
  sources: string[];
  maxLag: number;
  seed: number;
  alpha: number;
  /** Shift range: min(s, n − s) ≥ margin, margin = max(2L + 1, ⌊n/20⌋). */
  marginFraction: number;
  /** Samples of each source compared (the first ones, at most): maxSamples. Each pair states its own n. */
  windowSamples: number;
  /** Symmetric matrices in `sources` order (diagonal 1 / NaN → null in JSON). */
  matrix: { correlation: (number | null)[][]; mutualInformationBits: (number | null)[][] };
  pairs: PairDependence[];
  skipped: SkippedPair[];
  /** Pairs with q ≤ alpha (BH over all 2·pairs p-values: correlation and MI together). */
  flagged: { a: string; b: string; by: ('correlation' | 'mutual_information')[] }[];
}

/** Options with their defaults applied. */
interface Settings {
  L: number;
  cap: number;
  corrShifts: number;
  miShifts: number;
  seed: number;
  alpha: number;
  minSamples: number;
}

function settings(options: DependenceOptions): Settings {
  const L = options.maxLag ?? 16;
  return {
    L,
    cap: options.maxSamples ?? 262_144,
    corrShifts: options.correlationShifts ?? 9999,
    miShifts: options.miShifts ?? 39,
    seed: options.seed ?? 1,
    alpha: options.alpha ?? 0.05,
    minSamples: Math.max(options.minSamples ?? 256, 8 * L + 16),
  };
}

/** A pair of sources (i < j) and its common length n. */
interface PairJob {
  i: number;
  j: number;
  n: number;
}

/** Every pair i < j with its common length; pairs shorter than minSamples are skipped with a reason. */
function pairJobs(sources: readonly DependenceSource[], o: Settings): { jobs: PairJob[]; skipped: SkippedPair[] } {
  const lens = sources.map((s) => Math.min(o.cap, s.bytes.length));
  const jobs: PairJob[] = [];
  const skipped: SkippedPair[] = [];
  for (let i = 0; i < sources.length; i++)
    for (let j = i + 1; j < sources.length; j++) {
      const n = Math.min(lens[i], lens[j]);
      if (n < o.minSamples)
        skipped.push({
          a: sources[i].name,
          b: sources[j].name,
          reason: `only ${n} common samples (needs ${o.minSamples})`,
        });
      else jobs.push({ i, j, n });
    }
  return { jobs, skipped };
}

/**
 * Calls `visit` with every pair's lagged cross-products and the two spectra. Pairs are grouped by
 * common length so that each (source, length) spectrum is computed once and dropped with its group;
 * two pairs share one inverse FFT, and each pair's cross-products are dropped once it is visited.
 */
function forEachCrossSeries(
  sources: readonly DependenceSource[],
  jobs: readonly PairJob[],
  visit: (job: PairJob, lin: CrossSeries, a: CentredSpectrum, b: CentredSpectrum) => void,
): void {
  const lengths = [...new Set(jobs.map((j) => j.n))].sort((x, y) => x - y);
  for (const n of lengths) {
    const spectra = new Map<number, CentredSpectrum>();
    const spec = (i: number) => {
      let s = spectra.get(i);
      if (!s) {
        s = centredSpectrum(sources[i].bytes, n);
        spectra.set(i, s);
      }
      return s;
    };
    const group = jobs.filter((x) => x.n === n);
    for (let g = 0; g < group.length; g += 2) {
      const x = group[g];
      const y = group[g + 1];
      if (y) {
        const [l1, l2] = crossProductsTwo(spec(x.i), spec(x.j), spec(y.i), spec(y.j));
        visit(x, l1, spec(x.i), spec(x.j));
        visit(y, l2, spec(y.i), spec(y.j));
      } else visit(x, crossProducts(spec(x.i), spec(x.j)), spec(x.i), spec(x.j));
    }
  }
}

/**
 * The correlation part of a pair: r at lag 0 and the largest |r(k)|, |k| ≤ L, against the shifted
 * null of max_k |r(k)| (Monte-Carlo p-value; 1 when either stream is constant).
 */
function correlationTest(lin: CrossSeries, shifts: readonly number[], L: number, constant: boolean) {
  const lc = laggedCorrelation(lin, L);
  // Observed statistic with the null's normalisation (sums over n products scaled by 1/n, not 1/(n − |k|)).
  const tObs = observedMaxCorrelation(lin, L);
  let exceed = 0;
  let nullSum = 0;
  for (const v of shiftedMaxCorrelations(lin, shifts, L)) {
    nullSum += v;
    if (v >= tObs * (1 - 1e-12)) exceed++;
  }
  return {
    lag0: lc.lag0,
    maxAbs: lc.maxAbs,
    maxLag: lc.maxLag,
    nullMean: shifts.length ? nullSum / shifts.length : 0,
    pValue: constant ? 1 : (1 + exceed) / (1 + shifts.length),
    qValue: 1,
    shifts: shifts.length,
  };
}

/**
 * The mutual-information part of a pair: Miller–Madow MI at lag 0 and its G statistic against the
 * shifted null, fitted as a scaled χ² (Satterthwaite) when there are ≥ 10 shifts.
 */
function mutualInformationTest(
  xa: Uint8Array,
  xb: Uint8Array,
  shifts: readonly number[],
  constant: boolean,
  joint: Uint32Array,
) {
  const bins = miBins(xa.length);
  const binned = binPair(xa, xb, bins);
  const obs = binnedMutualInformation(binned, 0, joint);
  const gNull: number[] = [];
  let miNullSum = 0;
  for (const s of shifts) {
    const r = binnedMutualInformation(binned, s, joint);
    gNull.push(r.g);
    miNullSum += r.millerMadow;
  }
  const pPermutation = (1 + gNull.filter((g) => g >= obs.g).length) / (1 + gNull.length);
  let p = pPermutation;
  if (gNull.length >= 10) {
    const m = mean(gNull);
    const v = sampleVariance(gNull, m);
    // A nearly constant null (v → 0) gives a huge ν; igamc handles it, and a fit that is not a number
    // (v or m overflowing) leaves the Monte-Carlo p-value.
    const fit = m > 0 && v > 0 ? chiSquarePValue(obs.g / (v / (2 * m)), (2 * m * m) / v) : Number.NaN;
    if (Number.isFinite(fit)) p = Math.min(1, Math.max(0, fit));
  }
  return {
    bits: obs.millerMadow,
    plugInBits: obs.plugIn,
    bins,
    nullMeanBits: gNull.length ? miNullSum / gNull.length : 0,
    pValue: constant ? 1 : p,
    pPermutation: constant ? 1 : pPermutation,
    qValue: 1,
    shifts: gNull.length,
  };
}

/**
 * One pair's tests. Its shifts come from its own stream seeded by (seed, i, j), so results do not
 * depend on pair order: every admissible shift when there are few, else random ones, drawn first for
 * the correlation and then for the mutual information. Admissible: min(s, n − s) ≥ margin,
 * margin = max(2L + 1, ⌊n/20⌋).
 */
function pairDependence(
  sources: readonly DependenceSource[],
  job: PairJob,
  lin: CrossSeries,
  a: CentredSpectrum,
  b: CentredSpectrum,
  o: Settings,
  joint: Uint32Array,
): PairDependence {
  const { i, j, n } = job;
  const rng = new SeededRandom((o.seed * 1_000_003 + i * 7919 + j * 104_729) >>> 0);
  const margin = Math.max(2 * o.L + 1, Math.floor(n / 20));
  const lo = margin;
  const hi = n - margin;
  const admissible = hi - lo + 1;
  const shifts: number[] = [];
  if (admissible <= o.corrShifts) for (let s = lo; s <= hi; s++) shifts.push(s);
  else for (let r = 0; r < o.corrShifts; r++) shifts.push(rng.nextInt(lo, hi));
  const miShifts =
    admissible <= o.miShifts
      ? shifts.slice(0, o.miShifts)
      : Array.from({ length: o.miShifts }, () => rng.nextInt(lo, hi));
  const constant = !(a.sumSq > 0 && b.sumSq > 0);
  return {
    a: sources[i].name,
    b: sources[j].name,
    n,
    correlation: correlationTest(lin, shifts, o.L, constant),
    mutualInformation: mutualInformationTest(
      sources[i].bytes.subarray(0, n),
      sources[j].bytes.subarray(0, n),
      miShifts,
      constant,
      joint,
    ),
    flagged: false,
  };
}

/**
 * Benjamini–Hochberg over all 2·pairs p-values (correlation and MI together): sets each pair's q-values
 * and flag, and returns the flagged pairs with the tests that flagged them.
 */
function applyFdr(pairs: PairDependence[], alpha: number): DependenceResult['flagged'] {
  const q = benjaminiHochberg([
    ...pairs.map((p) => p.correlation.pValue),
    ...pairs.map((p) => p.mutualInformation.pValue),
  ]);
  const flagged: DependenceResult['flagged'] = [];
  pairs.forEach((p, k) => {
    p.correlation.qValue = q[k];
    p.mutualInformation.qValue = q[pairs.length + k];
    const by: ('correlation' | 'mutual_information')[] = [];
    if (q[k] <= alpha) by.push('correlation');
    if (q[pairs.length + k] <= alpha) by.push('mutual_information');
    p.flagged = by.length > 0;
    if (p.flagged) flagged.push({ a: p.a, b: p.b, by });
  });
  return flagged;
}

/**
 * Dependence between every pair of sources (aligned by sample index, truncated to the common length):
 * Pearson correlation at lags −L..L by FFT, mutual information at lag 0 with the Miller–Madow correction,
 * a seeded circular-shift null for both, and Benjamini–Hochberg q-values over all tests. Streams are
 * aligned by sample order, not by time; two sources recorded concurrently share wall-clock time only
 * approximately.
 */
export function dependence(sources: DependenceSource[], options: DependenceOptions = {}): DependenceResult {
  const { pairs, skipped } = dependencePairs(sources, options);
  return dependenceOfPairs(
    sources.map((s) => s.name),
    pairs,
    skipped,
    options,
  );
}

/**
 * The pairs' tests, for the pairs whose index (in i < j order) `select` keeps: several threads can each
 * take a share (e.g. index % threads) and dependenceOfPairs joins them; each pair's shifts are its own,
 * so the shares give the same numbers as one call. `skipped` lists every pair too short, whatever `select`.
 */
export function dependencePairs(
  sources: readonly DependenceSource[],
  options: DependenceOptions = {},
  select: (index: number) => boolean = () => true,
): { pairs: PairDependence[]; skipped: SkippedPair[] } {
  const o = settings(options);
  const { jobs, skipped } = pairJobs(sources, o);
  const chosen = jobs.filter((_, k) => select(k));
  const pairs: PairDependence[] = [];
  const joint = new Uint32Array(2 * 256 * 256);
  forEachCrossSeries(sources, chosen, (job, lin, a, b) => {
    pairs.push(pairDependence(sources, job, lin, a, b, o, joint));
  });
  return { pairs, skipped };
}

/** The result from every pair's tests: matrices, pairs in source order, Benjamini–Hochberg over them all. */
export function dependenceOfPairs(
  names: readonly string[],
  computed: readonly PairDependence[],
  skipped: SkippedPair[],
  options: DependenceOptions = {},
): DependenceResult {
  const o = settings(options);
  const index = new Map(names.map((n, i) => [n, i]));
  const corrM: (number | null)[][] = names.map((_, i) => names.map((_, j) => (i === j ? 1 : null)));
  const miM: (number | null)[][] = names.map(() => names.map(() => null));
  const pairs = [...computed].sort(
    (x, y) =>
      (index.get(x.a) as number) - (index.get(y.a) as number) ||
      (index.get(x.b) as number) - (index.get(y.b) as number),
  );
  for (const p of pairs) {
    const i = index.get(p.a) as number;
    const j = index.get(p.b) as number;
    corrM[i][j] = corrM[j][i] = p.correlation.lag0;
    miM[i][j] = miM[j][i] = p.mutualInformation.bits;
  }
  const flagged = applyFdr(pairs, o.alpha);
  return {
    sources: [...names],
    maxLag: o.L,
    seed: o.seed,
    alpha: o.alpha,
    marginFraction: 1 / 20,
    windowSamples: o.cap,
    matrix: { correlation: corrM, mutualInformationBits: miM },
    pairs,
    skipped,
    flagged,
  };
}
