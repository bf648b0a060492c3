/**
 * The Markdown report of a validation package (report.md, the file a reviewer reads first): what was
 * measured, on what machine, with which commands, every verdict, and the plots (SVG files beside it).
 */
import type { ValidationDocument } from '../jobs/validate/index.js';
import { byteHistogramSvg } from './plots.js';

export interface RenderedValidationReport {
  markdown: string;
  plots: Array<{ file: string; svg: string }>;
}

const f6 = (x: number | null | undefined) => (x === null || x === undefined ? 'n/a' : x.toFixed(6));
const pass = (ok: boolean) => (ok ? 'pass' : '**FAIL**');
const secs = (s: number) => (s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`);

function summary(d: ValidationDocument): string[] {
  const a = d.assessment;
  const r = a.restart;
  const out = [
    '| check | result |',
    '|---|---|',
    `| raw data (SP 800-90B §3.1.1) | ${d.raw.samples.toLocaleString('en-US')} consecutive samples, ${d.registration.samples.bitsPerSample} bits each |`,
    `| assessment track | ${a.track === 'iid' ? 'IID (§5): the IID assumption was not rejected' : 'non-IID (§6.3)'}${d.plan.iid && a.track !== 'iid' ? ' — the IID track rejected the IID assumption' : ''} |`,
    `| initial entropy H_I | ${f6(a.hI)} bits per sample |`,
    `| restart sanity check (§3.1.4.3) | ${pass(r.sanityPassed)}: largest count ${r.xMax}, cutoff ${r.xCutoff} |`,
    `| restart validation (§3.1.4.2) | ${pass(r.validationPassed)}: min(H_r, H_c) = ${f6(Math.min(r.hR, r.hC))} vs H_I/2 = ${f6(a.hI / 2)} |`,
    `| **entropy to claim** | ${a.hFinal === null ? '**none: the restart tests failed**' : `**${f6(a.hFinal)} bits per sample** (min(H_r, H_c, H_I))`} |`,
  ];
  const h = d.health;
  const fa = h.falseAlarms.map((x) => `${x.test.toUpperCase()} ${x.observed}`).join(', ');
  out.push(
    `| health tests at α = 2^-${h.alphaBits.toFixed(0)} | RCT cutoff ${h.rct.cutoff}, APT cutoff ${h.apt.cutoff} of ${h.apt.window}; false alarms on the raw data: ${fa} |`,
  );
  for (const f of h.induced)
    out.push(
      `| induced fault: ${f.fault} | detected in ${f.detected} of ${f.trials} trials${f.limit ? `, ${f.beyondLimit} beyond the ${f.limit.name} (${f.limit.samples})` : ''} |`,
    );
  return out;
}

function rawSection(d: ValidationDocument): string[] {
  const m = d.registration.samples.mapping;
  const out = [
    '## Raw data',
    '',
    `- Source \`${d.registration.source.name}\` (${d.registration.source.category}, ${d.registration.source.kind}): ${d.registration.source.description}. Raw measurements in \`${d.raw.unit}\`.`,
    `- Recorded as an ordinary session, \`${d.raw.sessionDir}\` (re-analyse it with \`oe assess --session ${d.raw.sessionId} --source ${d.registration.source.name} --dir ${d.dir}/sessions\`), in ${secs(d.raw.recordSeconds)}; the source gave about ${Math.round(d.raw.rate).toLocaleString('en-US')} samples/s of sampler time before recording.`,
    `- \`${d.raw.file}\`: the first ${d.raw.samples.toLocaleString('en-US')} measurements, one sample per byte (NIST's input format). Mapping: ${m.description}.`,
  ];
  if (m.kind === 'bit-positions') {
    out.push('', '| bit | P(1) on the calibration stretch | min-entropy |', '|---|---|---|');
    for (const p of m.positions) {
      const b = m.calibration.bits[p];
      out.push(`| ${p} | ${b.pOne.toFixed(4)} | ${b.hMin.toFixed(4)} |`);
    }
  }
  out.push('', '![raw samples](plots/raw-histogram.svg)', '');
  return out;
}

