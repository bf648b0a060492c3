/**
 * The registration-style summary of a validation package (schemas/validation-registration.schema.json):
 * what an entropy-source submission states — bits per sample and their mapping, the entropy estimate and
 * its track, the IID claim, the restart set, the health tests, and the conditioning component that oe's
 * entropy pool puts after the source (SHA-256, SP 800-90B §3.1.5.1.2).
 */
import { conditionedEntropy } from '../../analyze/sp800-90b/conditioning.js';
import type { Fingerprint } from '../../collect/fingerprint.js';
import type { Assessment } from './assessment.js';
import type { HealthEvidence } from './health-evidence.js';
import type { ValidatePlan } from './options.js';
import type { RawData, SampleMappingRecord } from './raw-data.js';
import type { RestartData } from './restart-data.js';

/** Credited input bits per 256-bit output block of oe's sha256 conditioning (docs/CONDITIONING.md). */
export const POOL_INPUT_BITS = 320;

export interface ConditioningComponent {
  function: 'SHA-256';
  vetted: true;
  reference: 'SP 800-90B §3.1.5.1.2';
  /** Samples of this source hashed into one output block at the validated H: ⌈320 / H⌉. */
  samplesPerBlock: number;
  /** Input width in bits (each sample enters as one byte) and output and narrowest internal width. */
  nIn: number;
  nOut: 256;
  nw: 256;
  /** Min-entropy of the input and of the output (Output_Entropy of §3.1.5.1.2). */
  hIn: number;
  hOut: number;
  /** h_in ≥ n_out + 64: the 64-bit margin oe's pool requires for full-entropy output. */
  margin64: boolean;
}

export interface Registration {
  format: 'oe-validation-registration';
  formatVersion: 1;
  created: string;
  command: string;
  source: {
    name: string;
    category: string;
    kind: string;
    description: string;
    sampler: string;
    unit: string;
    catalogCredit: number;
  };
  samples: {
    bitsPerSample: number;
    mapping: SampleMappingRecord;
    rawFile: string;
    rawSamples: number;
    session: { id: string; dir: string };
  };
  /** True only when the IID track ran and did not reject the IID assumption. */
  iidClaim: boolean;
  entropy: {
    track: 'non-iid' | 'iid';
    hOriginal: number;
    hBitstring: number | null;
    hInitial: number;
    hRestartRows: number;
    hRestartColumns: number;
    restartSanityPassed: boolean;
    restartValidationPassed: boolean;
    /** Bits per sample to claim; null when the restart tests failed (nothing can be claimed). */
    hFinal: number | null;
  };
  restart: { restarts: number; samplesPerRestart: number; file: string; seconds: number; concurrency: number };
  healthTests: { alpha: number; h: number; rctCutoff: number; aptCutoff: number; aptWindow: number; file: string };
  conditioning: ConditioningComponent | null;
  machine: Fingerprint['machine'];
  software: Fingerprint['software'];
}

/** The SHA-256 component for a source of `h` bits per sample, as oe's pool uses it (320 credited bits per block). */
export function conditioningComponent(h: number): ConditioningComponent {
  const samplesPerBlock = Math.ceil(POOL_INPUT_BITS / h - 1e-9);
  const nIn = 8 * samplesPerBlock;
  const hIn = Math.min(nIn, samplesPerBlock * h);
  return {
    function: 'SHA-256',
    vetted: true,
    reference: 'SP 800-90B §3.1.5.1.2',
    samplesPerBlock,
    nIn,
    nOut: 256,
    nw: 256,
    hIn,
    hOut: conditionedEntropy(nIn, 256, 256, hIn),
    margin64: hIn >= 256 + 64,
  };
}

export function registration(
  plan: ValidatePlan,
  raw: RawData,
  restart: RestartData,
  a: Assessment,
  health: HealthEvidence,
  fp: Fingerprint,
  files: { raw: string; restart: string; health: string; sessionDir: string },
): Registration {
  const s = plan.spec;
  return {
    format: 'oe-validation-registration',
    formatVersion: 1,
    created: new Date().toISOString(),
    command: plan.commandLine,
    source: {
      name: s.name,
      category: s.category,
      kind: s.kind,
      description: s.description,
      sampler: s.sampler,
      unit: raw.unit,
      catalogCredit: s.credit,
    },
    samples: {
      bitsPerSample: raw.mapping.bits,
      mapping: raw.mapping,
      rawFile: files.raw,
      rawSamples: raw.samples.length,
      session: { id: raw.sessionId, dir: files.sessionDir },
    },
    iidClaim: a.track === 'iid',
    entropy: {
      track: a.track,
      hOriginal: a.track === 'iid' ? (a.iid?.hOriginal ?? a.nonIid.hOriginal) : a.nonIid.hOriginal,
      hBitstring: a.track === 'iid' ? (a.iid?.hBitstring ?? null) : a.nonIid.hBitstring,
      hInitial: a.hI,
      hRestartRows: a.restart.hR,
      hRestartColumns: a.restart.hC,
      restartSanityPassed: a.restart.sanityPassed,
      restartValidationPassed: a.restart.validationPassed,
      hFinal: a.hFinal,
    },
    restart: {
      restarts: restart.restarts,
      samplesPerRestart: restart.samplesPerRestart,
      file: files.restart,
      seconds: restart.seconds,
      concurrency: restart.concurrency,
    },
    healthTests: {
      alpha: health.alpha,
      h: health.h,
      rctCutoff: health.rct.cutoff,
      aptCutoff: health.apt.cutoff,
      aptWindow: health.apt.window,
      file: files.health,
    },
    conditioning: a.hFinal !== null && a.hFinal > 0 ? conditioningComponent(a.hFinal) : null,
    machine: fp.machine,
    software: fp.software,
  };
}
