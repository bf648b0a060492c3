import type { Analysis, AnalysisDocument, SourceAnalysis } from '../analyze/source-analysis.js';

export type AnalysisView = 'summary' | 'detailed';

function f(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || Number.isNaN(x)) return '—';
  if (!Number.isFinite(x)) return x > 0 ? '∞' : '-∞';
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a < 1e-3 || a >= 1e6) return x.toExponential(1);
  return x.toFixed(digits);
}

function p(x: number | null | undefined): string {
  if (x === null || x === undefined) return '—';
  if (x < 1e-4) return x === 0 ? '<1e-300' : x.toExponential(0);
  return x.toFixed(4);
}

function table(head: string[], rows: string[][], right: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (right.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(head), ...rows.map(fmt)];
}

function sp90b(s: SourceAnalysis): string {
  const e = s.minEntropy?.sp800_90b;
  if (!e) return '—';
  return 'error' in e.bytes ? 'error' : f(e.bytes.hAssessed);
}

function summaryTable(a: Analysis): string[] {
  const rows = a.standard.sources.map((s) => {
    if (s.unavailable || !s.bytes) return [s.name, String(s.samples), '—', '—', '—', '—', '—', '—', '—', '—', 'n/a'];
    const b = s.bytes;
    return [
      s.name,
      String(s.samples),
      f(b.shannon.bitsPerByte),
      f(s.minEntropy?.mcv?.hMin),
      sp90b(s),
      `${f(b.autocorrelation.maxAbs)}@${b.autocorrelation.maxAbsLag}`,
      p(b.autocorrelation.ljungBox.pValue),
      b.spectrum ? f(b.spectrum.flatness.relative) : '—',
      p(b.bitBias.minPValue),
      b.stationarity.applicable ? p(b.stationarity.pValue) : '—',
      s.verdict?.verdict ?? '—',
    ];
  });
  return table(
    [
      'SOURCE',
      'SAMPLES',
      'SHANNON',
      'H∞ MCV',
      'H∞ 90B',
      'MAX|r|@LAG',
      'LJUNG-BOX p',
      'FLAT/WHITE',
      'BIT-BIAS p',
      'F-TEST p',
      'VERDICT',
    ],
    rows,
    new Set([1, 2, 3, 4, 6, 7, 8, 9]),
  );
}

