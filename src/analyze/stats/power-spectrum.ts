import { chiSquarePValue } from '../math/special.js';
import { bonferroni } from './distributions.js';
import { realDft } from './fft.js';

export interface WelchSpectrum {
  /** Segment length (a power of two) and the number of 50 %-overlapping Hann segments averaged. */
  segmentLength: number;
  segments: number;
  /** One-sided PSD at frequencies k/segmentLength, k = 0..segmentLength/2 (cycles per sample). */
  psd: Float64Array;
  /**
   * Equivalent degrees of freedom of each PSD ordinate: ν = 2K / (1 + 2 Σ_{m=1}^{K−1} (1 − m/K) ρ(m)²),
   * ρ(m) the window's correlation at an offset of m half-segments (Welch 1967; Percival & Walden 1993, §6.17).
   */
  edf: number;
}

/**
 * Welch's averaged periodogram over the whole stream (Welch 1967): Hann-windowed segments of length
 * `segmentLength` with 50 % overlap, each centred on its own mean; the periodograms are averaged.
 * Returns null when the stream is shorter than two segments of 16.
 */
export function welchPowerSpectrum(x: ArrayLike<number>, segmentLength?: number): WelchSpectrum | null {
  const acc = WelchAccumulator.forLength(x.length, segmentLength);
  if (!acc) return null;
  acc.push(x);
  return acc.result();
}

/**
 * welchPowerSpectrum of a streamed series: each segment is transformed as soon as its last value arrives
 * (memory: one segment), in the same order and with the same arithmetic as over the series in memory.
 */
export class WelchAccumulator {
  private readonly hop: number;
  private readonly w: Float64Array;
  private readonly w2: number;
  private readonly psd: Float64Array;
  private readonly seg: Float64Array;
  private readonly buf: Float64Array;
  private filled = 0;
  private segments = 0;

  /** The accumulator for a series of n values (null when it is shorter than two segments of 16). */
  static forLength(n: number, segmentLength?: number): WelchAccumulator | null {
    let seg = segmentLength ?? defaultSegmentLength(n);
    if (seg < 16 || n < 2 * seg) {
      if (segmentLength !== undefined) return null;
      seg = 16;
      if (n < 32) return null;
    }
    return new WelchAccumulator(seg);
  }

  constructor(readonly segmentLength: number) {
    const seg = segmentLength;
    this.hop = seg / 2;
    this.w = new Float64Array(seg);
    let w2 = 0;
    for (let i = 0; i < seg; i++) {
      this.w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / seg);
      w2 += this.w[i] * this.w[i];
    }
    this.w2 = w2;
    this.psd = new Float64Array(seg / 2 + 1);
    this.seg = new Float64Array(seg);
    this.buf = new Float64Array(seg);
  }

  push(x: ArrayLike<number>): void {
    const seg = this.segmentLength;
    for (let i = 0; i < x.length; ) {
      const take = Math.min(seg - this.filled, x.length - i);
      for (let k = 0; k < take; k++) this.seg[this.filled + k] = x[i + k];
      this.filled += take;
      i += take;
      if (this.filled === seg) {
        this.segment();
        this.seg.copyWithin(0, this.hop, seg);
        this.filled = seg - this.hop;
      }
    }
  }

  /** The averaged spectrum, or null with fewer than two segments. */
  result(): WelchSpectrum | null {
    const K = this.segments;
    if (K < 2) return null;
    const seg = this.segmentLength;
    const half = seg / 2;
    const psd = Float64Array.from(this.psd);
    const scale = 1 / (K * this.w2);
    for (let k = 0; k <= half; k++) psd[k] *= k === 0 || k === half ? scale : 2 * scale;
    // Window overlap correlation at offset m·hop.
    const { w, w2, hop } = this;
    let sumRho = 0;
    for (let m = 1; m < K && m * hop < seg; m++) {
      let num = 0;
      for (let i = 0; i + m * hop < seg; i++) num += w[i] * w[i + m * hop];
      const rho = num / w2;
      sumRho += (1 - m / K) * rho * rho;
    }
    return { segmentLength: seg, segments: K, psd, edf: (2 * K) / (1 + 2 * sumRho) };
  }

  private segment(): void {
    const seg = this.segmentLength;
    const x = this.seg;
    let m = 0;
    for (let i = 0; i < seg; i++) m += x[i];
    m /= seg;
    for (let i = 0; i < seg; i++) this.buf[i] = (x[i] - m) * this.w[i];
    const X = realDft(this.buf, seg);
    for (let k = 0; k <= seg / 2; k++) {
      const re = X[2 * k];
      const im = X[2 * k + 1];
      this.psd[k] += re * re + im * im;
    }
    this.segments++;
  }
}

/** Segment length: the largest power of two ≤ n/8, between 16 and 4096 (resolution vs. averaging). */
export function defaultSegmentLength(n: number): number {
  let seg = 16;
  while (seg * 2 <= Math.min(4096, n / 8)) seg *= 2;
  return seg;
}

/** A Welch spectrum at a coarser resolution, small enough to store and plot. */
export interface BinnedSpectrum {
  /** Consecutive ordinates averaged into each point (1: the full resolution). */
  binsPerPoint: number;
  /**
   * Mean PSD of ordinates 1 + j·g … (j+1)·g of bins 1..N/2−1 (DC and Nyquist left out, as in the flatness),
   * g = binsPerPoint; point j is centred on frequency (1 + j·g + (g − 1)/2) / segmentLength cycles per sample.
   */
  power: Float64Array;
}

