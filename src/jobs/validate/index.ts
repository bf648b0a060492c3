/**
 * `oe validate`: an entropy-source validation package from one command. The steps, each in
 * its own file:
 *   options.ts          checks and defaults (known, available source; new output folder)
 *   raw-data.ts         speed check, calibration, the raw data recorded as a session, the sample mapping
 *   restart-data.ts     1000 restarts × 1000 samples, each restart a new process (restart-child.ts)
 *   assessment.ts       non-IID (and IID) track, restart tests, final H, NIST-format JSON
 *   health-evidence.ts  RCT/APT cutoffs, false alarms on the raw data, induced failures
 *   registration.ts     the registration-style JSON with the SHA-256 conditioning component
 *   package-files.ts    writing the folder, SHA256SUMS, --verify
 * The Markdown report is rendered by src/report/validation-report.ts. Layout: docs/VALIDATION.md.
 */
import { availableParallelism } from 'node:os';
import { formatNistJson } from '../../analyze/sp800-90b/nist-json.js';
import { fingerprint } from '../../collect/fingerprint.js';
import { assertSchema } from '../../contracts/schema.js';
import { renderValidationReport } from '../../report/validation-report.js';
import { type Assessment, assessPackage } from './assessment.js';
import { type HealthEvidence, healthEvidence } from './health-evidence.js';
import { planValidation, type ValidateOptions, type ValidatePlan } from './options.js';
import { writeManifest, writePackageFile } from './package-files.js';
import { collectRawData, mapper, type RawData } from './raw-data.js';
import { type Registration, registration } from './registration.js';
import { collectRestartData, type RestartData } from './restart-data.js';

export { DEFAULT_RESTARTS, MIN_RAW_SAMPLES, type ValidateOptions } from './options.js';
export { type VerifyResult, verifyPackage } from './package-files.js';

/** File names inside a package. */
export const PACKAGE_FILES = {
  raw: 'raw.bin',
  restart: 'restart.bin',
  assessment: 'assessment.json',
  health: 'health-tests.json',
  registration: 'registration.json',
  report: 'report.md',
  nist: 'nist',
  plots: 'plots',
  sessions: 'sessions',
} as const;

export interface ValidateProgress {
  phase: 'check' | 'raw' | 'restart' | 'assess' | 'health' | 'package';
  message: string;
  done?: number;
  total?: number;
}

/** Everything the package says, for the report and the caller. */
export interface ValidationDocument {
  dir: string;
  plan: Pick<ValidatePlan, 'iid' | 'bits' | 'reduce' | 'restarts' | 'samples' | 'seed' | 'alpha' | 'commandLine'>;
  raw: Omit<RawData, 'values' | 'samples'> & { file: string; samples: number };
  restart: Omit<RestartData, 'matrix'> & { file: string };
  assessment: Assessment;
  health: HealthEvidence;
  registration: Registration;
  seconds: { raw: number; restart: number; assess: number; health: number; total: number };
  files: string[];
  /** The raw samples' and restart data's value histograms (256 counts), for the plots. */
  histograms: { raw: number[]; restart: number[] };
}

function histogram(data: Uint8Array): number[] {
  const c = new Array<number>(256).fill(0);
  for (const x of data) c[x]++;
  return c;
}

/** Builds the package (see the module comment); `onProgress` gets a line per step and restart counts. */
export async function validateSource(
  options: ValidateOptions,
  onProgress?: (p: ValidateProgress) => void,
): Promise<ValidationDocument> {
  const t0 = performance.now();
  const plan = planValidation(options);
  const say = (phase: ValidateProgress['phase']) => (message: string) => onProgress?.({ phase, message });
  const raw = await collectRawData(plan, say('raw'));
  const tRaw = performance.now();
  say('restart')(`${plan.restarts} restarts × 1000 samples, each a new process`);
  const restart = await collectRestartData(plan.spec, mapper(plan.spec, raw.mapping), {
    restarts: plan.restarts,
    samplesPerRestart: 1000,
    concurrency: plan.restartConcurrency ?? availableParallelism(),
    onProgress: (done, total) => onProgress?.({ phase: 'restart', message: 'restarts', done, total }),
  });
  const tRestart = performance.now();
  writePackageFile(plan.dir, PACKAGE_FILES.raw, raw.samples);
  writePackageFile(plan.dir, PACKAGE_FILES.restart, restart.matrix);
  const assessment = await assessPackage(
    plan,
    raw.samples,
    restart.matrix,
    { raw: PACKAGE_FILES.raw, restart: PACKAGE_FILES.restart },
    say('assess'),
  );
  const tAssess = performance.now();
  say('health')('health-test evidence');
  const health = await healthEvidence(raw.samples, assessment.hFinal ?? assessment.hI, raw.mapping.bits, {
    alpha: plan.alpha,
    seed: plan.seed,
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });
  const tHealth = performance.now();
  say('package')('writing the package');
  const fp = fingerprint();
  const sessionDir = `${PACKAGE_FILES.sessions}/${raw.sessionId}`;
  const reg = registration(plan, raw, restart, assessment, health, fp, {
    raw: PACKAGE_FILES.raw,
    restart: PACKAGE_FILES.restart,
    health: PACKAGE_FILES.health,
    sessionDir,
  });
  const json = (name: string, schema: string | null, doc: unknown) => {
    if (schema) assertSchema(schema, doc);
    writePackageFile(plan.dir, name, `${JSON.stringify(doc, null, 2)}\n`);
  };
  json(PACKAGE_FILES.assessment, 'assess', assessment.report);
  json(PACKAGE_FILES.health, 'validation-health', health);
  json(PACKAGE_FILES.registration, 'validation-registration', reg);
  for (const [name, doc] of Object.entries(assessment.nist))
    writePackageFile(plan.dir, `${PACKAGE_FILES.nist}/${name}`, formatNistJson(doc));
  const { values: _v, samples: _s, ...rawInfo } = raw;
  const { matrix: _m, ...restartInfo } = restart;
  const doc: ValidationDocument = {
    dir: plan.dir,
    plan,
    raw: { ...rawInfo, sessionDir, file: PACKAGE_FILES.raw, samples: raw.samples.length },
    restart: { ...restartInfo, file: PACKAGE_FILES.restart },
    assessment,
    health,
    registration: reg,
    seconds: {
      raw: (tRaw - t0) / 1000,
      restart: (tRestart - tRaw) / 1000,
      assess: (tAssess - tRestart) / 1000,
      health: (tHealth - tAssess) / 1000,
      total: (performance.now() - t0) / 1000,
    },
    files: [],
    histograms: { raw: histogram(raw.samples), restart: histogram(restart.matrix) },
  };
  const rendered = renderValidationReport(doc);
  for (const p of rendered.plots) writePackageFile(plan.dir, `${PACKAGE_FILES.plots}/${p.file}`, p.svg);
  writePackageFile(plan.dir, PACKAGE_FILES.report, rendered.markdown);
  writeManifest(plan.dir);
  return doc;
}
