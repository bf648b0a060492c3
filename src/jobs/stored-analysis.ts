/**
 * The analysis kept beside a session: `<session>/analysis.json` (schemas/analysis.schema.json), written by
 * `oe record --analyze` and `oe ui`, read back without re-analysing while it still describes the session.
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnalysisDocument, type AnalysisOptions, analysisDocument } from '../analyze/source-analysis.js';
import { readManifest, type SessionManifest } from '../collect/session/manifest.js';
import { displayStatus } from '../collect/session/store.js';
import { assertSchema, schemaViolations } from '../contracts/schema.js';
import { errorMessage, OeError } from '../errors.js';
import { analysisJsonData } from '../report/analysis-json.js';
import { analyzeSession } from './session-analysis.js';

/** The stored analysis's file name inside the session directory. */
export const STORED_ANALYSIS = 'analysis.json';

export interface StoredAnalysisOptions extends AnalysisOptions {
  /** Add the EXPERIMENTAL quantum_proxy_v3 (`--quantum-ratio`), seeded by the dependence seed. */
  quantum?: boolean;
  /** With `quantum`: the prior calibration file (`--quantum-calibration`). */
  quantumCalibration?: string;
}

/** The options of `oe record --analyze`: the defaults, with the session's own telemetry and seed 1. */
export const STORED_ANALYSIS_OPTIONS: StoredAnalysisOptions = { telemetry: true, dependence: { seed: 1 } };

/** The seed of the dependence null (and of the quantum proxy) under these options. */
function seedOf(options: AnalysisOptions): number {
  return (typeof options.dependence === 'object' ? options.dependence.seed : undefined) ?? 1;
}

/**
 * Analyses session `dir` as `oe sessions <id> --analyze` does (plus the quantum proxy when asked) and writes
 * `<dir>/analysis.json` atomically (a temp file, then a rename) after validating it. Progress arrives as
 * messages (options.onProgress) and as data (options.onStep, ending with `written`). A session still being
 * recorded is refused (USAGE): its analysis would be stale at once.
 */
export async function analyzeSessionToFile(
  dir: string,
  options: StoredAnalysisOptions = STORED_ANALYSIS_OPTIONS,
): Promise<{ path: string; data: Record<string, unknown>; document: AnalysisDocument }> {
  const manifest = readManifest(dir);
  if (manifest.status === 'recording' && (manifest.pid === process.pid || displayStatus(manifest) === 'recording'))
    throw new OeError('USAGE', `session ${manifest.id} is still being recorded; analyse it when it ends`);
  const { quantum, quantumCalibration, ...analysisOptions } = options;
  const analysis = await analyzeSession(dir, analysisOptions);
  if (quantum) {
    options.onProgress?.('quantum_proxy_v3 (experimental)');
    options.onStep?.({ phase: 'quantum' });
    const { quantumForSession } = await import('./quantum-inputs.js');
    (analysis.experimental as Record<string, unknown>).quantum_proxy_v3 = await quantumForSession(dir, {
      seed: seedOf(options),
      calibrationFile: quantumCalibration,
    });
  }
  const document = analysisDocument([analysis], analysisOptions);
  const data = analysisJsonData(document) as Record<string, unknown>;
  assertSchema('analysis', data);
  const path = join(dir, STORED_ANALYSIS);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OeError('IO', `cannot write ${path}: ${errorMessage(e)}`);
  }
  options.onStep?.({ phase: 'written', path });
  return { path, data, document };
}

/** A session's stored analysis, or why there is none to use. */
export type StoredAnalysis =
  | { state: 'stored'; analysis: Record<string, unknown> }
  | { state: 'none' | 'stale' | 'invalid'; reason: string };

/**
 * The stored analysis of session `dir` when it is present, matches the schema and still describes the
 * session: one analysis whose input has the manifest's id, status and duration (a session repaired or
 * finished after it was analysed is stale; compacting it changes none of these, nor the data).
 */
export function readStoredAnalysis(dir: string, manifest: SessionManifest = readManifest(dir)): StoredAnalysis {
  const path = join(dir, STORED_ANALYSIS);
  if (!existsSync(path)) return { state: 'none', reason: 'not analysed yet' };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { state: 'invalid', reason: `${STORED_ANALYSIS}: ${errorMessage(e)}` };
  }
  const bad = schemaViolations('analysis', data);
  if (bad !== null) return { state: 'invalid', reason: `${STORED_ANALYSIS} does not match the schema: ${bad}` };
  const doc = data as {
    analyses: { input: { id: string | null; status: string | null; duration_ms: number | null } }[];
  };
  const input = doc.analyses[0]?.input;
  if (
    doc.analyses.length !== 1 ||
    !input ||
    input.id !== manifest.id ||
    input.status !== manifest.status ||
    input.duration_ms !== manifest.duration_ms
  )
    return {
      state: 'stale',
      reason: `${STORED_ANALYSIS} describes the session as it was before (${input?.status ?? 'another session'})`,
    };
  return { state: 'stored', analysis: data as Record<string, unknown> };
}
