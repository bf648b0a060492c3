import { inverseDft, inverseDftReal, nextPow2, realDft } from '../stats/fft.js';

/**
 * A centred series and its DFT, zero-padded to a power of two ≥ 2n − 1 so that the product of two
 * spectra gives the linear (not circular) cross-correlation at every lag.
 */
export interface CentredSpectrum {
  n: number;
  size: number;
  /** Σ (x_i − x̄)², 0 for a constant series. */
  sumSq: number;
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
  const size = nextPow2(2 * n - 1);
  return { n, size, sumSq, spectrum: realDft(c, size) };
}

/**
 * The raw cross-products lin(τ) = Σ_i a_i b_{i+τ} of two centred series for every τ in (−n, n), stored at
 * index τ mod size: IDFT(conj(A)·B) (the correlation theorem).
 */
export function crossProducts(a: CentredSpectrum, b: CentredSpectrum): Float64Array {
  if (a.size !== b.size || a.n !== b.n) throw new RangeError('crossProducts needs spectra of equal length');
  const A = a.spectrum;
  const B = b.spectrum;
  const P = new Float64Array(A.length);
  for (let i = 0; i < A.length; i += 2) {
    const ar = A[i];
    const ai = -A[i + 1];
    const br = B[i];
    const bi = B[i + 1];
    P[i] = ar * br - ai * bi;
    P[i + 1] = ar * bi + ai * br;
  }
  return inverseDftReal(P);
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
): [Float64Array, Float64Array] {
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
  return [first, second];
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
export function laggedCorrelation(
  lin: Float64Array,
  a: CentredSpectrum,
  b: CentredSpectrum,
  L: number,
): LaggedCorrelation {
  const n = a.n;
  const r = new Float64Array(2 * L + 1);
  const denom = Math.sqrt((a.sumSq / n) * (b.sumSq / n));
  let maxAbs = 0;
  let maxLag = 0;
  if (denom > 0)
    for (let k = -L; k <= L; k++) {
      const v = lin[(k + lin.length) % lin.length] / (n - Math.abs(k)) / denom;
      r[k + L] = v;
      if (Math.abs(v) > maxAbs || (Math.abs(v) === maxAbs && Math.abs(k) < Math.abs(maxLag))) {
        maxAbs = Math.abs(v);
        maxLag = k;
      }
    }
  return { r, lag0: r[L], maxAbs, maxLag };
}

/**
 * The same statistic under a circular shift s of b: max_{|k|≤L} |circ(s + k)| / (n·s_a·s_b), where
 * circ(t) = Σ_i a_i b_{(i+t) mod n} = lin(t) + lin(t − n). Shifting b circularly keeps each series' own
 * autocorrelation and destroys their alignment: the circular-shift null.
 */
export function shiftedMaxCorrelation(
  lin: Float64Array,
  a: CentredSpectrum,
  b: CentredSpectrum,
  s: number,
  L: number,
): number {
  const n = a.n;
  const size = lin.length;
  const denom = Math.sqrt(a.sumSq * b.sumSq);
  if (!(denom > 0)) return 0;
  let max = 0;
  for (let k = -L; k <= L; k++) {
    const t = (((s + k) % n) + n) % n;
    const v = Math.abs(lin[t] + lin[(t - n + size) % size]) / denom;
    if (v > max) max = v;
  }
  return max;
}
