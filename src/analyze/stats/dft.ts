/**
 * Discrete Fourier transforms of any length, on top of fft.js (stats/fft.ts): a mixed-radix (4, 2, 3, 5)
 * Stockham FFT for 5-smooth lengths and Bluestein's chirp-z algorithm for the others. The SP 800-22
 * DFT test needs the exact length-n transform (n = 10⁶ → n/2 = 2⁵·5⁶). Plans (twiddle tables, chirps)
 * live in the shared plan cache of stats/fft.ts.
 */
import { cachedPlan, fftPlan, nextPow2 } from './fft.js';

/** Factors of N into 4, 2, 3 and 5 (4s first), or null when N has another prime factor. */
function smoothFactors(N: number): number[] | null {
  const f: number[] = [];
  let n = N;
  while (n % 4 === 0) {
    f.push(4);
    n /= 4;
  }
  if (n % 2 === 0) {
    f.push(2);
    n /= 2;
  }
  for (const r of [3, 5]) {
    while (n % r === 0) {
      f.push(r);
      n /= r;
    }
  }
  return n === 1 ? f : null;
}

const C5_1 = Math.cos((2 * Math.PI) / 5);
const C5_2 = Math.cos((4 * Math.PI) / 5);
const S5_1 = Math.sin((2 * Math.PI) / 5);
const S5_2 = Math.sin((4 * Math.PI) / 5);
const S3 = Math.sin((2 * Math.PI) / 3);

/*
 * One Stockham pass of radix r (see stockham) each: x[q + s(p + km)] → y[q + s(rp + j)]. The four
 * radices are written out rather than as one loop over a generic radix-r butterfly: they are the inner
 * loops of the transform, and their shared lines (twiddle powers, the final twiddle multiplications)
 * are deliberate hot-loop copies.
 */
function pass4(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  tc: Float64Array,
  ts: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const w1r = tc[p * s];
    const w1i = ts[p * s];
    const w2r = w1r * w1r - w1i * w1i;
    const w2i = 2 * w1r * w1i;
    const w3r = w2r * w1r - w2i * w1i;
    const w3i = w2r * w1i + w2i * w1r;
    const base = s * p;
    const out = 4 * s * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + base;
      const o0 = q + out;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const a3r = xr[i0 + 3 * sm];
      const a3i = xi[i0 + 3 * sm];
      const t0r = a0r + a2r;
      const t0i = a0i + a2i;
      const t1r = a0r - a2r;
      const t1i = a0i - a2i;
      const t2r = a1r + a3r;
      const t2i = a1i + a3i;
      // −i(a1 − a3)
      const t3r = a1i - a3i;
      const t3i = a3r - a1r;
      yr[o0] = t0r + t2r;
      yi[o0] = t0i + t2i;
      const b1r = t1r + t3r;
      const b1i = t1i + t3i;
      const b2r = t0r - t2r;
      const b2i = t0i - t2i;
      const b3r = t1r - t3r;
      const b3i = t1i - t3i;
      yr[o0 + s] = b1r * w1r - b1i * w1i;
      yi[o0 + s] = b1r * w1i + b1i * w1r;
      yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
      yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
      yr[o0 + 3 * s] = b3r * w3r - b3i * w3i;
      yi[o0 + 3 * s] = b3r * w3i + b3i * w3r;
    }
  }
}

function pass2(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  tc: Float64Array,
  ts: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const w1r = tc[p * s];
    const w1i = ts[p * s];
    const base = s * p;
    const out = 2 * s * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + base;
      const o0 = q + out;
      const ar = xr[i0];
      const ai = xi[i0];
      const br = xr[i0 + sm];
      const bi = xi[i0 + sm];
      yr[o0] = ar + br;
      yi[o0] = ai + bi;
      const dr = ar - br;
      const di = ai - bi;
      yr[o0 + s] = dr * w1r - di * w1i;
      yi[o0 + s] = dr * w1i + di * w1r;
    }
  }
}

