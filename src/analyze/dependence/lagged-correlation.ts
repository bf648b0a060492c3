import { crossSpectrumInto, inverseDft, inverseDftReal, nextPow2, realDft } from '../stats/fft.js';

/**
 * A centred series and its DFT. When n is a power of two the DFT has size n and products of spectra give
 * the circular cross-correlation directly; otherwise the series is zero-padded to a power of two ≥ 2n − 1 and
 * products give the linear cross-correlation at every lag (from which circular values are sums of two).
 */
export interface CentredSpectrum {
  n: number;
  size: number;
  /** Σ (x_i − x̄)², 0 for a constant series. */
  sumSq: number;
  centred: Float64Array;
  spectrum: Float64Array;
}

export function centredSpectrum(x: ArrayLike<number>, n = x.length): CentredSpectrum {
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const c = new Float64Array(n);
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    c[i] = x[i] - mean;
    sumSq += c[i] * c[i];
  }
  const size = n >= 4 && (n & (n - 1)) === 0 ? n : nextPow2(2 * n - 1);
  return { n, size, sumSq, centred: c, spectrum: realDft(c, size) };
}

/**
 * Cross-products of a pair: cc = IDFT(conj(A)·B) (the correlation theorem), so that
 * cc[τ mod size] = Σ_i a_i b_{i+τ}, circular (size = n) or linear (zero-padded).
 */
export interface CrossSeries {
  a: CentredSpectrum;
  b: CentredSpectrum;
  cc: Float64Array;
}

export function crossProducts(a: CentredSpectrum, b: CentredSpectrum): CrossSeries {
  if (a.size !== b.size || a.n !== b.n) throw new RangeError('crossProducts needs spectra of equal length');
  const P = crossSpectrumInto(new Float64Array(a.spectrum.length), a.spectrum, b.spectrum);
  return { a, b, cc: inverseDftReal(P) };
}

/**
 * Cross-products of two pairs with one inverse FFT: both IDFT(conj(A)B) and IDFT(conj(C)D) are real, so
 * IDFT(conj(A)B + i·conj(C)D) carries the first in its real part and the second in its imaginary part.
 */
export function crossProductsTwo(
  a: CentredSpectrum,
  b: CentredSpectrum,
  c: CentredSpectrum,
  d: CentredSpectrum,
): [CrossSeries, CrossSeries] {
  const size = a.size;
  if (b.size !== size || c.size !== size || d.size !== size)
    throw new RangeError('crossProductsTwo needs spectra of equal size');
  const A = a.spectrum;
  const B = b.spectrum;
  const C = c.spectrum;
  const D = d.spectrum;
  const P = new Float64Array(2 * size);
  for (let i = 0; i < P.length; i += 2) {
    const ar = A[i];
    const ai = -A[i + 1];
    const br = B[i];
    const bi = B[i + 1];
    const cr = C[i];
    const ci = -C[i + 1];
    const dr = D[i];
    const di = D[i + 1];
    // X = conj(A)B, Y = conj(C)D; P = X + iY
    const xr = ar * br - ai * bi;
    const xi = ar * bi + ai * br;
    const yr = cr * dr - ci * di;
    const yi = cr * di + ci * dr;
    P[i] = xr - yi;
    P[i + 1] = xi + yr;
  }
  const out = inverseDft(P);
  const first = new Float64Array(size);
  const second = new Float64Array(size);
  for (let i = 0; i < size; i++) {
    first[i] = out[2 * i];
    second[i] = out[2 * i + 1];
  }
  return [
    { a, b, cc: first },
    { a: c, b: d, cc: second },
  ];
}

/** Circular cross-product circ(t) = Σ_i a_i b_{(i+t) mod n}, 0 ≤ t < n. */
export function circAt(x: CrossSeries, t: number): number {
  const { n, size } = x.a;
  if (size === n) return x.cc[t];
  return x.cc[t] + x.cc[(t - n + size) % size];
}

/** Linear cross-product lin(k) = Σ_{i} a_i b_{i+k} over the overlap, |k| < n. */
export function linAt(x: CrossSeries, k: number): number {
  const { n, size } = x.a;
  if (size !== n) return x.cc[(k + size) % size];
  // circ(k mod n) = lin(k) + the |k| wrapped products: remove them.
  const a = x.a.centred;
  const b = x.b.centred;
  let wrap = 0;
  if (k > 0) for (let i = n - k; i < n; i++) wrap += a[i] * b[i + k - n];
  else if (k < 0) for (let i = 0; i < -k; i++) wrap += a[i] * b[i + n + k];
  return x.cc[(k + n) % n] - wrap;
}

