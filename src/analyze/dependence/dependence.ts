import { chiSquarePValue } from '../math/special.js';
import { benjaminiHochberg } from './benjamini-hochberg.js';
import {
  type CentredSpectrum,
  type CrossSeries,
  centredSpectrum,
  crossProducts,
  crossProductsTwo,
  laggedCorrelation,
  observedMaxCorrelation,
  shiftedMaxCorrelation,
} from './lagged-correlation.js';
import { miBins, mutualInformation } from './mutual-information.js';
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
  /** Symmetric matrices in `sources` order (diagonal 1 / NaN → null in JSON). */
  matrix: { correlation: (number | null)[][]; mutualInformationBits: (number | null)[][] };
  pairs: PairDependence[];
  skipped: SkippedPair[];
  /** Pairs with q ≤ alpha (BH over all 2·pairs p-values: correlation and MI together). */
  flagged: { a: string; b: string; by: ('correlation' | 'mutual_information')[] }[];
}

/**
 * Dependence between every pair of sources (aligned by sample index, truncated to the common length):
 * Pearson correlation at lags −L..L by FFT, mutual information at lag 0 with the Miller–Madow correction,
 * a seeded circular-shift null for both, and Benjamini–Hochberg q-values over all tests. Streams are
 * aligned by sample order, not by time; two sources recorded concurrently share wall-clock time only
 * approximately.
 */
