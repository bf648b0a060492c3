/**
 * quantum_proxy_v3 (EXPERIMENTAL) stress sensitivity: how much a source's min-entropy moves with the
 * machine's state. stress = clamp01(|ΔH∞| / stress_delta_bits) (default 1.5 bits).
 */
import { mostCommonValue } from '../sp800-90b/most-common-value.js';
import { populationVariance } from '../stats/mean-sd.js';
import { clamp01 } from './config.js';

/** Contiguous windows of `bytes`: up to `count` windows of ≥ minBytes each (a short tail is dropped). */
export function windowsOf(bytes: Uint8Array, count: number, minBytes: number): Uint8Array[] {
  const step = Math.max(Math.floor(bytes.length / count), minBytes);
  const out: Uint8Array[] = [];
  for (let off = 0; off + step <= bytes.length && out.length < count; off += step)
    out.push(bytes.subarray(off, off + step));
  return out;
}

export interface WindowStress {
  /** Per-window MCV min-entropy (SP 800-90B §6.3.1), bits per byte. */
  windowMinEntropy: number[];
  /** Population SD of the window estimates. */
  observedSd: number;
  /** SD the MCV estimate would show from sampling alone (delta method, see windowStress). */
  samplingSd: number;
  /** sqrt(max(0, observedSd² − samplingSd²)): the part of the spread not explained by sampling noise. */
  excessSd: number;
  /** clamp01(excessSd / stress_delta_bits); 0 with fewer than 2 windows. */
  stress: number;
}

/**
 * Stress from window variability, debiased: the SD of per-window MCV H∞ over small windows is mostly
 * sampling noise, not stress, so windows have at least `minBytes` (default 512) bytes and the expected
 * sampling variance of each window's estimate is subtracted: for a window of w bytes with most-common-value proportion p̂, Var(Ĥ) ≈ (1 − p̂)/(w·p̂·ln²2)
 * (delta method on H = −log2 p, Var(p̂) = p̂(1−p̂)/w). What remains is variation between windows beyond
 * what i.i.d. sampling would give.
 */
export function windowStress(
  bytes: Uint8Array,
  windows: number,
  minBytes: number,
  stressDeltaBits: number,
): WindowStress {
  const ws = windowsOf(bytes, windows, minBytes);
  if (ws.length < 2)
    return {
      windowMinEntropy: ws.map((w) => mostCommonValue(w).hMin),
      observedSd: 0,
      samplingSd: 0,
      excessSd: 0,
      stress: 0,
    };
  const est = ws.map((w) => mostCommonValue(w));
  const h = est.map((e) => e.hMin);
  const observedVar = populationVariance(h);
  let samplingVar = 0;
  for (let i = 0; i < ws.length; i++) {
    const p = est[i].pHat;
    samplingVar += (1 - p) / (ws[i].length * p * Math.LN2 * Math.LN2);
  }
  samplingVar /= ws.length;
  const excessSd = Math.sqrt(Math.max(0, observedVar - samplingVar));
  return {
    windowMinEntropy: h,
    observedSd: Math.sqrt(observedVar),
    samplingSd: Math.sqrt(samplingVar),
    excessSd,
    stress: clamp01(excessSd / stressDeltaBits),
  };
}

/** One source's live stress sweep: MCV H∞ at baseline and under each load. */
export interface StressSweepSource {
  baselineMinEntropy: number;
  cpuLoadMinEntropy?: number;
  memoryLoadMinEntropy?: number;
  schedulerLoadMinEntropy?: number;
}

/**
 * Live-sweep stress: clamp01(mean over the loads that produced data of |H∞_load − H∞_baseline| /
 * stress_delta_bits); 0 when no load produced data.
 */
export function sweepStress(s: StressSweepSource, stressDeltaBits: number): { meanAbsDelta: number; stress: number } {
  const loads = [s.cpuLoadMinEntropy, s.memoryLoadMinEntropy, s.schedulerLoadMinEntropy].filter(
    (x): x is number => x !== undefined && Number.isFinite(x),
  );
  if (loads.length === 0) return { meanAbsDelta: 0, stress: 0 };
  const meanAbsDelta = loads.reduce((a, h) => a + Math.abs(h - s.baselineMinEntropy), 0) / loads.length;
  return { meanAbsDelta, stress: clamp01(meanAbsDelta / stressDeltaBits) };
}