function detailed(s: SourceAnalysis): string[] {
  const out: string[] = [];
  out.push(`── ${s.name} (${s.samples} samples${s.unit ? `, unit ${s.unit}` : ''})`);
  if (s.unavailable || !s.bytes) {
    out.push(`   unavailable: ${s.unavailable ?? 'no data'}`);
    return out;
  }
  const b = s.bytes;
  out.push(
    `   Shannon          ${f(b.shannon.bitsPerByte)} bits/byte (Miller–Madow ${f(b.shannon.millerMadow)}), ${b.shannon.distinct} distinct bytes`,
  );
  if (s.minEntropy?.mcv)
    out.push(
      `   min-entropy MCV  ${f(s.minEntropy.mcv.hMin)} bits/byte (p̂ ${f(s.minEntropy.mcv.pHat, 5)}, p_u ${f(s.minEntropy.mcv.pU, 5)})`,
    );
  const e = s.minEntropy?.sp800_90b;
  if (e) {
    out.push(
      `   SP 800-90B bytes ${'error' in e.bytes ? e.bytes.error : `H_original ${f(e.bytes.hOriginal)}, H_bitstring ${f(e.bytes.hBitstring)}, assessed ${f(e.bytes.hAssessed)}`} (${e.samples} ${e.conditioning === 'raw' ? 'raw' : `${e.conditioning}-conditioned`} bytes, from the first ${e.window.samples} of ${e.window.sourceSamples} samples)`,
    );
    if (e.measurements)
      out.push(
        `   SP 800-90B meas. ${'error' in e.measurements ? e.measurements.error : `assessed ${f(e.measurements.hAssessed)} bits/sample (${e.measurements.reduction}${e.measurements.distinct !== null ? `, ${e.measurements.distinct} distinct` : ''}${e.measurements.sameAsBytes ? ': the same symbols as the byte track' : ''})`}`,
      );
  }
  const ac = b.autocorrelation;
  out.push(
    `   autocorrelation  max |r| ${f(ac.maxAbs)} at lag ${ac.maxAbsLag} of 1..${ac.maxLag}; ${ac.violations} lags beyond ±${f(ac.threshold)}; Ljung–Box Q ${f(ac.ljungBox.q, 1)} (${ac.ljungBox.df} df) p ${p(ac.ljungBox.pValue)}`,
  );
  if (b.spectrum) {
    const sp = b.spectrum;
    const top = sp.peaks.peaks[0];
    out.push(
      `   spectrum         Welch ${sp.segments}×${sp.segmentLength}, flatness ${f(sp.flatness.flatness)} (white ${f(sp.flatness.expectedWhite)}); ${sp.peaks.significant} significant lines${top ? `, top f=${f(top.frequency, 4)} ×${f(top.relativePower, 1)} p ${p(top.pValue)}` : ''}`,
    );
  } else out.push('   spectrum         too few samples for a Welch estimate');
  out.push(
    `   bit bias         P(1) by bit 0..7: ${b.bitBias.p1.map((x) => x.toFixed(4)).join(' ')}; min p ${p(b.bitBias.minPValue)} (n-aware threshold ±${f(b.bitBias.threshold, 4)})`,
  );
  out.push(
    `   uniformity       χ² ${f(b.chiSquareUniform.statistic, 1)} on 255 df, p ${p(b.chiSquareUniform.pValue)}${b.chiSquareUniform.applicable ? '' : ' (fewer than 5 expected per value: approximate)'}`,
  );
  out.push(
    `   moments          mean ${f(b.moments.mean)} (uniform 127.5), var ${f(b.moments.variance, 1)} (5461.25), skew ${f(b.moments.skewness)}, ex. kurtosis ${f(b.moments.excessKurtosis)} (−1.2)`,
  );
  out.push(
    `   stationarity     ${b.stationarity.applicable ? `F ${f(b.stationarity.f)} on (${b.stationarity.df1}, ${b.stationarity.df2}) df over ${b.stationarity.windows} windows, p ${p(b.stationarity.pValue)}` : `not applicable: ${b.stationarity.reason}`}`,
  );
  out.push(
    `   runs             ${b.runs.totalRuns} (expected ${f(b.runs.expectedRuns, 1)}, p ${p(b.runs.pValue)}); longest ${b.runs.longestRun} (expected ${f(b.runs.expectedLongestRun, 2)}, p ${p(b.runs.longestRunPValue)})`,
  );
  if (s.measurements) {
    const m = s.measurements;
    out.push(
      `   measurements     mean ${f(m.moments.mean)}, sd ${f(m.moments.std)}, range ${f(m.moments.min)}..${f(m.moments.max)}; max |r| ${f(m.autocorrelation.maxAbs)} at lag ${m.autocorrelation.maxAbsLag}, Ljung–Box p ${p(m.autocorrelation.ljungBox.pValue)}${m.spectrum ? `; flatness ${f(m.spectrum.flatness.relative)} of white` : ''}${m.stationarity.applicable ? `; F-test p ${p(m.stationarity.pValue)}` : ''}`,
    );
  }
  out.push(`   verdict          ${s.verdict?.verdict ?? '—'}`);
  for (const r of s.verdict?.reasons ?? [])
    out.push(
      `     ${r.severity.padEnd(8)} ${r.check}: ${r.message}${r.pValue !== undefined ? ` (p ${p(r.pValue)})` : ''}`,
    );
  return out;
}

