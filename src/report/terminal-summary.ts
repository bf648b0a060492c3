import type { Sp80022Assessment } from '../analyze/sp800-22/assess.js';
import type { ExtendedResult } from '../analyze/sp800-22/extended.js';
import { NIST_TEST_NAMES } from '../analyze/sp800-22/types.js';
import { testVerdict } from './sp800-22-verdicts.js';

/** A plain-text table of the battery for the terminal. */
export function sp80022TerminalSummary(name: string, a: Sp80022Assessment, extended: ExtendedResult[]): string {
  const lines: string[] = [];
  lines.push(
    `${name}: ${a.sequences} × ${a.sequenceLength.toLocaleString('en-US')} bits, α = ${a.alpha}, constants ${a.constants}` +
      (a.unusedBits ? ` (${a.unusedBits} bits unused)` : ''),
  );
  lines.push('');
  lines.push(`${'SP 800-22 test'.padEnd(25)} ${'verdict'.padEnd(14)} detail`);
  for (const t of NIST_TEST_NAMES) {
    const v = testVerdict(a, t);
    lines.push(`${t.padEnd(25)} ${v.verdict.padEnd(14)} ${v.detail}`);
  }
  lines.push(
    `FAIL: the test's Holm-adjusted p-value over the ${a.decisions.tests} tests is below ${a.decisions.familyAlpha} (family-wise; the report gives the rule).`,
  );
  lines.push('');
  lines.push(`${'Extended (not SP 800-22)'.padEnd(25)} ${'p-value'.padEnd(14)} value`);
  for (const e of extended) {
    if (!e.applicable) {
      lines.push(`${e.name.padEnd(25)} ${'n/a'.padEnd(14)} ${e.reason ?? ''}`);
      continue;
    }
    const p = e.pValue === undefined ? '—' : e.pValue < 1e-6 ? e.pValue.toExponential(2) : e.pValue.toFixed(6);
    const v = e.value !== undefined ? `${e.value.toFixed(4)} ${e.unit ?? ''}` : (e.statistic?.toPrecision(5) ?? '');
    lines.push(`${e.name.padEnd(25)} ${p.padEnd(14)} ${v}`);
  }
  return lines.join('\n');
}
