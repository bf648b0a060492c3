import { createHash } from 'node:crypto';
import { assessIid, type IidOptions, type IidResult } from './iid.js';
import { assessNonIid, type NonIidResult } from './non-iid.js';
import { type RestartResult, restartTest } from './restart.js';

/** What `oe assess` reports (schemas/assess.schema.json). */
export interface AssessReport {
  format: 'oe-sp800-90b-assess';
  formatVersion: 1;
  /** The reference tool whose rules and outputs this reproduces. */
  reference: 'NIST SP800-90B_EntropyAssessment 1.1.7';
  input: { file?: string; session?: string; source?: string; sha256: string; samples: number };
  /** Which track ran: the non-IID estimators (ea_non_iid) or the IID tests (ea_iid). */
  track: 'non-iid' | 'iid';
  nonIid?: NonIidResult;
  iid?: IidResult;
  restart?: RestartResult & { file?: string };
  /** The assessed min-entropy per sample of the track (H_I), and after restart validation when run. */
  hAssessed: number;
  /** min(H_r, H_c, H_I) when restart tests ran and passed, null when they ran and failed. */
  hRestartValidated?: number | null;
}

export interface Sp80090bAssessOptions {
  bits?: number;
  iid?: boolean;
  seed?: number;
  /** IID track: repeat the permutation tests this many times (failure rates per statistic). */
  repeat?: number;
  threads?: number;
  restart?: { data: Uint8Array; file?: string };
  input?: { file?: string; session?: string; source?: string };
  onProgress?: IidOptions['onProgress'];
}

/** SHA-256 of the samples, hex. */
export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Runs the chosen track (and restart tests when given a restart matrix) and builds the report. */
export async function assessSamples(data: Uint8Array, options: Sp80090bAssessOptions = {}): Promise<AssessReport> {
  const report: AssessReport = {
    format: 'oe-sp800-90b-assess',
    formatVersion: 1,
    reference: 'NIST SP800-90B_EntropyAssessment 1.1.7',
    input: { ...options.input, sha256: sha256Hex(data), samples: data.length },
    track: options.iid ? 'iid' : 'non-iid',
    hAssessed: 0,
  };
  if (options.iid) {
    report.iid = await assessIid(data, options.bits, {
      seed: options.seed,
      repeat: options.repeat,
      threads: options.threads,
      onProgress: options.onProgress,
    });
    report.hAssessed = report.iid.hAssessed;
  } else {
    report.nonIid = await assessNonIid(data, options.bits, { threads: options.threads });
    report.hAssessed = report.nonIid.hAssessed;
  }
  if (options.restart) {
    const bits = report.nonIid?.bitsPerSymbol ?? report.iid?.bitsPerSymbol;
    const r = restartTest(options.restart.data, report.hAssessed, bits, { iid: options.iid === true });
    report.restart = { ...r, ...(options.restart.file ? { file: options.restart.file } : {}) };
    report.hRestartValidated = r.hRestart;
  }
  return report;
}

export type { IidResult, NonIidResult, RestartResult };
