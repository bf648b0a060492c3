/**
 * The SP 800-22 report verdict's false-alarm rate and detection rate, read from a bank of per-sequence
 * p-values (bench/verdict-bank.bench.ts builds it).
 *
 * Observed: reports of K sequences are disjoint consecutive groups of a source's banked sequences, each
 * decided by oe's rule (sp80022Decisions, at FAMILY_ALPHA and, for comparison, at PREVIOUS_LEVEL); the
 * rate of reports with a FAIL, with its 95 % Clopper–Pearson interval. Flawed inputs: their banked report
 * groups, decided the same way.
 *
 * Computed (for the K where a bank of thousands gives few disjoint reports): a report FAILs iff the most
 * significant test passes Holm's first step, T·p_t < L, and p_t = S_t·min over its S_t series of
 * c·min(binomial tail, Šidák minimum, uniformity) (series-evidence.ts), so by the union bound
 *   P(FAIL at K) ≤ Σ_t S_t · [P(binomial tail < ℓ_t) + P(Šidák < ℓ_t) + P(uniformity < ℓ_t)],
 *   ℓ_t = L / (T·S_t·c),
 * each term from what the bank measures of test t's per-sequence decision p-values (all its series
 * pooled; Runs with its prerequisite folded in as the rule does), sequences being independent:
 * - binomial: the count of p < α is Bin(K_t, f_t), f_t the measured fraction; the term is
 *   P(Bin(K_t, f_t) ≥ x*), x* the smallest count whose tail P(Bin(K_t, α) ≥ x*) is below ℓ_t;
 * - Šidák: 1 − (1 − F_t(u))^K_t, u = 1 − (1 − ℓ_t)^{1/K_t}, F_t(u) the measured fraction of p < u where the
 *   bank expects at least 10 of them, and below that r_t·u, r_t = the largest measured tail ratio
 *   observed/expected at the cuts 10⁻², …, 10⁻⁶ where at least 10 are expected (at least 1): the
 *   assumption that the excess does not grow deeper in the tail than where it was measured;
 * - uniformity (K_t ≥ 55): the histogram of 10 bins is multinomial with bin probabilities π_t from the
 *   bank (binProbabilities: the measured deviation from 1/10, its size debiased for the bank's sampling
 *   noise, or at its 95 % upper limit); the term is P_π(S ≥ s*), S = Σ (F_i − ⌊K/10⌋)², s* the smallest S
 *   whose exact equiprobable tail (as equiprobable-chi-square.ts computes it) is below ℓ_t;
 * K_t = round(a_t·K) with a_t the fraction of sequences on which the test applies (the excursion tests);
 * T = 13 below K = 9 (both excursion tests may be n/a, which makes ℓ larger: conservative), else 15.
 * "estimate" uses the measured fractions; "upper" their 95 % Clopper–Pearson upper limits.
 */

import { igam } from '../src/analyze/math/special.js';
import { UNIFORMITY_MIN_SEQUENCES } from '../src/analyze/sp800-22/series-evidence.js';
import { FAMILY_ALPHA, runsDecisionPValue, sp80022Decisions } from '../src/analyze/sp800-22/test-decisions.js';
import { NIST_TEST_NAMES, type NistTestName, type Sp80022Result } from '../src/analyze/sp800-22/types.js';
import { clopperPearson } from '../src/analyze/stats/clopper-pearson.js';
import { binomialUpper, sidak } from '../src/analyze/stats/distributions.js';

/** One banked sequence: its source, its report group (flawed inputs) and its battery's p-values. */
export interface BankLine {
  source: string;
  group?: string;
  results: { name: NistTestName; applicable: boolean; pValues: number[]; prerequisiteFailed?: boolean }[];
}

/** The level oe used before this calibration, for comparison on the same reports. */
export const PREVIOUS_LEVEL = 0.005;
const ALPHA = 0.01;
const KS = [1, 2, 9, 20, 55, 100, 300];
const CUTS = [1e-2, 1e-3, 1e-4, 1e-5, 1e-6];
/** Expected count from which a tail fraction is taken as measured. */
const MEASURABLE = 10;