function pass5(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  tc: Float64Array,
  ts: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const w1r = tc[p * s];
    const w1i = ts[p * s];
    const w2r = w1r * w1r - w1i * w1i;
    const w2i = 2 * w1r * w1i;
    const w3r = w2r * w1r - w2i * w1i;
    const w3i = w2r * w1i + w2i * w1r;
    const w4r = w2r * w2r - w2i * w2i;
    const w4i = 2 * w2r * w2i;
    const base = s * p;
    const out = 5 * s * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + base;
      const o0 = q + out;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const a3r = xr[i0 + 3 * sm];
      const a3i = xi[i0 + 3 * sm];
      const a4r = xr[i0 + 4 * sm];
      const a4i = xi[i0 + 4 * sm];
      const t1r = a1r + a4r;
      const t1i = a1i + a4i;
      const t2r = a2r + a3r;
      const t2i = a2i + a3i;
      const t3r = a1r - a4r;
      const t3i = a1i - a4i;
      const t4r = a2r - a3r;
      const t4i = a2i - a3i;
      yr[o0] = a0r + t1r + t2r;
      yi[o0] = a0i + t1i + t2i;
      const u1r = a0r + C5_1 * t1r + C5_2 * t2r;
      const u1i = a0i + C5_1 * t1i + C5_2 * t2i;
      const u2r = a0r + C5_2 * t1r + C5_1 * t2r;
      const u2i = a0i + C5_2 * t1i + C5_1 * t2i;
      // v1 = s1·t3 + s2·t4, v2 = s2·t3 − s1·t4; b1 = u1 − i v1, b4 = u1 + i v1, b2 = u2 − i v2, b3 = u2 + i v2
      const v1r = S5_1 * t3r + S5_2 * t4r;
      const v1i = S5_1 * t3i + S5_2 * t4i;
      const v2r = S5_2 * t3r - S5_1 * t4r;
      const v2i = S5_2 * t3i - S5_1 * t4i;
      const b1r = u1r + v1i;
      const b1i = u1i - v1r;
      const b4r = u1r - v1i;
      const b4i = u1i + v1r;
      const b2r = u2r + v2i;
      const b2i = u2i - v2r;
      const b3r = u2r - v2i;
      const b3i = u2i + v2r;
      yr[o0 + s] = b1r * w1r - b1i * w1i;
      yi[o0 + s] = b1r * w1i + b1i * w1r;
      yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
      yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
      yr[o0 + 3 * s] = b3r * w3r - b3i * w3i;
      yi[o0 + 3 * s] = b3r * w3i + b3i * w3r;
      yr[o0 + 4 * s] = b4r * w4r - b4i * w4i;
      yi[o0 + 4 * s] = b4r * w4i + b4i * w4r;
    }
  }
}

function pass3(
  xr: Float64Array,
  xi: Float64Array,
  yr: Float64Array,
  yi: Float64Array,
  m: number,
  s: number,
  tc: Float64Array,
  ts: Float64Array,
): void {
  const sm = s * m;
  for (let p = 0; p < m; p++) {
    const w1r = tc[p * s];
    const w1i = ts[p * s];
    const w2r = w1r * w1r - w1i * w1i;
    const w2i = 2 * w1r * w1i;
    const base = s * p;
    const out = 3 * s * p;
    for (let q = 0; q < s; q++) {
      const i0 = q + base;
      const o0 = q + out;
      const a0r = xr[i0];
      const a0i = xi[i0];
      const a1r = xr[i0 + sm];
      const a1i = xi[i0 + sm];
      const a2r = xr[i0 + 2 * sm];
      const a2i = xi[i0 + 2 * sm];
      const tr = a1r + a2r;
      const ti = a1i + a2i;
      const ur = a0r - 0.5 * tr;
      const ui = a0i - 0.5 * ti;
      const vr = S3 * (a1r - a2r);
      const vi = S3 * (a1i - a2i);
      yr[o0] = a0r + tr;
      yi[o0] = a0i + ti;
      const b1r = ur + vi;
      const b1i = ui - vr;
      const b2r = ur - vi;
      const b2i = ui + vr;
      yr[o0 + s] = b1r * w1r - b1i * w1i;
      yi[o0 + s] = b1r * w1i + b1i * w1r;
      yr[o0 + 2 * s] = b2r * w2r - b2i * w2i;
      yi[o0 + 2 * s] = b2r * w2i + b2i * w2r;
    }
  }
}

/** Tables cos/sin(−2πk/L), k < count (in the shared plan cache under (L, count)). */
function twiddles(L: number, count: number): { c: Float64Array; s: Float64Array } {
  return cachedPlan(`twiddles:${L}/${count}`, 16 * count, () => {
    const c = new Float64Array(count);
    const sn = new Float64Array(count);
    for (let k = 0; k < count; k++) {
      c[k] = Math.cos((-2 * Math.PI * k) / L);
      sn[k] = Math.sin((-2 * Math.PI * k) / L);
    }
    return { c, s: sn };
  });
}

/**
 * Mixed-radix (4, 2, 3, 5) Stockham autosort FFT, decimation in frequency, on split re/im arrays:
 * each pass of radix r maps x[q + s(p + km)] (k < r) to y[q + s(rp + j)] = w_n^(pj)·Σ_k x_k ω_r^(jk),
 * n the current sub-length, m = n/r, s the stride; no bit reversal. Forward transform
 * X_k = Σ_j x_j e^(−2πijk/N). Returns the arrays holding the result (the inputs or the scratch).
 */
