import FFT from 'fft.js';

/**
 * Thin helpers over fft.js (radix-4, power-of-two sizes only). Complex arrays are interleaved
 * [re0, im0, re1, im1, …] Float64Arrays. Plans are cached by size (the few most recently used): the
 * twiddle table is reused by every autocorrelation, spectrum and cross-correlation of that size.
 */
const plans = new Map<number, FFT>();

/** Plans kept: a twiddle table is 2·size doubles on the JS heap (32 MiB at 2^21), so only the latest few. */
const MAX_PLANS = 4;

function plan(size: number): FFT {
  let p = plans.get(size);
  if (p) {
    plans.delete(size); // re-insert: Map order is the recency order
  } else {
    p = new FFT(size);
    if (plans.size >= MAX_PLANS) plans.delete(plans.keys().next().value as number);
  }
  plans.set(size, p);
  return p;
}

/** The smallest power of two ≥ n, and at least 4 (fft.js's smallest size). */
export function nextPow2(n: number): number {
  let m = 4;
  while (m < n) m *= 2;
  return m;
}

/** Forward DFT of a real signal zero-padded to `size` (a power of two); full complex spectrum. */
export function realDft(x: ArrayLike<number>, size: number): Float64Array {
  const input = new Float64Array(size);
  const len = Math.min(size, x.length);
  for (let i = 0; i < len; i++) input[i] = x[i];
  const out = new Float64Array(2 * size);
  const p = plan(size);
  p.realTransform(out, input);
  p.completeSpectrum(out);
  return out;
}

/** Inverse DFT (with the 1/size factor) of an interleaved complex spectrum; the full complex result. */
export function inverseDft(spectrum: Float64Array): Float64Array {
  const out = new Float64Array(spectrum.length);
  plan(spectrum.length / 2).inverseTransform(out, spectrum);
  return out;
}

/** Inverse DFT (with the 1/size factor) of an interleaved complex spectrum; returns the real parts. */
export function inverseDftReal(spectrum: Float64Array): Float64Array {
  const size = spectrum.length / 2;
  const out = new Float64Array(2 * size);
  plan(size).inverseTransform(out, spectrum);
  const re = new Float64Array(size);
  for (let i = 0; i < size; i++) re[i] = out[2 * i];
  return re;
}

/**
 * DFT of a real sequence that is even (x_j = x_{size−j}), e.g. a power spectrum |X|²: its inverse DFT is
 * real and equals DFT(x)/size, so one real transform (half the work of a complex inverse) gives it.
 * Returns the first `count` values of IDFT(x).
 */
export function inverseDftOfRealEven(x: Float64Array, count: number): Float64Array {
  const size = x.length;
  const out = new Float64Array(2 * size);
  plan(size).realTransform(out, x);
  const re = new Float64Array(Math.min(count, size));
  for (let i = 0; i < re.length; i++) re[i] = out[2 * i] / size;
  return re;
}
