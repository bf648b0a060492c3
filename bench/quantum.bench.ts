/**
 * quantum_proxy_v3 (EXPERIMENTAL) benchmark (`npm run bench quantum`). Measured in this one run:
 *
 * 1. The full quantum report (prior, quality, coupling with nulls and BH, window stress, Monte-Carlo
 *    intervals, ablation) on 20 sources × 64 KiB: seconds, on one thread and with the pairwise coupling
 *    on worker threads (ratio; the two reports must be identical).
 * 2. Scaling of the coupling computation in n: the same 20 sources at n = 32 KiB and 64 KiB; the time
 *    ratio should be ≈ 2 (linear in n per pair; the FFT correlation adds a log n factor).
 * 3. Baseline for the correlation null: all ~n circular rotations of one pair by direct dot products
 *    (O(n²), what a naive "every rotation" null costs) against the FFT path used by the model, at
 *    n = 16 KiB: the ratio is the speed-up.
 *
 * Input: deterministic pseudo-random bytes (xorshift32) shaped like real streams (some biased, some
 * sharing a component with a neighbour). This is a compute benchmark; the bytes are not entropy and are
 * not presented as measurements.
 */

import { availableParallelism, loadavg } from 'node:os';
import { centredSpectrum, circAt, crossProducts } from '../src/analyze/dependence/lagged-correlation.js';
import { resolveQuantumConfig } from '../src/analyze/quantum/config.js';
import { couplingAnalysis } from '../src/analyze/quantum/coupling.js';
import { quantumProxyV3, quantumProxyV3Parallel } from '../src/analyze/quantum/proxy.js';

const line = (s: string) => process.stdout.write(`${s}\n`);
line(
  `load average at start: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${availableParallelism()} CPUs (timings scale with contention)`,
);
const SOURCES = 20;
const N = 65536;

function streams(n: number) {
  let x = 0x9e3779b9;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x >>> 24;
  };
  const out: { name: string; bytes: Uint8Array }[] = [];
  for (let s = 0; s < SOURCES; s++) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = next();
    if (s % 4 === 1) for (let i = 0; i < n; i++) b[i] &= 0x3f; // biased
    if (s % 5 === 2 && s > 0) for (let i = 0; i < n; i += 3) b[i] = out[s - 1].bytes[i]; // shares a third with s−1
    out.push({ name: `s${String(s).padStart(2, '0')}`, bytes: b });
  }
  return out;
}

function time<T>(f: () => T): { s: number; v: T } {
  const t0 = performance.now();
  const v = f();
  return { s: (performance.now() - t0) / 1000, v };
}

const config = resolveQuantumConfig();
const data = streams(N);
// Warm up the JIT and the FFT plans on a small case.
couplingAnalysis(streams(4096).slice(0, 4), config);

const inputs = data.map((d, i) => ({
  name: d.name,
  category: i % 2 ? 'timing' : 'io',
  minEntropyBits: 6,
  bytes: d.bytes,
}));
const report = time(() => quantumProxyV3(inputs, { config: { seed: 1 } }));
line(
  `quantum report, ${SOURCES} sources × ${N / 1024} KiB (${report.v.coupling.pairs} pairs, ${config.couplingNullRounds} MI null rotations, ${config.bootstrapRounds} MC draws), one thread: ${report.s.toFixed(2)} s`,
);
const t0 = performance.now();
const par = await quantumProxyV3Parallel(inputs, { config: { seed: 1 } });
const tPar = (performance.now() - t0) / 1000;
line(
  `same report with the coupling on ${availableParallelism()} worker threads: ${tPar.toFixed(2)} s (×${(report.s / tPar).toFixed(2)} vs one thread; identical: ${JSON.stringify(par) === JSON.stringify(report.v)})`,
);

const half = data.map((d) => ({ name: d.name, bytes: d.bytes.subarray(0, N / 2) }));
const tHalf = time(() => couplingAnalysis(half, config)).s;
const tFull = time(() => couplingAnalysis(data, config)).s;
line(
  `coupling at n = ${N / 2048} KiB: ${tHalf.toFixed(2)} s; at n = ${N / 1024} KiB: ${tFull.toFixed(2)} s; ratio ${(tFull / tHalf).toFixed(2)} (linear in n ⇒ ≈ 2)`,
);

const n = 16384;
const a = data[0].bytes.subarray(0, n);
const b = data[1].bytes.subarray(0, n);
const fft = time(() => {
  const A = centredSpectrum(a, n);
  const B = centredSpectrum(b, n);
  const cross = crossProducts(A, B);
  let m = 0;
  for (let d = 0; d < n; d++) m = Math.max(m, Math.abs(circAt(cross, d)));
  return m;
});
const naive = time(() => {
  const ma = a.reduce((s, v) => s + v, 0) / n;
  const mb = b.reduce((s, v) => s + v, 0) / n;
  const za = Float64Array.from(a, (v) => v - ma);
  const zb = Float64Array.from(b, (v) => v - mb);
  let m = 0;
  for (let d = 0; d < n; d++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += za[i] * zb[(i + d) % n];
    m = Math.max(m, Math.abs(s));
  }
  return m;
});
const agree = Math.abs(fft.v - naive.v) <= 1e-6 * naive.v;
line(
  `correlation at all ${n} rotations of one pair: direct ${naive.s.toFixed(3)} s, FFT ${fft.s.toFixed(4)} s, speed-up ×${(naive.s / fft.s).toFixed(0)} (max |Σ| agrees: ${agree})`,
);
if (!agree) process.exitCode = 1;