export function dependence(sources: DependenceSource[], options: DependenceOptions = {}): DependenceResult {
  const L = options.maxLag ?? 16;
  const cap = options.maxSamples ?? 262_144;
  const corrShifts = options.correlationShifts ?? 9999;
  const miShifts = options.miShifts ?? 39;
  const seed = options.seed ?? 1;
  const alpha = options.alpha ?? 0.05;
  const minSamples = Math.max(options.minSamples ?? 256, 8 * L + 16);
  const names = sources.map((s) => s.name);
  const S = sources.length;
  const corrM: (number | null)[][] = names.map((_, i) => names.map((_, j) => (i === j ? 1 : null)));
  const miM: (number | null)[][] = names.map(() => names.map(() => null));
  const pairs: PairDependence[] = [];
  const skipped: SkippedPair[] = [];
  const lens = sources.map((s) => Math.min(cap, s.bytes.length));

  // Pairs grouped by common length so that each (source, length) spectrum is computed once and dropped.
  const jobs: { i: number; j: number; n: number }[] = [];
  for (let i = 0; i < S; i++)
    for (let j = i + 1; j < S; j++) {
      const n = Math.min(lens[i], lens[j]);
      if (n < minSamples)
        skipped.push({ a: names[i], b: names[j], reason: `only ${n} common samples (needs ${minSamples})` });
      else jobs.push({ i, j, n });
    }
  const lengths = [...new Set(jobs.map((j) => j.n))].sort((x, y) => x - y);
  const joint = new Uint32Array(256 * 256);
  let spectra = new Map<number, CentredSpectrum>();
  const currentSpec = (i: number) => spectra.get(i) as CentredSpectrum;
  for (const n of lengths) {
    spectra = new Map<number, CentredSpectrum>();
    const spec = (i: number) => {
      let s = spectra.get(i);
      if (!s) {
        s = centredSpectrum(sources[i].bytes, n);
        spectra.set(i, s);
      }
      return s;
    };
    const group = jobs.filter((x) => x.n === n);
    // Two pairs per inverse FFT; their cross-products are dropped as soon as both are processed.
    const todo: { job: (typeof group)[number]; lin: CrossSeries }[] = [];
    for (let g = 0; g < group.length; g += 2) {
      const x = group[g];
      const y = group[g + 1];
      if (y) {
        const [l1, l2] = crossProductsTwo(spec(x.i), spec(x.j), spec(y.i), spec(y.j));
        todo.push({ job: x, lin: l1 }, { job: y, lin: l2 });
      } else todo.push({ job: x, lin: crossProducts(spec(x.i), spec(x.j)) });
      while (todo.length > 0) {
        const { job, lin } = todo.shift() as (typeof todo)[number];
        processPair(job, lin);
      }
    }
  }
  function processPair(job: { i: number; j: number; n: number }, lin: CrossSeries): void {
    {
      const { i, j, n } = job;
      // Each pair gets its own stream of shifts from (seed, i, j): results do not depend on pair order.
      const rng = new SeededRandom((seed * 1_000_003 + i * 7919 + j * 104_729) >>> 0);
      const a = currentSpec(i);
      const b = currentSpec(j);
      const lc = laggedCorrelation(lin, L);
      const margin = Math.max(2 * L + 1, Math.floor(n / 20));
      const lo = margin;
      const hi = n - margin;
      const admissible = hi - lo + 1;
      const shifts: number[] = [];
      if (admissible <= corrShifts) for (let s = lo; s <= hi; s++) shifts.push(s);
      else for (let r = 0; r < corrShifts; r++) shifts.push(rng.nextInt(lo, hi));
      // Observed statistic with the null's normalisation (sums over n products scaled by 1/n, not 1/(n − |k|)).
      const tObs = observedMaxCorrelation(lin, L);
      let exceed = 0;
      let nullSum = 0;
      for (const s of shifts) {
        const v = shiftedMaxCorrelation(lin, s, L);
        nullSum += v;
        if (v >= tObs * (1 - 1e-12)) exceed++;
      }
      const constant = !(a.sumSq > 0 && b.sumSq > 0);
      const pCorr = constant ? 1 : (1 + exceed) / (1 + shifts.length);

      const bins = miBins(n);
      const xa = sources[i].bytes.subarray(0, n);
      const xb = sources[j].bytes.subarray(0, n);
      const obs = mutualInformation(xa, xb, bins, 0, joint);
      const miNull: number[] = [];
      let gNullSum = 0;
      let miNullSum = 0;
      const miShiftList =
        admissible <= miShifts
          ? shifts.slice(0, miShifts)
          : Array.from({ length: miShifts }, () => rng.nextInt(lo, hi));
      for (const s of miShiftList) {
        const r = mutualInformation(xa, xb, bins, s, joint);
        miNull.push(r.g);
        gNullSum += r.g;
        miNullSum += r.millerMadow;
      }
      const pMiPerm = (1 + miNull.filter((g) => g >= obs.g).length) / (1 + miNull.length);
      let pMi = pMiPerm;
      if (miNull.length >= 10) {
        const mean = gNullSum / miNull.length;
        let v = 0;
        for (const g of miNull) v += (g - mean) ** 2;
        v /= miNull.length - 1;
        if (mean > 0 && v > 0) pMi = chiSquarePValue(obs.g / (v / (2 * mean)), (2 * mean * mean) / v);
      }
      pairs.push({
        a: names[i],
        b: names[j],
        n,
        correlation: {
          lag0: lc.lag0,
          maxAbs: lc.maxAbs,
          maxLag: lc.maxLag,
          nullMean: shifts.length ? nullSum / shifts.length : 0,
          pValue: pCorr,
          qValue: 1,
          shifts: shifts.length,
        },
        mutualInformation: {
          bits: obs.millerMadow,
          plugInBits: obs.plugIn,
          bins,
          nullMeanBits: miNull.length ? miNullSum / miNull.length : 0,
          pValue: constant ? 1 : pMi,
          pPermutation: constant ? 1 : pMiPerm,
          qValue: 1,
          shifts: miNull.length,
        },
        flagged: false,
      });
      corrM[i][j] = corrM[j][i] = lc.lag0;
      miM[i][j] = miM[j][i] = obs.millerMadow;
    }
  }
  pairs.sort((x, y) => names.indexOf(x.a) - names.indexOf(y.a) || names.indexOf(x.b) - names.indexOf(y.b));
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
  return {
    sources: names,
    maxLag: L,
    seed,
    alpha,
    marginFraction: 1 / 20,
    matrix: { correlation: corrM, mutualInformationBits: miM },
    pairs,
    skipped,
    flagged,
  };
}
