/**
 * The closing step shared by the four predictor estimates (§6.3.7–§6.3.10: multi-mcw.ts, lag.ts,
 * multi-mmc.ts, lz78y.ts). Each of them counts its correct predictions, its predictions and the longest
 * run of correct ones inline in its per-sample loop, and lag, MultiMMC and LZ78Y keep a bit-level
 * twin of the literal loop: these look-alike lines are deliberate hot-loop copies.
 */
import { Z_ALPHA } from './most-common-value.js';
import { bisectDecreasing } from './numeric.js';

/** Result of a predictor-based estimate (SP 800-90B §6.3.7–§6.3.10, step "compute P_global and P_local"). */
export interface PredictionResult {
  /** Number of correct predictions, C. */
  C: number;
  /** Number of predictions made, N. */
  N: number;
  /** One more than the longest run of correct predictions, r. */
  r: number;
  /** C / N. */
  pGlobal: number;
  /** Upper 99% bound on P_global (P_global'). */
  pGlobalPrime: number;
  /** P_local from the longest run, or null when it cannot change the result. */
  pLocal: number | null;
  /** −log2(max(P_global', P_local, 1/k)), bits per symbol. */
  hMin: number;
}

/**
 * log of the probability that the longest run of successes in N Bernoulli(p) trials is < r
 * (SP 800-90B §6.3.7 step 10), via the fixed-point x = 1 + q p^r x^(r+1).
 */
export function runProbabilityLog(p: number, r: number, N: number): number {
  const q = 1 - p;
  let x = 1;
  let xlast = 0;
  const pr = p ** r;
  for (let i = 0; i <= 65 && x - xlast > Number.EPSILON * x; i++) {
    xlast = x;
    x = 1 + q * pr * x ** (r + 1);
  }
  return Math.log(1 - p * x) - Math.log((r + 1 - r * x) * q) - (N + 1) * Math.log(x);
}

/** P_global', P_local and the min-entropy from a predictor's counts (k = alphabet size). */
export function predictionEstimate(C: number, N: number, maxRunLength: number, k: number): PredictionResult {
  const r = maxRunLength + 1;
  let curMax = 1 / k;
  const pGlobal = C / N;
  const pGlobalPrime =
    pGlobal > 0 ? Math.min(1, pGlobal + Z_ALPHA * Math.sqrt((pGlobal * (1 - pGlobal)) / (N - 1))) : 1 - 0.01 ** (1 / N);
  curMax = Math.max(curMax, pGlobalPrime);
  let pLocal: number | null = null;
  const logAlpha = Math.log(0.99);
  if (curMax < 1 && runProbabilityLog(curMax, r, N) > logAlpha) {
    pLocal = bisectDecreasing((p) => runProbabilityLog(p, r, N), logAlpha, curMax, 1, 1);
    curMax = Math.max(curMax, pLocal);
  }
  const hMin = curMax >= 1 ? 0 : -Math.log2(curMax);
  return { C, N, r, pGlobal, pGlobalPrime, pLocal, hMin };
}
