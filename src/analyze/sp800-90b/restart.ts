import { OeError } from '../../errors.js';
import { type EstimatorOutcome, runJob } from './estimators.js';
import { assertUsable, plannedJobs } from './non-iid.js';
import { prepareSymbols } from './symbols.js';

export interface RestartResult {
  /** Which validation ran: the IID track's most common value estimate or the non-IID literal estimators. */
  mode: 'iid' | 'non-iid';
  rows: number;
  columns: number;
  bitsPerSymbol: number;
  /** The initial entropy estimate H_I being validated. */
  hI: number;
  /** Per-test significance α = 1 − 0.99^(1/(r+c)). */
  alpha: number;
  /** Largest acceptable most-common-symbol count in a row or column (§3.1.4.3). */
  xCutoff: number;
  /** Largest most-common-symbol count over the rows, over the columns, and both. */
  xRows: number;
  xColumns: number;
  xMax: number;
  sanityPassed: boolean;
  /**
   * Estimator outcomes on the row dataset and the column dataset (literal symbols only, as the tool): the
   * non-IID literal estimators, or only the most common value estimate in IID mode.
   */
  rowEstimators: EstimatorOutcome[];
  columnEstimators: EstimatorOutcome[];
  /** min over the row (column) estimates and the word size. */
  hR: number;
  hC: number;
  /** Validation passes when min(H_r, H_c) ≥ H_I / 2 (§3.1.4.2). */
  validationPassed: boolean;
  /** min(H_r, H_c, H_I) when both checks pass, otherwise null (the source fails restart testing). */
  hRestart: number | null;
}

/** log of the Poisson(λ) probability mass at c. */
function logPoisson(lambda: number, c: number, logFact: Float64Array): number {
  return c * Math.log(lambda) - lambda - logFact[c];
}

/** Truncated polynomial product, degrees 0..n. */
function multiply(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const out = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    const ai = a[i];
    if (ai === 0) continue;
    for (let j = 0; j + i <= n; j++) out[i + j] += ai * b[j];
  }
  return out;
}

/**
 * P(every count ≤ x) for n draws from the "inverted near-uniform" distribution with most likely
 * probability p (⌊1/p⌋ symbols of probability p and one holding the rest), the worst case the
 * reference tool simulates for the sanity check. Computed exactly by Poissonisation: the counts are
 * independent Poisson(n·p_j) conditioned on their sum being n.
 */