/** Terminal rendering of an analysis document (no statistics here: it only formats the results). */
export function renderAnalysis(doc: AnalysisDocument, view: AnalysisView = 'summary'): string {
  const out: string[] = [];
  for (const a of doc.analyses) {
    const title = a.input.kind === 'session' ? `session ${a.input.id}` : 'live samples';
    out.push(`Analysis of ${title}`);
    out.push('');
    if (view === 'summary') {
      out.push(...summaryTable(a));
      if (doc.options.entropy_samples > 0)
        out.push(
          `H∞ 90B: SP 800-90B non-IID suite on the first ${doc.options.entropy_samples.toLocaleString('en-US')} samples of each source${doc.options.entropy === 'window' ? ' (--entropy full: 1,000,000 and the measurements)' : ''}.`,
        );
      const flaggedSources = a.standard.sources.filter((s) => s.verdict && s.verdict.verdict !== 'GOOD');
      if (flaggedSources.length > 0) out.push('');
      for (const s of flaggedSources)
        for (const r of s.verdict?.reasons ?? []) out.push(`${s.name}: ${r.severity} ${r.check}: ${r.message}`);
      for (const s of a.standard.sources.filter((x) => x.unavailable))
        out.push(`${s.name}: not analysed: ${s.unavailable}`);
    } else for (const s of a.standard.sources) out.push(...detailed(s), '');
    const sm = a.standard.summary;
    out.push('');
    out.push(
      `Summary: ${sm.good} good, ${sm.warning} warning, ${sm.critical} critical${sm.unavailable ? `, ${sm.unavailable} not analysed` : ''}. ${sm.recommendation}.`,
    );
    const dep = a.standard.dependence;
    if (dep) {
      out.push('');
      if ('available' in dep) out.push(`Dependence: not computed: ${dep.reason}`);
      else {
        out.push(
          `Dependence: ${dep.pairs.length} pairs over the first ${dep.windowSamples.toLocaleString('en-US')} samples of each source, lags ±${dep.maxLag}, circular-shift null (seed ${dep.seed}), BH at q ≤ ${dep.alpha}: ${dep.flagged.length} flagged`,
        );
        const shown = view === 'detailed' ? dep.pairs : dep.pairs.filter((x) => x.flagged);
        if (shown.length > 0)
          out.push(
            ...table(
              ['PAIR', 'N', 'r(0)', 'MAX|r|@LAG', 'q(corr)', 'MI bits', 'null MI', 'q(MI)', 'FLAG'],
              shown.map((x) => [
                `${x.a} ~ ${x.b}`,
                String(x.n),
                f(x.correlation.lag0, 4),
                `${f(x.correlation.maxAbs, 4)}@${x.correlation.maxLag}`,
                p(x.correlation.qValue),
                f(x.mutualInformation.bits, 5),
                f(x.mutualInformation.nullMeanBits, 5),
                p(x.mutualInformation.qValue),
                x.flagged ? 'yes' : '',
              ]),
              new Set([1, 2, 4, 5, 6, 7]),
            ),
          );
        for (const s of dep.skipped) out.push(`  skipped ${s.a} ~ ${s.b}: ${s.reason}`);
      }
    }
    const eot = a.experimental.entropy_over_time;
    if (eot.length > 0) {
      out.push('');
      out.push(
        'Entropy over time (experimental): MCV min-entropy per window, and Spearman ρ against the recorded telemetry',
      );
      for (const e of eot) {
        const h = e.windows.map((w) => w.minEntropy).filter((x): x is number => x !== null);
        const w =
          e.window.by === 'time'
            ? e.window.seconds >= 1
              ? `${f(e.window.seconds, 1)} s`
              : `${f(e.window.seconds * 1000, 3)} ms`
            : `${e.window.samples} samples`;
        const line = `  ${e.source}: ${e.windows.length} windows of ${w}, H∞ ${h.length ? `${f(Math.min(...h))}..${f(Math.max(...h))}` : '—'}`;
        if (!e.telemetry) out.push(line);
        else if ('available' in e.telemetry) out.push(`${line}; telemetry: ${e.telemetry.reason}`);
        else {
          const hl = e.telemetry.headline;
          const part = (k: keyof typeof hl, label: string) =>
            hl[k].result
              ? `${label} ρ ${f(hl[k].result?.rho, 2)} (q ${p(hl[k].result?.qValue)})`
              : `${label} ${hl[k].reason ?? '—'}`;
          out.push(
            `${line}; ${part('load', 'load')}; ${part('frequency', 'freq')}; ${part('temperature', 'temp')}; ${part('memory_pressure', 'mem')}`,
          );
          if (view === 'detailed')
            for (const c of e.telemetry.correlations.filter((x) => x.qValue <= 0.05))
              out.push(
                `      ${c.domain}/${c.name} (${c.measure}): ρ ${f(c.rho, 3)}, q ${p(c.qValue)} over ${c.n} windows`,
              );
        }
      }
    }
    out.push('');
  }
  return out.join('\n');
}