export interface LaggedCorrelation {
  /** r(k) for k = −L..L (index k + L): Pearson correlation of a_i with b_{i+k} over the overlap. */
  r: Float64Array;
  lag0: number;
  /** max_k |r(k)| and the lag where it occurs (b lags a by k samples when k > 0). */
  maxAbs: number;
  maxLag: number;
}

/**
 * Pearson correlation at lags −L..L from the cross-products: r(k) = [lin(k)/(n−|k|)] / √(s_a² s_b²), with
 * s² the variance of the whole series (the usual cross-correlation estimator, e.g. Box, Jenkins & Reinsel
 * §12.1.2, with the unbiased lag normalisation). r(0) is exactly Pearson's r.
 */
export function laggedCorrelation(x: CrossSeries, L: number): LaggedCorrelation {
  const { a, b } = x;
  const n = a.n;
  const r = new Float64Array(2 * L + 1);
  const denom = Math.sqrt((a.sumSq / n) * (b.sumSq / n));
  let maxAbs = 0;
  let maxLag = 0;
  if (denom > 0)
    for (let k = -L; k <= L; k++) {
      const v = linAt(x, k) / (n - Math.abs(k)) / denom;
      r[k + L] = v;
      if (Math.abs(v) > maxAbs || (Math.abs(v) === maxAbs && Math.abs(k) < Math.abs(maxLag))) {
        maxAbs = Math.abs(v);
        maxLag = k;
      }
    }
  return { r, lag0: r[L], maxAbs, maxLag };
}

/**
 * The statistic max_{|k|≤L} |lin(k)| / √(Σa² Σb²) (products summed over the overlap, scaled by 1/n like the
 * null below), the observed value the shifted null is compared with.
 */
export function observedMaxCorrelation(x: CrossSeries, L: number): number {
  const denom = Math.sqrt(x.a.sumSq * x.b.sumSq);
  if (!(denom > 0)) return 0;
  let max = 0;
  for (let k = -L; k <= L; k++) max = Math.max(max, Math.abs(linAt(x, k)) / denom);
  return max;
}

/**
 * The same statistic under a circular shift s of b: max_{|k|≤L} |circ(s + k)| / √(Σa² Σb²). Shifting b
 * circularly keeps each series' own autocorrelation and destroys their alignment: the circular-shift null.
 * (shiftedMaxCorrelations computes it for many shifts at once.)
 */
export function shiftedMaxCorrelation(x: CrossSeries, s: number, L: number): number {
  const n = x.a.n;
  const denom = Math.sqrt(x.a.sumSq * x.b.sumSq);
  if (!(denom > 0)) return 0;
  let max = 0;
  for (let k = -L; k <= L; k++) {
    const v = Math.abs(circAt(x, (((s + k) % n) + n) % n)) / denom;
    if (v > max) max = v;
  }
  return max;
}

/**
 * shiftedMaxCorrelation for every shift in `shifts`, from one table of |circ(t)| extended by L on both
 * sides (so each shift is a max over 2L + 1 consecutive entries, with no modulo per lag). Identical values:
 * dividing the largest |circ| by the positive denominator rounds the same as the largest quotient.
 */
export function shiftedMaxCorrelations(x: CrossSeries, shifts: readonly number[], L: number): Float64Array {
  const out = new Float64Array(shifts.length);
  const n = x.a.n;
  const denom = Math.sqrt(x.a.sumSq * x.b.sumSq);
  if (!(denom > 0)) return out;
  const ext = new Float64Array(n + 2 * L);
  for (let t = -L; t < n + L; t++) ext[t + L] = Math.abs(circAt(x, ((t % n) + n) % n));
  for (let k = 0; k < shifts.length; k++) {
    const s = ((shifts[k] % n) + n) % n;
    let max = 0;
    for (let i = s; i <= s + 2 * L; i++) if (ext[i] > max) max = ext[i];
    out[k] = max / denom;
  }
  return out;
}