export function maxCountCdf(x: number, n: number, p: number): number {
  const m = Math.floor(1 / p);
  const residual = 1 - m * p;
  const logFact = new Float64Array(n + 1);
  for (let i = 2; i <= n; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const factor = (prob: number) => {
    const f = new Float64Array(n + 1);
    for (let c = 0; c <= Math.min(x, n); c++) f[c] = Math.exp(logPoisson(n * prob, c, logFact));
    return f;
  };
  let result: Float64Array | null = null;
  let base = factor(p);
  for (let e = m; e > 0; e >>= 1) {
    if (e & 1) result = result ? multiply(result, base, n) : base;
    if (e > 1) base = multiply(base, base, n);
  }
  if (residual > 1e-15) {
    const r = factor(residual);
    result = result ? multiply(result, r, n) : r;
  }
  const pSumIsN = Math.exp(logPoisson(n, n, logFact));
  return (result as Float64Array)[n] / pSumIsN;
}

/**
 * The sanity-check cutoff: the smallest count x with P(max count ≤ x) ≥ 1 − α over `n` samples
 * at min-entropy H_I. NIST's tool estimates the same quantile from 5,000,000 simulated rounds;
 * here it is exact (so it can differ from one simulation by one at a boundary).
 */
export function restartCutoff(hI: number, alpha: number, n = 1000): number {
  const p = 2 ** -hI;
  let lo = Math.ceil(n * p) - 1;
  if (lo < 0) lo = 0;
  for (let x = Math.max(1, lo); x <= n; x++) if (maxCountCdf(x, n, p) >= 1 - alpha) return x;
  return n;
}

function maxCount(data: Uint8Array, start: number, stride: number, count: number): number {
  const c = new Int32Array(256);
  let best = 0;
  for (let i = 0; i < count; i++) {
    const v = ++c[data[start + i * stride]];
    if (v > best) best = v;
  }
  return best;
}

/**
 * Restart tests, SP 800-90B §3.1.4 (as `ea_restart -n`, or `ea_restart -i` with `iid`): the data is a
 * row-major matrix of `rows` restarts × `columns` samples each. Sanity check (§3.1.4.3): the most common
 * symbol's count in any row or column must not exceed the cutoff. Validation (§3.1.4.2): H_r and H_c are
 * estimated on the row and column datasets with the track H_I came from — the non-IID literal estimators,
 * or for the IID track the most common value estimate (§6.3.1) — and must be at least H_I/2; the validated
 * estimate is min(H_r, H_c, H_I). (The most common value depends only on symbol counts, so in IID mode
 * H_r = H_c = the estimate over the whole matrix.)
 */
export function restartTest(
  data: Uint8Array,
  hI: number,
  bits?: number,
  options: { rows?: number; columns?: number; iid?: boolean } = {},
): RestartResult {
  const rows = options.rows ?? 1000;
  const columns = options.columns ?? 1000;
  if (data.length !== rows * columns)
    throw new OeError(
      'BAD_INPUT',
      `restart data must hold ${rows}×${columns} = ${rows * columns} samples, got ${data.length}`,
    );
  const p = prepareSymbols(data, bits);
  assertUsable(p);
  if (!(hI >= 0) || hI > p.wordSize)
    throw new OeError('USAGE', `H_I must be between 0 and the bits per symbol (${p.wordSize}), got ${hI}`);
  const alpha = 1 - Math.exp(Math.log(0.99) / (rows + columns));
  const xCutoff = restartCutoff(hI, alpha, columns === rows ? rows : Math.max(rows, columns));
  const sym = p.symbols;
  let xRows = 0;
  for (let i = 0; i < rows; i++) xRows = Math.max(xRows, maxCount(sym, i * columns, 1, columns));
  const colData = new Uint8Array(sym.length);
  for (let j = 0; j < columns; j++) for (let i = 0; i < rows; i++) colData[j * rows + i] = sym[i * columns + j];
  let xColumns = 0;
  for (let j = 0; j < columns; j++) xColumns = Math.max(xColumns, maxCount(colData, j * rows, 1, rows));
  const xMax = Math.max(xRows, xColumns);
  const sanityPassed = xMax <= xCutoff;
  const iid = options.iid === true;
  const run = (seq: Uint8Array) =>
    iid
      ? runJob('mcv', seq, p.alphabetSize, 'literal')
      : plannedJobs(p.alphabetSize)
          .filter((j) => j.track === 'literal')
          .flatMap((j) => runJob(j.job, seq, p.alphabetSize, 'literal'));
  const rowEstimators = run(sym);
  const columnEstimators = run(colData);
  const h = (list: EstimatorOutcome[]) =>
    list.reduce((m, e) => (e.hMin !== undefined ? Math.min(m, e.hMin) : m), p.wordSize);
  const hR = h(rowEstimators);
  const hC = h(columnEstimators);
  const validationPassed = Math.min(hR, hC) >= hI / 2;
  return {
    mode: iid ? 'iid' : 'non-iid',
    rows,
    columns,
    bitsPerSymbol: p.wordSize,
    hI,
    alpha,
    xCutoff,
    xRows,
    xColumns,
    xMax,
    sanityPassed,
    rowEstimators,
    columnEstimators,
    hR,
    hC,
    validationPassed,
    hRestart: sanityPassed && validationPassed ? Math.min(hR, hC, hI) : null,
  };
}
