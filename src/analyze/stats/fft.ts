import FFT from 'fft.js';

/**
 * Thin helpers over fft.js (radix-4, power-of-two sizes only), and the one cache of transform plans
 * (fft.js instances here, twiddle tables and Bluestein chirps in dft.ts). Complex arrays are
 * interleaved [re0, im0, re1, im1, …] Float64Arrays.
 */

/**
 * Memory the cached plans may hold together. A plan of size 2^21 (1 M samples zero-padded) is 48 MiB,
 * so the cache keeps one such plan beside the small ones; the most recently used plan is always kept.
 */
const PLAN_BUDGET_BYTES = 64 * 2 ** 20;

/** Cached plans by key, least recently used first (Map order is insertion order; a hit re-inserts). */
const plans = new Map<string, { value: unknown; bytes: number }>();
let planBytes = 0;

/**
 * The plan under `key`, made by `make` (holding about `bytes` bytes) when it is not cached. Older plans
 * are dropped, least recently used first, while the cache holds more than its budget.
 */
export function cachedPlan<T>(key: string, bytes: number, make: () => T): T {
  const hit = plans.get(key);
  if (hit) {
    plans.delete(key);
    plans.set(key, hit);
    return hit.value as T;
  }
  const value = make();
  plans.set(key, { value, bytes });
  planBytes += bytes;
  for (const [k, e] of plans) {
    if (planBytes <= PLAN_BUDGET_BYTES || k === key) break;
    plans.delete(k);
    planBytes -= e.bytes;
  }
  return value;
}

/** What the plan cache holds now (for tests and diagnostics). */
export function planCacheStats(): { entries: number; bytes: number; budgetBytes: number } {
  return { entries: plans.size, bytes: planBytes, budgetBytes: PLAN_BUDGET_BYTES };
}

/** The fft.js plan of a power-of-two size (its twiddle table is 2·size doubles, its bit-reversal table ≤ size). */
export function fftPlan(size: number): FFT {
  return cachedPlan(`fft:${size}`, 24 * size, () => new FFT(size));
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
  const p = fftPlan(size);
  p.realTransform(out, input);
  p.completeSpectrum(out);
  return out;
}

/**
 * out = conj(a)·b, element by element over interleaved complex spectra (a's length): the cross-spectrum
 * whose inverse DFT is the circular cross-correlation Σ_t a_t b_{t+k}. Returns `out`.
 */
export function crossSpectrumInto(out: Float64Array, a: Float64Array, b: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i += 2) {
    const ar = a[i];
    const ai = -a[i + 1];
    const br = b[i];
    const bi = b[i + 1];
    out[i] = ar * br - ai * bi;
    out[i + 1] = ar * bi + ai * br;
  }
  return out;
}

/** Inverse DFT (with the 1/size factor) of an interleaved complex spectrum; the full complex result. */
export function inverseDft(spectrum: Float64Array): Float64Array {
  const out = new Float64Array(spectrum.length);
  fftPlan(spectrum.length / 2).inverseTransform(out, spectrum);
  return out;
}

/** Inverse DFT (with the 1/size factor) of an interleaved complex spectrum; returns the real parts. */
export function inverseDftReal(spectrum: Float64Array): Float64Array {
  const size = spectrum.length / 2;
  const out = new Float64Array(2 * size);
  fftPlan(size).inverseTransform(out, spectrum);
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
  fftPlan(size).realTransform(out, x);
  const re = new Float64Array(Math.min(count, size));
  for (let i = 0; i < re.length; i++) re[i] = out[2 * i] / size;
  return re;
}
