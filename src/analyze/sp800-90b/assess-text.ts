import type { AssessReport } from './assess.js';
import type { EstimatorOutcome } from './estimators.js';

const num = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(10));

function estimatorLine(e: EstimatorOutcome): string {
  const head = `  ${e.track.padEnd(9)} ${`${e.name} (§${e.section})`.padEnd(36)}`;
  if (e.hMin === undefined) return `${head} skipped: ${e.skipped}`;
  const vals = Object.entries(e.values ?? {})
    .map(([k, v]) => `${k}=${num(v)}`)
    .join(', ');
  return `${head} H = ${e.hMin.toFixed(6)}  ${vals}`;
}

/** The terminal rendering of an `oe assess` report: every estimator or test, then the final values. */
export function formatAssessText(r: AssessReport): string {
  const out: string[] = [];
  const src = r.input.file ?? `session ${r.input.session} source ${r.input.source}`;
  out.push(`SP 800-90B assessment of ${src} (${r.input.samples} samples, sha256 ${r.input.sha256.slice(0, 16)}…)`);
  if (r.nonIid) {
    const n = r.nonIid;
    out.push(
      `non-IID track (§6.3): ${n.bitsPerSymbol} bits per symbol, ${n.alphabetSize} distinct symbols${n.translated ? ' (translated)' : ''}${n.bitstringLength !== null ? `, bitstring of ${n.bitstringLength} bits` : ', binary: no bitstring'}`,
    );
    for (const w of n.warnings) out.push(`  warning: ${w}`);
    for (const e of n.estimators) out.push(estimatorLine(e));
    out.push(`  H_original = ${n.hOriginal.toFixed(6)} bits/symbol`);
    if (n.hBitstring !== null)
      out.push(
        `  H_bitstring = ${n.hBitstring.toFixed(6)} bits/bit (× ${n.bitsPerSymbol} = ${(n.hBitstringPerSymbol as number).toFixed(6)})`,
      );
  }
  if (r.iid) {
    const i = r.iid;
    out.push(
      `IID track (§5): ${i.bitsPerSymbol} bits per symbol, ${i.alphabetSize} distinct symbols, mean ${num(i.mean)}, median ${num(i.median)}`,
    );
    for (const w of i.warnings) out.push(`  warning: ${w}`);
    out.push(`  permutation tests (seed ${i.seed}, ${i.roundsRun} of ${i.rounds} rounds run):`);
    for (const t of i.permutationTests)
      out.push(
        `    ${t.name.padEnd(22)} ${num(t.unpermuted).padStart(16)}  C0=${t.C0} C1=${t.C1} C2=${t.C2}  ${t.passed ? 'pass' : 'FAIL'}`,
      );
    if (i.repeats) {
      const rp = i.repeats;
      const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
      const rate = (f: { failures: number; ci: [number, number] }) =>
        `${f.failures} of ${rp.runs} (${Math.round(rp.level * 100)} % CI ${pct(f.ci[0])}–${pct(f.ci[1])})`;
      out.push(`  repeated ${rp.runs} times (seeds ${rp.seeds.join(', ')}; rounds ${rp.roundsRun.join(', ')}):`);
      for (const s of rp.statistics) out.push(`    ${s.name.padEnd(22)} failed ${rate(s)}`);
      out.push(`    ${'any statistic'.padEnd(22)} failed ${rate(rp.anyFailed)}`);
    }
    const ci = i.chiSquareIndependence;
    const cg = i.chiSquareGoodnessOfFit;
    out.push(`  chi-square independence: T=${num(ci.T)} df=${ci.df} p=${num(ci.pValue)}`);
    out.push(
      `  chi-square goodness of fit: T=${num(cg.T)} df=${cg.df} p=${num(cg.pValue)}  ${i.passedChiSquareTests ? 'pass' : 'FAIL'}`,
    );
    const l = i.longestRepeatedSubstring;
    out.push(
      `  longest repeated substring: W=${l.W} P_col=${num(l.P_col)} Pr(X≥1)=${num(l.prAtLeastOne)}  ${l.passed ? 'pass' : 'FAIL'}`,
    );
    out.push(`  IID assumption: ${i.iid ? 'not rejected' : 'REJECTED (use the non-IID track)'}`);
    out.push(
      `  MCV: H_original = ${i.hOriginal.toFixed(6)}${i.hBitstring !== null ? `, H_bitstring = ${i.hBitstring.toFixed(6)}` : ''}`,
    );
  }
  if (r.restart) {
    const s = r.restart;
    out.push(
      `restart tests (§3.1.4) on ${s.rows}×${s.columns}${s.file ? ` from ${s.file}` : ''}, H_I = ${s.hI.toFixed(6)}:`,
    );
    out.push(
      `  sanity check: X_max = ${s.xMax} (rows ${s.xRows}, columns ${s.xColumns}), cutoff ${s.xCutoff}: ${s.sanityPassed ? 'pass' : 'FAIL'}`,
    );
    out.push(
      `  H_r = ${s.hR.toFixed(6)}, H_c = ${s.hC.toFixed(6)} (${s.mode === 'iid' ? 'most common value, IID track' : 'non-IID literal estimators'}): validation ${s.validationPassed ? 'pass' : 'FAIL (min(H_r, H_c) < H_I/2)'}`,
    );
  }
  out.push(`assessed min-entropy: ${r.hAssessed.toFixed(6)} bits per sample`);
  if (r.hRestartValidated !== undefined)
    out.push(
      r.hRestartValidated === null
        ? 'after restart tests: FAILED, no entropy can be claimed from this source'
        : `after restart tests: ${r.hRestartValidated.toFixed(6)} bits per sample`,
    );
  return `${out.join('\n')}\n`;
}
