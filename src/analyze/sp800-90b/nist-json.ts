import type { EstimatorId, EstimatorOutcome } from './estimators.js';
import type { IidResult } from './iid.js';
import type { NonIidResult } from './non-iid.js';
import type { RestartResult } from './restart.js';

/** The header fields of NIST's result JSON (`ea_non_iid -o` / `ea_iid -o`, tool version 1.1.7). */
export interface NistRunInfo {
  commandline: string;
  filename: string;
  sha256: string;
  /** Local time as YYYYMMDDhhmmss (the tool's format). */
  dateTimeStamp?: string;
}

function stamp(d = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}${p(d.getMonth() + 1)}${p(d.getDate())}${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** The tool's top-level object around its test cases (keys in its order). */
function envelope(iid: boolean, info: NistRunInfo, testCases: Record<string, unknown>[]): Record<string, unknown> {
  return {
    IID: iid,
    commandline: info.commandline,
    dateTimeStamp: info.dateTimeStamp ?? stamp(),
    errorLevel: 0,
    filename: info.filename,
    sha256: info.sha256,
    testCases,
    toolVersion: '1.1.7',
    type: '',
  };
}

const CASES: Array<{ desc: string; ids: EstimatorId[] }> = [
  { desc: 'Most Common Value', ids: ['mcv'] },
  { desc: 'Collision Test (for bit strings only)', ids: ['collision'] },
  { desc: 'Markov Test (for bit strings only)', ids: ['markov'] },
  { desc: 'Compression Test (for bit strings only)', ids: ['compression'] },
  { desc: 'T-Tuple Test', ids: ['t-tuple'] },
  { desc: 'LRS Test', ids: ['lrs'] },
  { desc: 'Multi Most Common in Window Test', ids: ['multi-mcw'] },
  { desc: 'Lag Prediction Test', ids: ['lag'] },
  { desc: 'Multi Markov Model with Counting Test (MultiMMC)', ids: ['multi-mmc'] },
  { desc: 'LZ78Y Test', ids: ['lz78y'] },
];

function find(list: EstimatorOutcome[], id: EstimatorId, track: 'literal' | 'bitstring'): EstimatorOutcome | undefined {
  return list.find((e) => e.id === id && e.track === track && e.hMin !== undefined);
}

/** NIST's `ea_non_iid -o` JSON for a non-IID result, field for field (keys sorted as the tool writes them). */
export function nonIidToNistJson(r: NonIidResult, info: NistRunInfo): Record<string, unknown> {
  const testCases: Record<string, unknown>[] = [];
  for (const c of CASES) {
    const tc: Record<string, unknown> = {};
    const id = c.ids[0];
    const lit = find(r.estimators, id, 'literal');
    const bit = find(r.estimators, id, 'bitstring');
    if (id === 't-tuple') {
      if (bit) tc.binTTupleRes = bit.hMin;
      if (lit) tc.tTupleRes = lit.hMin;
    } else if (id === 'lrs') {
      if (bit) tc.binLrsRes = bit.hMin;
      if (lit) tc.lrsRes = lit.hMin;
    } else {
      if (bit) tc.hBitstring = bit.hMin;
      if (lit) tc.hOriginal = lit.hMin;
    }
    if (id === 'mcv' && lit?.values) {
      tc.mcvEstimateMode = lit.values['Mode count'];
      tc.mcvEstimatePHat = lit.values['p-hat'];
      tc.mcvEstimatePU = lit.values.p_u;
    }
    tc.testCaseDesc = c.desc;
    testCases.push(sortKeys(tc));
  }
  const overall: Record<string, unknown> = {
    dataWordSize: r.bitsPerSymbol,
    hAssessed: r.hAssessed,
    hOriginal: r.hOriginal,
    testCaseDesc: 'Overall',
  };
  if (r.hBitstring !== null) overall.hBitstring = r.hBitstring;
  testCases.push(sortKeys(overall));
  return envelope(false, info, testCases);
}

const PERM_KEYS: Record<string, string> = {
  'periodicity(1)': 'periodicity1',
  'periodicity(2)': 'periodicity2',
  'periodicity(8)': 'periodicity8',
  'periodicity(16)': 'periodicity16',
  'periodicity(32)': 'periodicity32',
  'covariance(1)': 'covariance1',
  'covariance(2)': 'covariance2',
  'covariance(8)': 'covariance8',
  'covariance(16)': 'covariance16',
  'covariance(32)': 'covariance32',
};

/** NIST's `ea_iid -o` JSON for an IID result. */
export function iidToNistJson(r: IidResult, info: NistRunInfo): Record<string, unknown> {
  const iterations = permutationIterations(r);
  const tc = sortKeys({
    hAssessed: r.hAssessed,
    hBitstring: r.hBitstring ?? 1,
    hOriginal: r.hOriginal,
    mean: r.mean,
    median: r.median,
    passedChiSquareTests: r.passedChiSquareTests,
    passedIidPermutationTests: r.passedPermutationTests,
    passedLongestRepeatedSubstringTest: r.passedLongestRepeatedSubstringTest,
    permutationTestResults: iterations,
    testCaseDesc: '',
  });
  return envelope(true, info, [tc]);
}

/** The IID tests ea_restart -i also runs on the row and the column dataset (informational in the tool). */
export interface RestartIidChecks {
  rows: IidResult;
  columns: IidResult;
}

function permutationIterations(r: IidResult): Record<string, unknown>[] {
  return [0, 1, 2].map((it) => {
    const o: Record<string, unknown> = { iteration: it };
    for (const t of r.permutationTests) o[PERM_KEYS[t.name] ?? t.name] = it === 0 ? t.C0 : it === 1 ? t.C1 : t.C2;
    return sortKeys(o);
  });
}

/**
 * NIST's `ea_restart -o` JSON (type "Restart"): with the non-IID literal estimators one test case per
 * estimator with its row and column estimates (h_r, h_c), then "Overall" with h_r, h_c and h_i; in IID
 * mode only "Overall", with the IID tests' verdicts over the row and column datasets and their
 * permutation counts (rows, then columns). A failed sanity check or validation is errorLevel −1 with the
 * tool's message (the sanity failure before any estimate, as the tool stops there).
 */
export function restartToNistJson(
  r: RestartResult,
  info: NistRunInfo,
  iidChecks?: RestartIidChecks,
): Record<string, unknown> {
  const testCases: Record<string, unknown>[] = [];
  let errorMessage: string | undefined;
  if (!r.sanityPassed) errorMessage = 'Restart Sanity Check Failed.';
  else {
    if (r.mode === 'non-iid')
      for (const c of CASES) {
        const row = find(r.rowEstimators, c.ids[0], 'literal');
        const col = find(r.columnEstimators, c.ids[0], 'literal');
        if (!row && !col) continue;
        const binaryOnly = c.desc.includes('bit strings only');
        testCases.push(
          sortKeys({
            dataWordSize: binaryOnly ? 1 : r.bitsPerSymbol,
            ...(row ? { h_r: row.hMin } : {}),
            ...(col ? { h_c: col.hMin } : {}),
            testCaseDesc: c.desc,
          }),
        );
      }
    if (!r.validationPassed) errorMessage = 'min(H_r, H_c) < H_I/2, Validation Testing Failed.';
    else if (r.mode === 'non-iid')
      testCases.push(sortKeys({ h_c: r.hC, h_i: r.hI, h_r: r.hR, testCaseDesc: 'Overall' }));
    else
      testCases.push(
        sortKeys({
          h_c: r.hC,
          h_i: r.hI,
          h_r: r.hR,
          mean: 0,
          median: 0,
          passedChiSquareTests: iidChecks
            ? iidChecks.rows.passedChiSquareTests && iidChecks.columns.passedChiSquareTests
            : false,
          passedIidPermutationTests: iidChecks
            ? iidChecks.rows.passedPermutationTests && iidChecks.columns.passedPermutationTests
            : false,
          passedLongestRepeatedSubstringTest: iidChecks
            ? iidChecks.rows.passedLongestRepeatedSubstringTest && iidChecks.columns.passedLongestRepeatedSubstringTest
            : false,
          permutationTestResults: iidChecks
            ? [...permutationIterations(iidChecks.rows), ...permutationIterations(iidChecks.columns)]
            : [],
          testCaseDesc: 'Overall',
        }),
      );
  }
  return {
    IID: r.mode === 'iid',
    commandline: info.commandline,
    dateTimeStamp: info.dateTimeStamp ?? stamp(),
    errorLevel: errorMessage ? -1 : 0,
    ...(errorMessage ? { errorMessage } : {}),
    filename: info.filename,
    sha256: info.sha256,
    testCases,
    toolVersion: '1.1.7',
    type: 'Restart',
  };
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Formats like the tool's JSON writer (3-space indent, " : " separators), so diffs against its files are clean. */
export function formatNistJson(doc: unknown): string {
  return `${JSON.stringify(doc, null, 3).replace(/^(\s*"[^"]*"):/gm, '$1 :')}\n`;
}