function stockham(re: Float64Array, im: Float64Array, factors: number[]): { re: Float64Array; im: Float64Array } {
  const N = re.length;
  let xr = re;
  let xi = im;
  let yr = new Float64Array(N);
  let yi = new Float64Array(N);
  let n = N;
  let s = 1;
  const table = twiddles(N, N);
  for (const r of factors) {
    const m = n / r;
    // e^(−2πip/n) = e^(−2πi·ps/N): one table of the N-th roots serves every pass.
    if (r === 4) pass4(xr, xi, yr, yi, m, s, table.c, table.s);
    else if (r === 2) pass2(xr, xi, yr, yi, m, s, table.c, table.s);
    else if (r === 5) pass5(xr, xi, yr, yi, m, s, table.c, table.s);
    else pass3(xr, xi, yr, yi, m, s, table.c, table.s);
    const tr = xr;
    const ti = xi;
    xr = yr;
    xi = yi;
    yr = tr;
    yi = ti;
    n = m;
    s *= r;
  }
  return { re: xr, im: xi };
}

interface BluesteinPlan {
  N: number;
  size: number;
  /** chirp w_k = exp(−iπk²/N), interleaved re/im, k = 0 … N−1. */
  chirp: Float64Array;
  /** FFT of the conjugate chirp filter, interleaved, length 2·size. */
  filterHat: Float64Array;
}

/** Bluestein's chirp and filter for length N, in the shared plan cache. */
function bluesteinPlan(N: number): BluesteinPlan {
  const size = nextPow2(2 * N - 1);
  return cachedPlan(`bluestein:${N}`, 16 * (N + size), () => {
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
    fftPlan(size).transform(filterHat, filter);
    return { N, size, chirp, filterHat };
  });
}

/** Split re/im arrays of the first N complex values of an interleaved array. */
function deinterleave(data: Float64Array, N: number): { re: Float64Array; im: Float64Array } {
  const re = new Float64Array(N);
  const im = new Float64Array(N);
  for (let k = 0; k < N; k++) {
    re[k] = data[2 * k];
    im[k] = data[2 * k + 1];
  }
  return { re, im };
}

/** dst_k = src_k · chirp_k for k < N (interleaved complex). */
function chirpMultiply(src: Float64Array, chirp: Float64Array, dst: Float64Array, N: number): void {
  for (let k = 0; k < N; k++) {
    const xr = src[2 * k];
    const xi = src[2 * k + 1];
    const cr = chirp[2 * k];
    const ci = chirp[2 * k + 1];
    dst[2 * k] = xr * cr - xi * ci;
    dst[2 * k + 1] = xr * ci + xi * cr;
  }
}

/**
 * Discrete Fourier transform of any length N (interleaved complex in, interleaved out):
 * X_k = Σ_j x_j e^(−2πijk/N). Powers of two go straight to fft.js; lengths whose prime factors are
 * 2, 3 and 5 (n = 1,000,000 → 500,000 = 2⁵·5⁶) use the mixed-radix Stockham FFT; other lengths use Bluestein's
 * chirp-z algorithm (jk = (j² + k² − (k−j)²)/2) as a circular convolution of power-of-two size
 * ≥ 2N − 1 computed with fft.js.
 */
export function complexDft(data: Float64Array): Float64Array {
  const N = data.length / 2;
  if (N >= 2 && (N & (N - 1)) === 0) {
    const out = new Float64Array(2 * N);
    fftPlan(N).transform(out, data);
    return out;
  }
  if (N === 1) return data.slice();
  const factors = smoothFactors(N);
  if (factors) {
    const { re, im } = deinterleave(data, N);
    const r = stockham(re, im, factors);
    const out = new Float64Array(2 * N);
    for (let k = 0; k < N; k++) {
      out[2 * k] = r.re[k];
      out[2 * k + 1] = r.im[k];
    }
    return out;
  }
  const { size, chirp, filterHat } = bluesteinPlan(N);
  const a = new Float64Array(2 * size);
  chirpMultiply(data, chirp, a, N);
  const f = fftPlan(size);
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
  chirpMultiply(a, chirp, out, N);
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
  // x viewed as N interleaved complex numbers z_j = x_{2j} + i·x_{2j+1}
  const factors = smoothFactors(N);
  const z = deinterleave(factors ? x : complexDft(x), N);
  const { re: zr, im: zi } = factors ? stockham(z.re, z.im, factors) : z;
  const w = twiddles(n, N);
  for (let k = 0; k < N; k++) {
    const m = k === 0 ? 0 : N - k;
    const ar = zr[k];
    const ai = zi[k];
    const cr = zr[m];
    const ci = -zi[m];
    const er = (ar + cr) / 2;
    const ei = (ai + ci) / 2;
    // O = (Z_k − conj Z_{N−k}) / (2i) = (dI/2) − i(dR/2)
    const or = (ai - ci) / 2;
    const oi = -(ar - cr) / 2;
    const wr = w.c[k];
    const wi = w.s[k];
    const xr = er + wr * or - wi * oi;
    const xi = ei + wr * oi + wi * or;
    out[k] = Math.sqrt(xr * xr + xi * xi);
  }
  return out;
}