function assessmentSection(d: ValidationDocument): string[] {
  const a = d.assessment;
  const n = a.nonIid;
  const out = ['## Assessment (SP 800-90B, as NIST SP800-90B_EntropyAssessment 1.1.7)', ''];
  out.push('| estimator | track | H (bits per symbol) |', '|---|---|---|');
  for (const e of n.estimators)
    out.push(
      `| ${e.name} (§${e.section}) | ${e.track} | ${e.hMin === undefined ? `skipped: ${e.skipped}` : f6(e.hMin)} |`,
    );
  out.push(
    '',
    `Non-IID: H_original = ${f6(n.hOriginal)}, H_bitstring = ${f6(n.hBitstring)} per bit, assessed ${f6(n.hAssessed)}.`,
  );
  if (a.iid) {
    const i = a.iid;
    out.push(
      '',
      `IID track (seed ${i.seed}, ${i.roundsRun} permutation rounds): permutation tests ${pass(i.passedPermutationTests)}, chi-square ${pass(i.passedChiSquareTests)}, longest repeated substring ${pass(i.passedLongestRepeatedSubstringTest)}; MCV H = ${f6(i.hAssessed)}.`,
    );
    const failed = i.permutationTests.filter((t) => !t.passed).map((t) => t.name);
    if (failed.length) out.push(`Failed permutation statistics: ${failed.join(', ')}.`);
  }
  const r = a.restart;
  out.push(
    '',
    '## Restart data (§3.1.4)',
    '',
    `- \`${d.restart.file}\`: ${d.restart.restarts} restarts × ${d.restart.samplesPerRestart} samples, row i = restart i (NIST's row layout). Each restart is a new process that loads the sampler and keeps its first ${d.restart.samplesPerRestart} samples, with the same mapping; ${d.restart.concurrency} ran at a time; all took ${secs(d.restart.seconds)} here.`,
    `- Sanity check: the most common value occurs at most ${r.xRows} times in a row and ${r.xColumns} times in a column; the cutoff for H_I at α = ${r.alpha.toExponential(3)} is ${r.xCutoff}: ${pass(r.sanityPassed)}.`,
    `- Validation (${r.mode === 'iid' ? 'most common value, IID track' : 'non-IID literal estimators'}): H_r = ${f6(r.hR)}, H_c = ${f6(r.hC)}, H_I = ${f6(r.hI)}: ${pass(r.validationPassed)}.`,
  );
  if (a.restartIid)
    out.push(
      `- IID tests on the row / column datasets (as ea_restart -i, informational): chi-square ${pass(a.restartIid.rows.passedChiSquareTests)} / ${pass(a.restartIid.columns.passedChiSquareTests)}, LRS ${pass(a.restartIid.rows.passedLongestRepeatedSubstringTest)} / ${pass(a.restartIid.columns.passedLongestRepeatedSubstringTest)}, permutation ${pass(a.restartIid.rows.passedPermutationTests)} / ${pass(a.restartIid.columns.passedPermutationTests)}.`,
    );
  out.push('', '![restart samples](plots/restart-histogram.svg)', '');
  return out;
}

function healthSection(d: ValidationDocument): string[] {
  const h = d.health;
  const out = [
    '## Health tests (§4.4)',
    '',
    `Cutoffs for H = ${f6(h.h)} bits per sample at a false-positive rate α = 2^-${h.alphaBits.toFixed(0)} per test decision: Repetition Count Test C = ${h.rct.cutoff} (1 + ⌈−log2 α / H⌉), Adaptive Proportion Test C = ${h.apt.cutoff} in windows of ${h.apt.window} (1 + CRITBINOM(W, 2^−H, 1 − α)). The tests are oe's own (src/collect/health/), the code the entropy pool runs.`,
    '',
    '| test | decisions on the raw data | false alarms | expected at most (if H holds) |',
    '|---|---|---|---|',
  ];
  for (const x of h.falseAlarms)
    out.push(
      `| ${x.test.toUpperCase()} | ${x.decisions.toLocaleString('en-US')} | ${x.observed} | ${x.expectedAtMost.toExponential(2)} |`,
    );
  out.push(
    '',
    '| induced fault | trials | detected | first by | samples until a test fired (min / median / max) | limit |',
    '|---|---|---|---|---|---|',
  );
  for (const f of h.induced) {
    const by = Object.entries(f.firstBy)
      .filter(([, n]) => n > 0)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    const s = f.samplesToDetect
      ? `${f.samplesToDetect.min} / ${f.samplesToDetect.median} / ${f.samplesToDetect.max}`
      : 'n/a';
    out.push(
      `| ${f.fault}: ${f.description} | ${f.trials} | ${f.detected} | ${by || 'none'} | ${s} | ${f.limit ? `${f.limit.name} ${f.limit.samples}` : '—'} |`,
    );
  }
  const stop = h.induced.find((f) => f.stop)?.stop;
  if (stop)
    out.push(
      '',
      `A source that stops delivers no sample for the tests to see; the batch deadline (${stop.deadlineMs} ms) caught it after ${stop.detectedAfterMs} ms and the pool refused output: "${stop.error}".`,
    );
  out.push('');
  return out;
}

