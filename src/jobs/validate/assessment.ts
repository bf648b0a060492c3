/**
 * The SP 800-90B assessment of a validation package: the non-IID track on the raw file (and the IID track
 * with `iid`), H_I from the non-IID track or from the IID one when the IID assumption is not rejected,
 * the restart sanity check (§3.1.4.3) and validation (§3.1.4.2) against H_I, and the final min-entropy
 * min(H_r, H_c, H_I) by the tool's rules. Results are kept in oe's assess format and in NIST's result
 * JSON (ea_non_iid / ea_iid / ea_restart -o) so that they can be set beside the tool run on the same files.
 */
import { type AssessReport, sha256Hex } from '../../analyze/sp800-90b/assess.js';
import { assessIid, type IidResult } from '../../analyze/sp800-90b/iid.js';
import {
  iidToNistJson,
  type NistRunInfo,
  nonIidToNistJson,
  type RestartIidChecks,
  restartToNistJson,
} from '../../analyze/sp800-90b/nist-json.js';
import { assessNonIid, type NonIidResult } from '../../analyze/sp800-90b/non-iid.js';
import { type RestartResult, restartTest } from '../../analyze/sp800-90b/restart.js';
import type { ValidatePlan } from './options.js';

export interface Assessment {
  report: AssessReport;
  nonIid: NonIidResult;
  iid: IidResult | null;
  restart: RestartResult;
  /** The IID tests on the restart rows and columns (IID mode only, as ea_restart -i). */
  restartIid: RestartIidChecks | null;
  /** H_I and where it came from. */
  hI: number;
  track: 'non-iid' | 'iid';
  /** min(H_r, H_c, H_I) when the restart tests pass, else null: no entropy can be claimed. */
  hFinal: number | null;
  /** NIST-format result JSON documents, by file name. */
  nist: Record<string, Record<string, unknown>>;
}

/** Rows of the restart matrix as the column dataset (§3.1.4.1: column j = sample j of every restart). */
function columns(matrix: Uint8Array, rows: number, cols: number): Uint8Array {
  const out = new Uint8Array(matrix.length);
  for (let j = 0; j < cols; j++) for (let i = 0; i < rows; i++) out[j * rows + i] = matrix[i * cols + j];
  return out;
}

export async function assessPackage(
  plan: ValidatePlan,
  raw: Uint8Array,
  restartMatrix: Uint8Array,
  files: { raw: string; restart: string },
  onPhase?: (what: string) => void,
): Promise<Assessment> {
  const bits = plan.bits ?? 8;
  onPhase?.('non-IID track (§6.3)');
  const nonIid = await assessNonIid(raw, bits, { threads: plan.threads });
  let iid: IidResult | null = null;
  if (plan.iid) {
    onPhase?.('IID track (§5)');
    iid = await assessIid(raw, bits, { seed: plan.seed, threads: plan.threads });
  }
  const track = iid?.iid ? 'iid' : 'non-iid';
  const hI = track === 'iid' ? (iid as IidResult).hAssessed : nonIid.hAssessed;
  onPhase?.('restart tests (§3.1.4)');
  const restart = restartTest(restartMatrix, hI, bits, {
    rows: plan.restarts,
    columns: restartMatrix.length / plan.restarts,
    iid: track === 'iid',
  });
  let restartIid: RestartIidChecks | null = null;
  if (track === 'iid' && restart.sanityPassed) {
    onPhase?.('IID tests on the restart rows and columns');
    const opts = { seed: plan.seed, threads: plan.threads };
    restartIid = {
      rows: await assessIid(restartMatrix, bits, opts),
      columns: await assessIid(columns(restartMatrix, restart.rows, restart.columns), bits, opts),
    };
  }
  const hFinal = restart.hRestart;
  const report: AssessReport = {
    format: 'oe-sp800-90b-assess',
    formatVersion: 1,
    reference: 'NIST SP800-90B_EntropyAssessment 1.1.7',
    input: { file: files.raw, sha256: sha256Hex(raw), samples: raw.length },
    track,
    nonIid,
    ...(iid ? { iid } : {}),
    restart: { ...restart, file: files.restart },
    hAssessed: hI,
    hRestartValidated: hFinal,
  };
  const info = (file: string, data: Uint8Array, cmd: string): NistRunInfo => ({
    commandline: cmd,
    filename: file,
    sha256: sha256Hex(data),
  });
  const nist: Record<string, Record<string, unknown>> = {
    'ea_non_iid.json': nonIidToNistJson(nonIid, info(files.raw, raw, `ea_non_iid -i -a ${files.raw} ${bits}`)),
  };
  if (iid) nist['ea_iid.json'] = iidToNistJson(iid, info(files.raw, raw, `ea_iid -i -a ${files.raw} ${bits}`));
  nist['ea_restart.json'] = restartToNistJson(
    restart,
    info(files.restart, restartMatrix, `ea_restart ${track === 'iid' ? '-i' : '-n'} ${files.restart} ${bits} ${hI}`),
    restartIid ?? undefined,
  );
  return { report, nonIid, iid, restart, restartIid, hI, track, hFinal, nist };
}