function results(line: BankLine): Sp80022Result[] {
  return line.results.map((r) => ({
    name: r.name,
    applicable: r.applicable,
    pValues: r.pValues,
    parameters: {},
    statistics: (r.prerequisiteFailed ? { prerequisiteFailed: 1 } : {}) as Record<string, number>,
  }));
}

/** The tests that FAIL in a report of these sequences at `level` (empty: the report passes). */
export function failingTests(lines: BankLine[], level: number): NistTestName[] {
  return sp80022Decisions(lines.map(results), { alpha: ALPHA, familyAlpha: level })
    .decisions.filter((d) => d.verdict === 'FAIL')
    .map((d) => d.test);
}

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
function rate(x: number, n: number): string {
  if (n === 0) return '—';
  const [lo, hi] = clopperPearson(x, n);
  return `${String(x).padStart(4)}/${String(n).padEnd(5)} ${pct(x / n).padStart(8)}  [${pct(lo)}, ${pct(hi)}]`;
}

/** What the bank measures of one test's per-sequence decision p-values, all series pooled. */
export interface TestNull {
  test: NistTestName;
  /** Series per sequence where it applies. */
  series: number;
  /** Fraction of sequences on which the test applies. */
  applies: number;
  /** Pooled p-values, ascending. */
  sorted: Float64Array;
  /** Counts below α and below each of CUTS. */
  belowAlpha: number;
  below: number[];
  /** Largest measured tail ratio observed/expected (point and CP upper), at least 1. */
  ratio: number;
  ratioUpper: number;
  /** Counts in the 10 uniformity bins. */
  bins: number[];
}

export function testNulls(lines: BankLine[]): TestNull[] {
  return NIST_TEST_NAMES.map((test) => {
    const all: number[] = [];
    let applies = 0;
    let series = 0;
    for (const line of lines) {
      const r = line.results.find((x) => x.name === test);
      if (!r?.applicable) continue;
      applies++;
      series = Math.max(series, r.pValues.length);
      for (const p of r.pValues) all.push(test === 'Runs' ? runsDecisionPValue(p, r.prerequisiteFailed === true) : p);
    }
    const sorted = Float64Array.from(all).sort();
    const N = sorted.length;
    const count = (t: number) => lowerBound(sorted, t);
    const below = CUTS.map(count);
    let ratio = 1;
    let ratioUpper = 1;
    CUTS.forEach((c, i) => {
      if (N * c < MEASURABLE) return;
      ratio = Math.max(ratio, below[i] / (N * c));
      ratioUpper = Math.max(ratioUpper, clopperPearson(below[i], N)[1] / c);
    });
    const bins = new Array<number>(10).fill(0);
    for (const p of sorted) bins[Math.min(9, Math.floor(p * 10))]++;
    return {
      test,
      series,
      applies: applies / lines.length,
      sorted,
      belowAlpha: count(ALPHA),
      below,
      ratio,
      ratioUpper,
      bins,
    };
  });
}

