import FFT from 'fft.js';

/** Cached fft.js instances by size (construction builds twiddle tables). */
const ffts = new Map<number, FFT>();
function fftOf(size: number): FFT {
  let f = ffts.get(size);
  if (!f) {
    f = new FFT(size);
    ffts.set(size, f);
  }
  return f;
}

function nextPow2(x: number): number {
  let p = 2;
  while (p < x) p *= 2;
  return p;
}

interface BluesteinPlan {
  N: number;
  size: number;
  /** chirp w_k = exp(−iπk²/N), interleaved re/im, k = 0 … N−1. */
  chirp: Float64Array;
  /** FFT of the conjugate chirp filter, interleaved, length 2·size. */
  filterHat: Float64Array;
}
const plans = new Map<number, BluesteinPlan>();

function bluesteinPlan(N: number): BluesteinPlan {
  const cached = plans.get(N);
  if (cached) return cached;
  const size = nextPow2(2 * N - 1);
  const chirp = new Float64Array(2 * N);
  const twoN = 2 * N;
  for (let k = 0; k < N; k++) {
    // k² mod 2N keeps the angle argument small and exact (k² < 2^53 for N < 2^26).
    const kk = (k * k) % twoN;
    const a = (Math.PI * kk) / N;
    chirp[2 * k] = Math.cos(a);
    chirp[2 * k + 1] = -Math.sin(a);
  }
  const filter = new Float64Array(2 * size);
  filter[0] = chirp[0];
  filter[1] = -chirp[1];
  for (let k = 1; k < N; k++) {
    filter[2 * k] = chirp[2 * k];
    filter[2 * k + 1] = -chirp[2 * k + 1];
    filter[2 * (size - k)] = chirp[2 * k];
    filter[2 * (size - k) + 1] = -chirp[2 * k + 1];
  }
  const filterHat = new Float64Array(2 * size);
  fftOf(size).transform(filterHat, filter);
  const plan = { N, size, chirp, filterHat };
  if (plans.size > 8) plans.clear();
  plans.set(N, plan);
  return plan;
}

/**
 * Discrete Fourier transform of any length N (interleaved complex in, interleaved out):
 * X_k = Σ_j x_j e^(−2πijk/N). Powers of two go straight to fft.js; other lengths use Bluestein's
 * chirp-z algorithm (jk = (j² + k² − (k−j)²)/2) as a circular convolution of power-of-two size
 * ≥ 2N − 1 computed with fft.js.
 */
export function complexDft(data: Float64Array): Float64Array {
  const N = data.length / 2;
  if (N >= 2 && (N & (N - 1)) === 0) {
    const out = new Float64Array(2 * N);
    fftOf(N).transform(out, data);
    return out;
  }
  if (N === 1) return data.slice();
  const { size, chirp, filterHat } = bluesteinPlan(N);
  const a = new Float64Array(2 * size);
  for (let k = 0; k < N; k++) {
    const xr = data[2 * k];
    const xi = data[2 * k + 1];
    const cr = chirp[2 * k];
    const ci = chirp[2 * k + 1];
    a[2 * k] = xr * cr - xi * ci;
    a[2 * k + 1] = xr * ci + xi * cr;
  }
  const f = fftOf(size);
  const aHat = new Float64Array(2 * size);
  f.transform(aHat, a);
  for (let k = 0; k < size; k++) {
    const ar = aHat[2 * k];
    const ai = aHat[2 * k + 1];
    const br = filterHat[2 * k];
    const bi = filterHat[2 * k + 1];
    aHat[2 * k] = ar * br - ai * bi;
    aHat[2 * k + 1] = ar * bi + ai * br;
  }
  f.inverseTransform(a, aHat);
  const out = new Float64Array(2 * N);
  for (let k = 0; k < N; k++) {
    const yr = a[2 * k];
    const yi = a[2 * k + 1];
    const cr = chirp[2 * k];
    const ci = chirp[2 * k + 1];
    out[2 * k] = yr * cr - yi * ci;
    out[2 * k + 1] = yr * ci + yi * cr;
  }
  return out;
}

/**
 * Moduli |X_k| of the DFT of a real sequence x of any length n, for k = 0 … ⌊n/2⌋ − 1 (the half
 * the SP 800-22 DFT test uses). For even n, one complex DFT of length n/2 of z_j = x_{2j} + i·x_{2j+1},
 * then X_k = E_k + e^(−2πik/n)·O_k with E_k = (Z_k + conj Z_{N−k})/2, O_k = (Z_k − conj Z_{N−k})/(2i).
 */
export function realDftModuli(x: Float64Array): Float64Array {
  const n = x.length;
  const half = Math.floor(n / 2);
  const out = new Float64Array(half);
  if (n % 2 === 1 || n < 4) {
    const c = new Float64Array(2 * n);
    for (let i = 0; i < n; i++) c[2 * i] = x[i];
    const X = complexDft(c);
    for (let k = 0; k < half; k++) out[k] = Math.hypot(X[2 * k], X[2 * k + 1]);
    return out;
  }
  const N = half;
  const Z = complexDft(x); // x viewed as N interleaved complex numbers
  for (let k = 0; k < N; k++) {
    const zr = Z[2 * k];
    const zi = Z[2 * k + 1];
    const m = k === 0 ? 0 : N - k;
    const cr = Z[2 * m];
    const ci = -Z[2 * m + 1];
    const er = (zr + cr) / 2;
    const ei = (zi + ci) / 2;
    // O = (Z − conj Z_{N−k}) / (2i) = (dI/2) − i(dR/2)
    const dr = zr - cr;
    const di = zi - ci;
    const or = di / 2;
    const oi = -dr / 2;
    const a = (-2 * Math.PI * k) / n;
    const wr = Math.cos(a);
    const wi = Math.sin(a);
    const xr = er + wr * or - wi * oi;
    const xi = ei + wr * oi + wi * or;
    out[k] = Math.sqrt(xr * xr + xi * xi);
  }
  return out;
}
