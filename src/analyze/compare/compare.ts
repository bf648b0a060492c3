/**
 * Reproducible comparison of sources across runs and machines (`oe compare`). Pure: takes normalised
 * inputs (bench files or analysed sessions, see inputs.ts) and returns the comparison.
 *
 * For each source and metric, every input gives replicates (bench: one value per round; session: one
 * per fixed-count window). Each input's mean gets a 95 % Student-t interval, mean ± t_{0.975, r−1}·s/√r,
 * clipped to the metric's range.
 * Every later input is compared with the first (the baseline) by Welch's unequal-variance t-test
 * (Welch 1947; df by Welch–Satterthwaite), and the p-values of all comparisons get Benjamini–Hochberg
 * q-values together. A difference is flagged only when q ≤ α (default 0.05) and the metric is comparable
 * (min-entropy estimates are biased by sample size, so replicates of different sizes are not compared).
 */
import { benjaminiHochberg } from '../dependence/benjamini-hochberg.js';
import { studentTTwoSided } from '../stats/distributions.js';
import { mean, sampleSd, sampleVariance } from '../stats/mean-sd.js';

export const COMPARE_METRICS = ['min_entropy', 'shannon', 'throughput_bps'] as const;
export type CompareMetric = (typeof COMPARE_METRICS)[number];

export interface CompareSource {
  name: string;
  /** Replicates per metric (bits/byte, bits/byte, bytes/s). */
  replicates: Record<CompareMetric, number[]>;
  /** SP 800-90B assessed min-entropy and its grade, when the input has one (context, not tested). */
  assessedMinEntropy: number | null;
  assessedSamples: number | null;
  grade: string | null;
  state: string | null;
}

export interface CompareInput {
  /** Short label (A, B, C … are assigned by position). */
  label: string;
  /** Where it came from: a file path or a session id. */
  origin: string;
  kind: 'bench' | 'session';
  /** Machine summary: CPU model, cores, virtualization, kernel, oe version. */
  machine: string;
  machineId: string | null;
  /** Samples per min-entropy replicate (bench: samples per round; session: window size). */
  replicateSamples: number | null;
  sources: CompareSource[];
}

export interface MetricSummary {
  n: number;
  mean: number | null;
  ci_low: number | null;
  ci_high: number | null;
}

export interface MetricComparison {
  metric: CompareMetric;
  /** Label of the input compared with the baseline. */
  against: string;
  comparable: boolean;
  note: string | null;
  difference: number | null;
  relative_difference: number | null;
  /** 95 % Welch interval of the difference (other − baseline). */
  difference_ci_low: number | null;
  difference_ci_high: number | null;
  p_value: number | null;
  q_value: number | null;
  significant: boolean;
}

export interface SourceComparison {
  name: string;
  /** Per input label: per metric summary, and the assessed value / grade as context. */
  inputs: Record<
    string,
    {
      present: boolean;
      metrics: Record<CompareMetric, MetricSummary>;
      assessed_min_entropy: number | null;
      assessed_samples: number | null;
      grade: string | null;
      state: string | null;
    }
  >;
  comparisons: MetricComparison[];
  verdict: string;
}

export interface CompareResult {
  alpha: number;
  baseline: string;
  inputs: {
    label: string;
    origin: string;
    kind: string;
    machine: string;
    machine_id: string | null;
    replicate_samples: number | null;
  }[];
  sources: SourceComparison[];
}