/** Number of entries < t in an ascending array. */
function lowerBound(a: Float64Array, t: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** P(p < t) for one per-sequence p-value of the test (see the file's doc). */
function tailFraction(n: TestNull, t: number, upper: boolean): number {
  const N = n.sorted.length;
  if (N * t >= MEASURABLE) {
    const x = lowerBound(n.sorted, t);
    return upper ? clopperPearson(x, N)[1] : x / N;
  }
  return Math.min(1, (upper ? n.ratioUpper : n.ratio) * t);
}

/**
 * tail[s] = P(S ≥ s) for s ≤ cap (everything from cap on lumped at cap), S = Σ (F_i − m)², F multinomial
 * (K, probs), m = ⌊K/k⌋: the chain of binomials of equiprobable-chi-square.ts with unequal cell
 * probabilities (F_i | F_1…F_{i−1} ~ Bin(rest, π_i / (π_i + … + π_k))).
 */
export function squaresTail(K: number, probs: readonly number[], cap: number): Float64Array {
  const k = probs.length;
  const m = Math.floor(K / k);
  const logF = new Float64Array(K + 1);
  for (let n = 2; n <= K; n++) logF[n] = logF[n - 1] + Math.log(n);
  let rows: (Float64Array | null)[] = new Array(K + 1).fill(null);
  rows[K] = new Float64Array(cap + 1);
  (rows[K] as Float64Array)[0] = 1;
  let left = probs.reduce((a, b) => a + b, 0);
  const final = new Float64Array(cap + 1);
  for (let cell = 0; cell < k; cell++) {
    const last = cell === k - 1;
    const q = last ? 1 : Math.min(1, probs[cell] / left);
    left -= probs[cell];
    const next: (Float64Array | null)[] = new Array(K + 1).fill(null);
    for (let r = 0; r <= K; r++) {
      const row = rows[r];
      if (!row) continue;
      for (let f = last ? r : 0; f <= r; f++) {
        const pmf = last
          ? 1
          : q <= 0 || q >= 1
            ? Number(f === (q <= 0 ? 0 : r))
            : Math.exp(logF[r] - logF[f] - logF[r - f] + f * Math.log(q) + (r - f) * Math.log1p(-q));
        if (pmf < 1e-30) continue;
        const d = (f - m) ** 2;
        if (!last && !next[r - f]) next[r - f] = new Float64Array(cap + 1);
        const target = last ? final : (next[r - f] as Float64Array);
        for (let s = 0; s <= cap; s++) {
          const v = row[s];
          if (v !== 0) target[Math.min(cap, s + d)] += v * pmf;
        }
      }
    }
    rows = next;
  }
  const tail = new Float64Array(cap + 1);
  let acc = 0;
  for (let s = cap; s >= 0; s--) {
    acc += final[s];
    tail[s] = acc;
  }
  return tail;
}

const uniformThresholds = new Map<string, number>();
/** The smallest S whose equiprobable tail is below `level` (K observations, 10 bins). */
function squaresThreshold(K: number, level: number): number {
  const key = `${K},${level}`;
  const hit = uniformThresholds.get(key);
  if (hit !== undefined) return hit;
  const cap = Math.ceil((K * 80) / 10) + 10;
  const tail = squaresTail(K, new Array(10).fill(0.1), cap);
  let s = 0;
  while (s < cap && tail[s] >= level) s++;
  uniformThresholds.set(key, s);
  return s;
}

/** X² of the bank's histogram of a test's p-values against 1/10 per bin. */
function binsChiSquare(n: TestNull): number {
  const N = n.bins.reduce((a, b) => a + b, 0);
  return n.bins.reduce((a, b) => a + (b - N / 10) ** 2 / (N / 10), 0);
}

/** P(χ²_ν(λ) ≤ x), the non-central χ² as a Poisson(λ/2) mixture of central ones. */
function noncentralChiSquareCdf(x: number, nu: number, lambda: number): number {
  if (lambda === 0) return igam(nu / 2, x / 2);
  let sum = 0;
  let weight = Math.exp(-lambda / 2);
  for (let j = 0; j < 10_000; j++) {
    if (j > lambda / 2 && weight < 1e-17) break;
    sum += weight * igam(nu / 2 + j, x / 2);
    weight *= lambda / 2 / (j + 1);
  }
  return sum;
}

/**
 * The bin probabilities a test's p-values fall into, from the bank's histogram: the measured deviation
 * from 1/10 in its direction, its size set so that the non-centrality per observation, δ = Σ(π_i − ½₁₀)²·10,
 * is the unbiased estimate (X²_bank − 9)/N (estimate) or the 95 % upper limit of the non-central χ²₉ the
 * bank's X² follows (upper). The raw plug-in would add the bank's own sampling noise, K·9/N, to the
 * non-centrality of a report of K.
 */
export function binProbabilities(n: TestNull, upper: boolean): number[] {
  const N = n.bins.reduce((a, b) => a + b, 0);
  const raw = n.bins.map((b) => b / N);
  const x2 = N * raw.reduce((a, p) => a + (p - 0.1) ** 2 / 0.1, 0);
  let nc = Math.max(0, x2 - 9);
  if (upper) {
    // largest λ with P(χ²₉(λ) ≤ X²) ≥ 0.025
    let lo = 0;
    let hi = Math.max(50, 4 * x2);
    if (noncentralChiSquareCdf(x2, 9, 0) <= 0.025) hi = 0;
    for (let it = 0; it < 60 && hi > 0; it++) {
      const mid = (lo + hi) / 2;
      if (noncentralChiSquareCdf(x2, 9, mid) > 0.025) lo = mid;
      else hi = mid;
    }
    nc = Math.max(nc, lo);
  }
  const scale = x2 > 0 ? Math.sqrt(nc / x2) : 0;
  return raw.map((p) => 0.1 + (p - 0.1) * scale);
}

/** Computed P(report FAIL at K) for the tests' measured null behaviour at `level`, and the terms per test. */
export function computedFailRate(
  nulls: TestNull[],
  K: number,
  level: number,
  upper: boolean,
): { total: number; perTest: Map<NistTestName, number> } {
  const T = K < 9 ? 13 : 15;
  const perTest = new Map<NistTestName, number>();
  let total = 0;
  for (const n of nulls) {
    if (n.series === 0) continue;
    const Kt = Math.max(1, Math.round(n.applies * K));
    const N = n.sorted.length;
    if (K === 1) {
      const term = n.applies * n.series * tailFraction(n, level / (T * n.series), upper);
      perTest.set(n.test, term);
      total += term;
      continue;
    }
    const uniform = Kt >= UNIFORMITY_MIN_SEQUENCES;
    const c = uniform ? 3 : 2;
    const ell = level / (T * n.series * c);
    let xStar = 1;
    while (xStar <= Kt && binomialUpper(xStar, Kt, ALPHA) >= ell) xStar++;
    const f = upper ? clopperPearson(n.belowAlpha, N)[1] : n.belowAlpha / N;
    const binom = xStar > Kt ? 0 : binomialUpper(xStar, Kt, f);
    const u = -Math.expm1(Math.log1p(-ell) / Kt);
    const minimum = sidak(tailFraction(n, u, upper), Kt);
    let uni = 0;
    if (uniform) {
      const sStar = squaresThreshold(Kt, ell);
      uni = squaresTail(Kt, binProbabilities(n, upper), sStar)[sStar];
    }
    const term = n.series * (binom + minimum + uni);
    perTest.set(n.test, term);
    total += term;
  }
  return { total: Math.min(1, total), perTest };
}

/** Every table of the calibration, as text. */
export function calibrationReport(lines: BankLine[]): string {
  const out: string[] = [];
  const bySource = new Map<string, BankLine[]>();
  const groups = new Map<string, BankLine[]>();
  for (const l of lines) {
    if (l.group) {
      const key = `${l.source}\t${l.group}`;
      groups.set(key, [...(groups.get(key) ?? []), l]);
    } else bySource.set(l.source, [...(bySource.get(l.source) ?? []), l]);
  }
  out.push(
    `\nObserved: SP 800-22 reports on true RNG data (disjoint groups of K banked 10⁶-bit sequences); FAIL = one of the tests FAILs`,
    `${'source'.padEnd(10)} ${'K'.padStart(4)}  ${`at ${FAMILY_ALPHA} (oe): FAIL / reports [95 % CP]`.padEnd(44)} at ${PREVIOUS_LEVEL} (before)`,
  );
  const deciding = new Map<string, number>();
  for (const [source, seqs] of bySource) {
    for (const K of KS) {
      const reports = Math.floor(seqs.length / K);
      if (reports === 0) continue;
      let now = 0;
      let before = 0;
      for (let r = 0; r < reports; r++) {
        const group = seqs.slice(r * K, (r + 1) * K);
        const failing = failingTests(group, PREVIOUS_LEVEL);
        if (failing.length > 0) before++;
        if (failingTests(group, FAMILY_ALPHA).length > 0) now++;
        if (K === 1 && source === 'urandom') for (const t of failing) deciding.set(t, (deciding.get(t) ?? 0) + 1);
      }
      out.push(
        `${source.padEnd(10)} ${String(K).padStart(4)}  ${rate(now, reports).padEnd(44)} ${rate(before, reports)}`,
      );
    }
  }
  out.push(
    `urandom K = 1, tests failing at ${PREVIOUS_LEVEL}: ${[...deciding].map(([t, n]) => `${t} ${n}`).join(', ') || 'none'}`,
  );
  out.push(
    '\nFlawed inputs and a source that fails today (banked report groups): detection = reports marked FAIL',
    `${'input'.padEnd(18)} ${'K'.padStart(4)}  ${`at ${FAMILY_ALPHA} (oe)`.padEnd(44)} at ${PREVIOUS_LEVEL}`,
  );
  const flawed = new Map<string, [number, number, number]>();
  for (const [key, seqs] of groups) {
    const [source] = key.split('\t');
    const id = `${source}\t${seqs.length}`;
    const [n, now, before] = flawed.get(id) ?? [0, 0, 0];
    flawed.set(id, [
      n + 1,
      now + (failingTests(seqs, FAMILY_ALPHA).length > 0 ? 1 : 0),
      before + (failingTests(seqs, PREVIOUS_LEVEL).length > 0 ? 1 : 0),
    ]);
  }
  for (const [id, [n, now, before]] of flawed) {
    const [source, K] = id.split('\t');
    out.push(`${source.padEnd(18)} ${K.padStart(4)}  ${rate(now, n).padEnd(44)} ${rate(before, n)}`);
  }
  const urandom = bySource.get('urandom') ?? [];
  if (urandom.length === 0) return out.join('\n');
  const nulls = testNulls(urandom);
  out.push(
    `\nMeasured per test on the ${urandom.length} urandom sequences (decision p-values, series pooled): observed/expected below α = 0.01, 1e-2 … 1e-6; r = largest ratio where ≥ ${MEASURABLE} are expected (CP upper); X² of the 10 bins of all its p-values (9 expected)`,
  );
  for (const n of nulls) {
    const N = n.sorted.length;
    const cells = CUTS.map((c, i) => `${n.below[i]}/${(N * c).toPrecision(2)}`.padStart(11));
    out.push(
      `${n.test.padEnd(24)} ${String(N).padStart(7)} p (${n.series} × ${(100 * n.applies).toFixed(0)} %) ${`${n.belowAlpha}/${(N * ALPHA).toPrecision(3)}`.padStart(12)}${cells.join('')}  r ${n.ratio.toFixed(2)} (${n.ratioUpper.toFixed(2)})  bins X² ${binsChiSquare(n).toFixed(1)}`,
    );
  }
  out.push(
    '\nComputed P(report FAIL) from the measured per-test behaviour (union bound over tests, series and statistics; see bench/verdict-calibration.ts)',
    `${'K'.padStart(4)}  ${`at ${FAMILY_ALPHA}: estimate`.padStart(22)} ${'upper'.padStart(9)}  ${`at ${PREVIOUS_LEVEL}: estimate`.padStart(22)} ${'upper'.padStart(9)}   largest terms at ${FAMILY_ALPHA} (estimate)`,
  );
  for (const K of KS) {
    const now = computedFailRate(nulls, K, FAMILY_ALPHA, false);
    const nowUp = computedFailRate(nulls, K, FAMILY_ALPHA, true);
    const before = computedFailRate(nulls, K, PREVIOUS_LEVEL, false);
    const beforeUp = computedFailRate(nulls, K, PREVIOUS_LEVEL, true);
    const top = [...now.perTest]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([t, v]) => `${t} ${pct(v)}`)
      .join(', ');
    out.push(
      `${String(K).padStart(4)}  ${pct(now.total).padStart(22)} ${pct(nowUp.total).padStart(9)}  ${pct(before.total).padStart(22)} ${pct(beforeUp.total).padStart(9)}   ${top}`,
    );
  }
  return out.join('\n');
}
