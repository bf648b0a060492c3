/**
 * The analysis kept beside a session: `<session>/analysis.json` (schemas/analysis.schema.json), written by
 * `oe record --analyze` and the UI, read back without re-analysing while it is current.
 */
import { existsSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnalysisDocument, type AnalysisOptions, analysisDocument } from '../analyze/source-analysis.js';
import { assertSchema, schemaViolations } from '../contracts/schema.js';
import { errorMessage, OeError } from '../errors.js';
import { analysisJsonData } from '../report/analysis-json.js';
import { analyzeSession } from './session-analysis.js';

/** The stored analysis's file name inside the session directory. */
export const STORED_ANALYSIS = 'analysis.json';

/** The options of the stored analysis: the defaults, with the session's own telemetry. */
export const STORED_ANALYSIS_OPTIONS: AnalysisOptions = { telemetry: true, dependence: { seed: 1 } };

/**
 * Analyses the session and writes `<dir>/analysis.json` atomically (a temp file, then a rename), after
 * validating it. Returns the path and the JSON data written.
 */
export async function analyzeSessionToFile(
  dir: string,
  options: AnalysisOptions = STORED_ANALYSIS_OPTIONS,
): Promise<{ path: string; data: unknown; document: AnalysisDocument }> {
  const document = analysisDocument([await analyzeSession(dir, options)], options);
  const data = analysisJsonData(document);
  assertSchema('analysis', data);
  const path = join(dir, STORED_ANALYSIS);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (e) {
    throw new OeError('IO', `cannot write ${path}: ${errorMessage(e)}`);
  }
  return { path, data, document };
}

/**
 * The stored analysis as JSON data, or null when there is none, when it does not match the schema, or
 * when it is older than the session's manifest (the session changed since: repaired, compacted).
 */
export function readStoredAnalysis(dir: string): unknown | null {
  const path = join(dir, STORED_ANALYSIS);
  if (!existsSync(path)) return null;
  try {
    if (statSync(path).mtimeMs < statSync(join(dir, 'session.json')).mtimeMs) return null;
    const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
    return schemaViolations('analysis', data) === null ? data : null;
  } catch {
    return null;
  }
}
