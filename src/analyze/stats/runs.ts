import { normalTwoSided } from './distributions.js';
import { byteCounts } from './histogram.js';

export interface RunsResult {
  n: number;
  /** Runs of identical consecutive values: 1 + #{i : x_i ≠ x_{i−1}}. */
  totalRuns: number;
  /** E[R] = 1 + (n − 1)·q with q = 1 − Σ p_j², p_j the observed symbol frequencies. */
  expectedRuns: number;
  /** Var[R] = (n − 1) q (1 − q) + 2 (n − 2) (Σ p_j (1 − p_j)² − q²) (the change indicators are 1-dependent). */
  varianceRuns: number;
  /** (R − E[R]) / √Var[R] and its two-sided normal p-value. */
  z: number;
  pValue: number;
  longestRun: number;
  /** E[longest run] = Σ_{m≥1} P(L ≥ m) under the Poisson approximation below. */
  expectedLongestRun: number;
  /**
   * P(L ≥ observed) ≈ 1 − exp(−λ_m), λ_m = Σ_j p_j^m (1 + (n − m)(1 − p_j)) the expected number of runs of
   * length ≥ m (a run starts at position 0 or after a different symbol); Poisson clumping heuristic
   * (Arratia, Gordon & Waterman 1990).
   */
  longestRunPValue: number;
}

/**
 * Runs of identical consecutive symbols (bytes), with expectations derived for i.i.d. symbols with the
 * observed marginal distribution rather than a uniform one, so that a non-uniform but independent source
 * is not flagged. (ln n / ln 256 for the longest run would be too small by about one.)
 */
export function runs(bytes: Uint8Array): RunsResult {
  const acc = new RunsAccumulator();
  acc.push(bytes);
  return runsOfSummary(acc.summary(), byteCounts(bytes));
}

/** What the runs test needs from the sequence itself: its length, number of runs and longest run. */
export interface RunsSummary {
  n: number;
  totalRuns: number;
  longestRun: number;
}

/**
 * Runs counted as bytes stream past, in order. Two accumulators of consecutive parts merge into the
 * accumulator of their concatenation (a run crossing the boundary is counted once).
 */
export class RunsAccumulator {
  n = 0;
  totalRuns = 0;
  longestRun = 0;
  private first = -1;
  /** Length of the run at the start and at the end of what was pushed. */
  private leading = 0;
  private current = 0;
  private last = -1;

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i];
      if (b === this.last) this.current++;
      else {
        this.totalRuns++;
        this.current = 1;
        this.last = b;
      }
      if (this.current > this.longestRun) this.longestRun = this.current;
      if (this.first < 0) this.first = b;
      if (this.totalRuns === 1) this.leading = this.current;
    }
    this.n += bytes.length;
  }

  /** Appends `next` (the accumulator of the bytes that follow these). */
  merge(next: RunsAccumulator): void {
    if (next.n === 0) return;
    if (this.n === 0) {
      Object.assign(this, next);
      return;
    }
    const joined = next.first === this.last;
    const boundary = joined ? this.current + next.leading : 0;
    if (joined && this.totalRuns === 1) this.leading = boundary;
    this.current = joined && next.totalRuns === 1 ? boundary : next.current;
    this.totalRuns += next.totalRuns - (joined ? 1 : 0);
    this.longestRun = Math.max(this.longestRun, next.longestRun, boundary);
    this.last = next.last;
    this.n += next.n;
  }

  summary(): RunsSummary {
    return { n: this.n, totalRuns: this.totalRuns, longestRun: this.longestRun };
  }
}

/** The runs test from the sequence's summary and its 256 byte counts. */
export function runsOfSummary(r: RunsSummary, counts: ArrayLike<number>): RunsResult {
  const { n, totalRuns: total, longestRun: longest } = r;
  if (n === 0)
    return {
      n,
      totalRuns: 0,
      expectedRuns: 0,
      varianceRuns: 0,
      z: 0,
      pValue: 1,
      longestRun: 0,
      expectedLongestRun: 0,
      longestRunPValue: 1,
    };
  const p: number[] = [];
  for (let j = 0; j < 256; j++) if (counts[j] > 0) p.push(counts[j] / n);
  let sumP2 = 0;
  let sumP1q2 = 0;
  for (const pj of p) {
    sumP2 += pj * pj;
    sumP1q2 += pj * (1 - pj) ** 2;
  }
  const q = 1 - sumP2;
  const expectedRuns = 1 + (n - 1) * q;
  const varianceRuns = Math.max(0, (n - 1) * q * (1 - q) + 2 * Math.max(0, n - 2) * (sumP1q2 - q * q));
  const z = varianceRuns > 0 ? (total - expectedRuns) / Math.sqrt(varianceRuns) : 0;
  const tail = (m: number) => {
    let lambda = 0;
    for (const pj of p) lambda += pj ** m * (1 + Math.max(0, n - m) * (1 - pj));
    return -Math.expm1(-lambda);
  };
  let expectedLongest = 0;
  if (p.length === 1) expectedLongest = n;
  else
    for (let m = 1; m <= n; m++) {
      const t = Math.min(1, tail(m));
      expectedLongest += t;
      if (t < 1e-12) break;
    }
  return {
    n,
    totalRuns: total,
    expectedRuns,
    varianceRuns,
    z,
    pValue: varianceRuns > 0 ? normalTwoSided(z) : 1,
    longestRun: longest,
    expectedLongestRun: expectedLongest,
    longestRunPValue: p.length === 1 ? 1 : Math.min(1, tail(longest)),
  };
}