/** Two-sided Student-t quantile t_{1−a/2, df}, by bisection on the two-sided tail. */
export function tQuantile(a: number, df: number): number {
  let lo = 0;
  let hi = 1e3;
  for (let i = 0; i < 200 && hi - lo > 1e-12; i++) {
    const mid = (lo + hi) / 2;
    if (studentTTwoSided(mid, df) > a) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

/** Range of each metric: intervals are clipped to it (a t-interval of B/s can otherwise dip below 0). */
export const METRIC_RANGE: Record<CompareMetric, [number, number]> = {
  min_entropy: [0, 8],
  shannon: [0, 8],
  throughput_bps: [0, Number.POSITIVE_INFINITY],
};

/** Mean and 95 % t-interval of replicates, clipped to `range` (interval null with fewer than 2). */
export function summarize(
  xs: readonly number[],
  range: [number, number] = [Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY],
): MetricSummary {
  const n = xs.length;
  if (n === 0) return { n, mean: null, ci_low: null, ci_high: null };
  const m = mean(xs);
  if (n < 2) return { n, mean: m, ci_low: null, ci_high: null };
  const h = tQuantile(0.05, n - 1) * (sampleSd(xs, m) / Math.sqrt(n));
  return { n, mean: m, ci_low: Math.max(range[0], m - h), ci_high: Math.min(range[1], m + h) };
}

/**
 * Welch's t-test of mean(b) − mean(a): t = d / √(s_a²/n_a + s_b²/n_b), df = (v_a + v_b)² / (v_a²/(n_a−1) +
 * v_b²/(n_b−1)) with v = s²/n. Both variances 0: p = 1 if the means are equal, else 0 (a deterministic
 * difference). Needs ≥ 2 replicates on each side.
 */
export function welch(
  a: readonly number[],
  b: readonly number[],
): { d: number; p: number; ciLow: number; ciHigh: number } | null {
  if (a.length < 2 || b.length < 2) return null;
  const ma = mean(a);
  const mb = mean(b);
  const va = sampleVariance(a, ma) / a.length;
  const vb = sampleVariance(b, mb) / b.length;
  const d = mb - ma;
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return { d, p: d === 0 ? 1 : 0, ciLow: d, ciHigh: d };
  const df = (va + vb) ** 2 / (va ** 2 / (a.length - 1) + vb ** 2 / (b.length - 1));
  const t = d / se;
  const h = tQuantile(0.05, df) * se;
  return { d, p: studentTTwoSided(t, df), ciLow: d - h, ciHigh: d + h };
}

const UNITS: Record<CompareMetric, string> = { min_entropy: 'bits/byte', shannon: 'bits/byte', throughput_bps: 'B/s' };
const NAMES: Record<CompareMetric, string> = {
  min_entropy: 'min-entropy',
  shannon: 'Shannon',
  throughput_bps: 'throughput',
};

/** Compares every input with the first one; see the module comment. */
export function compareInputs(inputs: readonly CompareInput[], alpha = 0.05): CompareResult {
  if (inputs.length < 2) throw new RangeError('compare needs at least two inputs');
  const base = inputs[0];
  const names = [...new Set(inputs.flatMap((i) => i.sources.map((s) => s.name)))].sort();
  const sources: SourceComparison[] = names.map((name) => {
    const per: SourceComparison['inputs'] = {};
    for (const inp of inputs) {
      const s = inp.sources.find((x) => x.name === name);
      per[inp.label] = {
        present: s !== undefined,
        metrics: Object.fromEntries(
          COMPARE_METRICS.map((m) => [m, summarize(s ? s.replicates[m] : [], METRIC_RANGE[m])]),
        ) as Record<CompareMetric, MetricSummary>,
        assessed_min_entropy: s?.assessedMinEntropy ?? null,
        assessed_samples: s?.assessedSamples ?? null,
        grade: s?.grade ?? null,
        state: s?.state ?? null,
      };
    }
    const comparisons: MetricComparison[] = [];
    const a = base.sources.find((x) => x.name === name);
    for (const other of inputs.slice(1)) {
      const b = other.sources.find((x) => x.name === name);
      for (const metric of COMPARE_METRICS) {
        const c: MetricComparison = {
          metric,
          against: other.label,
          comparable: true,
          note: null,
          difference: null,
          relative_difference: null,
          difference_ci_low: null,
          difference_ci_high: null,
          p_value: null,
          q_value: null,
          significant: false,
        };
        if (!a || !b) {
          c.comparable = false;
          c.note = `source missing in ${!a ? base.label : other.label}`;
        } else if (
          metric === 'min_entropy' &&
          (base.replicateSamples === null || base.replicateSamples !== other.replicateSamples)
        ) {
          c.comparable = false;
          c.note = `replicates of different sizes (${base.replicateSamples ?? '?'} vs ${other.replicateSamples ?? '?'} samples): min-entropy estimates depend on sample size`;
        } else {
          const w = welch(a.replicates[metric], b.replicates[metric]);
          if (!w) {
            c.comparable = false;
            c.note = 'fewer than 2 replicates on one side';
          } else {
            const ma = per[base.label].metrics[metric].mean as number;
            c.difference = w.d;
            c.relative_difference = ma !== 0 ? w.d / Math.abs(ma) : null;
            c.difference_ci_low = w.ciLow;
            c.difference_ci_high = w.ciHigh;
            c.p_value = w.p;
          }
        }
        comparisons.push(c);
      }
    }
    return { name, inputs: per, comparisons, verdict: '' };
  });
  // BH over every test that was run.
  const tested = sources.flatMap((s) => s.comparisons.filter((c) => c.p_value !== null));
  const q = benjaminiHochberg(tested.map((c) => c.p_value as number));
  tested.forEach((c, i) => {
    c.q_value = q[i];
    c.significant = q[i] <= alpha;
  });
  for (const s of sources) s.verdict = verdict(s, base.label);
  return {
    alpha,
    baseline: base.label,
    inputs: inputs.map((i) => ({
      label: i.label,
      origin: i.origin,
      kind: i.kind,
      machine: i.machine,
      machine_id: i.machineId,
      replicate_samples: i.replicateSamples,
    })),
    sources,
  };
}

function fmt(x: number, metric: CompareMetric): string {
  if (metric === 'throughput_bps') return `${x >= 0 ? '+' : ''}${(x / 1024).toFixed(1)} KiB/s`;
  return `${x >= 0 ? '+' : ''}${x.toFixed(3)} ${UNITS[metric]}`;
}

/** One line per source: the significant differences against the baseline, or why nothing was flagged. */
function verdict(s: SourceComparison, baseline: string): string {
  const sig = s.comparisons.filter((c) => c.significant);
  const untestable = s.comparisons.filter((c) => !c.comparable);
  if (sig.length > 0) {
    const parts = sig.map(
      (c) =>
        `${NAMES[c.metric]} ${fmt(c.difference as number, c.metric)}${c.relative_difference !== null ? ` (${(100 * c.relative_difference).toFixed(1)} %)` : ''} in ${c.against} vs ${baseline} (q = ${(c.q_value as number).toPrecision(2)})`,
    );
    return `${s.name}: DIFFERENT: ${parts.join('; ')}`;
  }
  if (untestable.length === s.comparisons.length)
    return `${s.name}: NOT COMPARED: ${[...new Set(untestable.map((c) => c.note))].join('; ')}`;
  // One note per input for a missing source, one per metric otherwise.
  const notes = untestable.map((c) =>
    c.note?.startsWith('source missing') ? `${c.against}: ${c.note}` : `${NAMES[c.metric]} vs ${c.against}: ${c.note}`,
  );
  return `${s.name}: no significant difference${notes.length ? ` (not compared: ${[...new Set(notes)].join('; ')})` : ''}`;
}