function conditioningSection(d: ValidationDocument): string[] {
  const c = d.registration.conditioning;
  if (!c) return ['## Conditioning (§3.1.5)', '', 'No entropy is claimed, so no conditioning component is stated.', ''];
  return [
    '## Conditioning component (§3.1.5)',
    '',
    `oe's pool hashes at least 320 credited bits into each 256-bit SHA-256 output block (docs/CONDITIONING.md). At ${f6(d.assessment.hFinal)} bits per sample that is ${c.samplesPerBlock} samples: n_in = ${c.nIn} bits, n_out = nw = 256, h_in = ${c.hIn.toFixed(3)}, and Output_Entropy (§3.1.5.1.2, vetted) gives h_out = ${c.hOut.toFixed(9)} bits per block${c.margin64 ? ' (h_in ≥ n_out + 64)' : ''}.`,
    '',
  ];
}

/** Renders report.md and its plots for a validation package. */
export function renderValidationReport(d: ValidationDocument): RenderedValidationReport {
  const reg = d.registration;
  const md = [
    `# Entropy source validation: \`${reg.source.name}\``,
    '',
    `Created ${reg.created} with \`${reg.command}\` (oe ${reg.software.oe}${reg.software.git_commit ? `, commit ${reg.software.git_commit.slice(0, 12)}` : ''}) on ${reg.machine.cpu_model ?? 'an unknown CPU'}, ${reg.machine.cores} cores${reg.machine.virtualization.detected ? ` (virtualized: ${reg.machine.virtualization.vendor ?? 'hypervisor'})` : ''}, Linux ${reg.machine.kernel}. Total time ${secs(d.seconds.total)}: raw data ${secs(d.seconds.raw)}, restarts ${secs(d.seconds.restart)}, assessment ${secs(d.seconds.assess)}, health tests ${secs(d.seconds.health)}.`,
    '',
    ...summary(d),
    '',
    ...rawSection(d),
    ...assessmentSection(d),
    ...healthSection(d),
    ...conditioningSection(d),
    '## Files',
    '',
    '`SHA256SUMS` lists every file of this folder (check it with `oe validate --verify <folder>` or `sha256sum -c SHA256SUMS`). `assessment.json` is oe\u2019s full assessment (schemas/assess.schema.json); `nist/` holds the same results in the result-JSON format of NIST\u2019s tools (ea_non_iid, ea_iid, ea_restart `-o`), to set beside those tools run on `raw.bin` and `restart.bin`; `health-tests.json` and `registration.json` follow schemas/validation-health.schema.json and schemas/validation-registration.schema.json.',
    '',
    'To rerun NIST\u2019s tools on these files:',
    '',
    '```',
    `ea_non_iid -i -a ${d.raw.file} ${reg.samples.bitsPerSample}`,
    ...(d.plan.iid ? [`ea_iid -i -a ${d.raw.file} ${reg.samples.bitsPerSample}`] : []),
    `ea_restart ${d.assessment.track === 'iid' ? '-i' : '-n'} ${d.restart.file} ${reg.samples.bitsPerSample} ${d.assessment.hI}`,
    '```',
    '',
  ].join('\n');
  return {
    markdown: md,
    plots: [
      { file: 'raw-histogram.svg', svg: byteHistogramSvg(d.histograms.raw, `${reg.source.name}: raw samples`) },
      {
        file: 'restart-histogram.svg',
        svg: byteHistogramSvg(d.histograms.restart, `${reg.source.name}: restart samples`),
      },
    ],
  };
}