/**
 * The Welch PSD averaged over groups of g adjacent ordinates, g the smallest power of two that leaves at
 * most `maxPoints` points: averaging neighbouring ordinates is frequency smoothing (Percival & Walden
 * 1993, §6.7), so each point is still a spectral estimate, at resolution g/segmentLength. A trailing group
 * shorter than g is averaged over what it has.
 */
export function binnedSpectrum(spec: WelchSpectrum, maxPoints = 512): BinnedSpectrum {
  const inner = Math.max(0, spec.psd.length - 2);
  let g = 1;
  while (Math.ceil(inner / g) > maxPoints) g *= 2;
  const power = new Float64Array(Math.ceil(inner / g));
  for (let j = 0; j < power.length; j++) {
    const lo = 1 + j * g;
    const hi = Math.min(lo + g, 1 + inner);
    let sum = 0;
    for (let k = lo; k < hi; k++) sum += spec.psd[k];
    power[j] = sum / (hi - lo);
  }
  return { binsPerPoint: g, power };
}

export interface SpectralFlatnessResult {
  /** Geometric mean / arithmetic mean of the PSD over bins 1..N/2−1 (DC and Nyquist excluded). */
  flatness: number;
  /**
   * Flatness expected of white noise for this estimate: exp(ψ(ν/2) − ln(ν/2)), because each ordinate is
   * S·χ²_ν/ν and E[ln(χ²_ν/ν)] = ψ(ν/2) − ln(ν/2). Approaches 1 as segments are averaged.
   */
  expectedWhite: number;
  /** flatness / expectedWhite (1 for white noise; lower means coloured). */
  relative: number;
}

/** Spectral flatness (Wiener entropy) of a Welch spectrum, with its white-noise expectation. */
export function spectralFlatness(spec: WelchSpectrum): SpectralFlatnessResult {
  const { psd, edf } = spec;
  const half = psd.length - 1;
  let logSum = 0;
  let sum = 0;
  let count = 0;
  for (let k = 1; k < half; k++) {
    const p = psd[k];
    sum += p;
    logSum += Math.log(Math.max(p, 1e-300));
    count++;
  }
  const mean = sum / count;
  const flatness = mean > 0 ? Math.min(1, Math.exp(logSum / count) / mean) : 0;
  const expectedWhite = Math.exp(digamma(edf / 2) - Math.log(edf / 2));
  return { flatness, expectedWhite, relative: flatness / expectedWhite };
}

export interface SpectralPeak {
  /** Cycles per sample (0..0.5). */
  frequency: number;
  /** PSD ordinate divided by the white-noise level: 1 is average. */
  relativePower: number;
  /** P(χ²_ν/ν ≥ relativePower), Bonferroni-adjusted over the bins tested. */
  pValue: number;
}

export interface SpectralPeaksResult {
  /** Up to `count` largest ordinates (bins 1..N/2−1), strongest first. */
  peaks: SpectralPeak[];
  /** Bins whose adjusted p-value is below alpha. */
  significant: number;
  alpha: number;
  /** The smallest adjusted p-value (that of the strongest peak). */
  minPValue: number;
}

/**
 * The strongest spectral lines and their significance against white noise. The white level S is
 * estimated robustly from the median ordinate (median of χ²_ν/ν ≈ (1 − 2/(9ν))³, Wilson–Hilferty),
 * so that a few strong lines do not raise it; each ordinate P_k is tested as ν·P_k/S ~ χ²_ν.
 */
export function spectralPeaks(spec: WelchSpectrum, count = 10, alpha = 0.01): SpectralPeaksResult {
  const { psd, edf, segmentLength } = spec;
  const half = psd.length - 1;
  const bins = Math.max(1, half - 1);
  const vals = Float64Array.from(psd.subarray(1, half)).sort();
  const median =
    vals.length % 2 ? vals[(vals.length - 1) / 2] : (vals[vals.length / 2 - 1] + vals[vals.length / 2]) / 2;
  const medianRatio = (1 - 2 / (9 * edf)) ** 3;
  const level = median / medianRatio;
  const order = Array.from({ length: half - 1 }, (_, i) => i + 1).sort((a, b) => psd[b] - psd[a] || a - b);
  const pOf = (k: number) =>
    level > 0 ? bonferroni(chiSquarePValue((edf * psd[k]) / level, edf), bins) : psd[k] > 0 ? 0 : 1;
  let significant = 0;
  for (const k of order) {
    if (pOf(k) < alpha) significant++;
    else break;
  }
  const peaks = order.slice(0, count).map((k) => ({
    frequency: k / segmentLength,
    relativePower: level > 0 ? psd[k] / level : 0,
    pValue: pOf(k),
  }));
  return { peaks, significant, alpha, minPValue: peaks.length ? peaks[0].pValue : 1 };
}

/** Digamma ψ(x) for x > 0: recurrence up to x ≥ 12, then the asymptotic series (A&S 6.3.18). */
export function digamma(x: number): number {
  let r = 0;
  while (x < 12) {
    r -= 1 / x;
    x += 1;
  }
  const f = 1 / (x * x);
  return r + Math.log(x) - 0.5 / x - f * (1 / 12 - f * (1 / 120 - f * (1 / 252 - f * (1 / 240 - f / 132))));
}
