/** Terminal rendering of an `oe bench` report (and its EXPERIMENTAL quantum block). */

import type { QuantumReport } from '../analyze/quantum/proxy.js';
import type { Ratio } from '../analyze/quantum/ratio.js';
import type { BenchProgress, BenchReport } from '../jobs/bench.js';

const f = (x: number | null | undefined, d = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d);

/** A Q:C ratio for humans: ∞ for "inf", "undefined" for null (0/0). */
export function formatRatio(r: Ratio): string {
  if (r === 'inf') return '∞';
  if (r === null) return 'undefined';
  return r.toFixed(3);
}

/** One progress line per library event (stderr). */
export function benchProgressLine(e: BenchProgress): string {
  switch (e.phase) {
    case 'warmup':
      return `warmup ${e.index}/${e.total}`;
    case 'round':
      return `Round ${e.index}/${e.total} complete: collected ${e.bytes} bytes in ${f(e.seconds, 2)} s`;
    case 'grade':
      return `grading: one sample per source (${e.total} sources)`;
    case 'assess':
      return `SP 800-90B assessment ${e.index}/${e.total}: ${e.source}`;
    case 'pool':
      return 'pool: collecting conditioned output';
    case 'stress':
      return 'quantum (experimental): live stress sweep (baseline, CPU, memory, scheduler)';
    case 'quantum':
      return 'quantum (experimental): computing quantum_proxy_v3';
    default:
      return 'done';
  }
}

export function renderBenchTable(r: BenchReport): string {
  const s = r.settings;
  const q = r.experimental?.quantum_proxy_v3;
  const lines: string[] = [];
  lines.push(
    `oe bench  profile ${r.profile}  ${s.samples_per_round} samples/round × ${s.rounds} rounds (+${s.warmup_rounds} warmup), timeout ${s.timeout_sec} s, rank by ${r.rank_by}`,
  );
  lines.push(
    `machine  ${r.fingerprint.machine.cpu_model ?? 'unknown CPU'}, ${r.fingerprint.machine.cores} cores${r.fingerprint.machine.virtualization.detected ? ', virtualized' : ''}; oe ${r.fingerprint.software.oe}`,
  );
  lines.push('');
  const head = ['Source', 'Grade', 'H∞ 90B', 'H', 'H∞ rnd', 'KB/s', 'Stab', 'Rounds', 'Fail', 'State'];
  if (q) head.push('Q*');
  const rows = r.standard.sources.map((x) => {
    const row = [
      x.name,
      x.grade ?? '—',
      f(x.min_entropy, 3),
      f(x.avg_shannon, 3),
      f(x.avg_round_min_entropy, 3),
      x.avg_throughput_bps === null ? '—' : (x.avg_throughput_bps / 1024).toFixed(1),
      f(x.stability, 3),
      `${x.success_rounds}/${x.rounds}`,
      String(x.failures),
      x.state,
    ];
    if (q) row.push(f(x.quantum_score, 3));
    return row;
  });
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const fmt = (row: string[]) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  lines.push(fmt(head));
  lines.push(widths.map((w) => '─'.repeat(w)).join('  '));
  for (const row of rows) lines.push(fmt(row));
  lines.push('');
  lines.push(
    `Grade and "H∞ 90B": SP 800-90B non-IID min-entropy (bits/byte) of one ${s.grade_samples}-sample grading run per source, the same for every profile (A ≥ 6, B ≥ 4, C ≥ 2, D ≥ 1).`,
  );
  lines.push(
    '"H∞ rnd": mean per-round MCV estimate (depends on samples per round); Stab = 1 − CV of it across rounds.',
  );
  for (const x of r.standard.sources.filter((y) => y.state === 'UNAVAILABLE'))
    lines.push(`  unavailable: ${x.name}: ${x.reason}`);
  for (const x of r.standard.sources.filter((y) => y.errors.length > 0))
    lines.push(`  errors: ${x.name}: ${x.errors.join('; ')}`);
  lines.push('');
  const p = r.standard.pool;
  if (p)
    lines.push(
      `Pool (${p.conditioning}): ${p.bytes} bytes, Shannon ${f(p.shannon_entropy, 4)}, MCV H∞ ${f(p.min_entropy, 4)} bits/byte, healthy sources ${p.healthy_sources}/${p.total_sources}`,
    );
  else lines.push(`Pool: ${r.standard.pool_note ?? 'not run'}`);
  if (q) {
    lines.push('');
    lines.push(...renderQuantumBlock(q.report, q.stress_mode));
  }
  return `${lines.join('\n')}\n`;
}

/** The "Quantum:Classical Contribution Proxy" block, labelled EXPERIMENTAL. */
export function renderQuantumBlock(rep: QuantumReport, stressMode: string): string[] {
  const a = rep.aggregate;
  const out = [
    `EXPERIMENTAL  Quantum:Classical Contribution Proxy (${rep.model_id} v${rep.model_version}, ${rep.model_revision}, seed ${rep.seed})`,
    `  ${rep.label}`,
    `  Aggregate Q:C ${formatRatio(a.quantum_to_classical)} [95% ${formatRatio(a.quantum_to_classical_ci_low)}, ${formatRatio(a.quantum_to_classical_ci_high)}]; Q fraction ${f(a.quantum_fraction, 3)} [${f(a.quantum_fraction_ci_low, 3)}, ${f(a.quantum_fraction_ci_high, 3)}]`,
    `  Calibration ${rep.calibration.source}; stress ${stressMode}; BH-FDR α ${rep.coupling.fdr_alpha} over all pairs × 4 statistics (${rep.coupling.significant_pairs_any}/${rep.coupling.pairs} pairs significant); MI null rounds ${rep.coupling.null_rounds}; gate ${rep.coupling.fdr_gate ? 'on' : 'off'}`,
  ];
  if (rep.telemetry_confound) out.push(`  Telemetry confound index ${f(rep.telemetry_confound.confound_index, 3)}`);
  out.push(
    `  ${'source'.padEnd(24)} ${'q'.padStart(6)} ${'q_bits'.padStart(7)} ${'prior'.padStart(6)} ${'qual'.padStart(6)} ${'stress'.padStart(6)} ${'coupl'.padStart(6)} ${'sig%'.padStart(5)}`,
  );
  for (const s of rep.sources.slice(0, 10))
    out.push(
      `  ${s.name.padEnd(24)} ${f(s.quantum_score, 3).padStart(6)} ${f(s.quantum_min_entropy_bits, 3).padStart(7)} ${f(s.physics_prior, 3).padStart(6)} ${f(s.quality_factor, 3).padStart(6)} ${f(s.stress_sensitivity_effective, 3).padStart(6)} ${f(s.coupling_penalty, 3).padStart(6)} ${(100 * s.coupling_significant_pair_fraction_any).toFixed(0).padStart(5)}`,
    );
  for (const e of rep.excluded) out.push(`  excluded: ${e.name}: ${e.reason}`);
  return out;
}

/** The EXPERIMENTAL quantum blocks of analyses that carry `experimental.quantum_proxy_v3` (sessions --quantum-ratio). */
export function renderQuantumSections(
  analyses: readonly { input: { id: string | null }; experimental: object }[],
): string {
  const out: string[] = [];
  for (const a of analyses) {
    const q = (a.experimental as { quantum_proxy_v3?: { report: QuantumReport; stress_mode: string } })
      .quantum_proxy_v3;
    if (!q) continue;
    out.push('', `${a.input.id ?? 'analysis'}:`, ...renderQuantumBlock(q.report, q.stress_mode));
  }
  return out.length ? `${out.join('\n')}\n` : '';
}
