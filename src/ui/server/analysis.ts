/**
 * A session's analysis for the Session page: exactly what `oe sessions <id> --analyze --telemetry
 * [--quantum-ratio] --json` prints (the same library calls), kept beside the session in
 * `<session>/analysis.json` (where `oe record --analyze` writes it too), so the page opens at once the
 * next time. A stored analysis is used only while it still describes the session (same id, status and
 * duration: a session repaired after it was analysed is analysed again).
 */
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type AnalysisOptions, analysisDocument } from '../../analyze/source-analysis.js';
import { readManifest, type SessionManifest } from '../../collect/session/index.js';
import { assertSchema, schemaValidator } from '../../contracts/schema.js';
import { errorMessage, OeError } from '../../errors.js';
import { quantumForSession } from '../../jobs/quantum-inputs.js';
import { analyzeSession } from '../../jobs/session-analysis.js';
import { analysisJsonData } from '../../report/analysis-json.js';
import { ANALYSIS_FILE } from './folders.js';
import type { Report } from './jobs.js';

export interface UiAnalysisOptions {
  /** Add the EXPERIMENTAL quantum_proxy_v3 (`--quantum-ratio`). */
  quantum: boolean;
  /** `--entropy`: `window` (the CLI's default: the non-IID suite on a stated window), `mcv` or `full`. */
  entropy: 'mcv' | 'window' | 'full';
}

export const DEFAULT_UI_ANALYSIS: UiAnalysisOptions = { quantum: true, entropy: 'window' };

export type StoredAnalysis =
  | { state: 'stored'; analysis: Record<string, unknown> }
  | { state: 'none' | 'stale' | 'invalid'; reason: string };

/** The stored analysis of session `dir`, when present, valid and still describing the session. */
export function readStoredAnalysis(dir: string, manifest: SessionManifest): StoredAnalysis {
  const path = join(dir, ANALYSIS_FILE);
  if (!existsSync(path)) return { state: 'none', reason: 'not analysed yet' };
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return { state: 'invalid', reason: `${ANALYSIS_FILE}: ${errorMessage(e)}` };
  }
  const v = schemaValidator('analysis');
  if (!v(data)) return { state: 'invalid', reason: `${ANALYSIS_FILE} does not match schemas/analysis.schema.json` };
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
    return { state: 'stale', reason: `${ANALYSIS_FILE} describes the session as it was before (${input?.status})` };
  return { state: 'stored', analysis: data as Record<string, unknown> };
}

/**
 * Fraction done, from the analysis's progress messages (`<source>: …`, then dependence, then quantum).
 * Weights from one 20-s session of the 34 fast sources on this 2-core machine under load: the sources and
 * the dependence step took the first minute of 3¾, the pairwise quantum proxy the rest; so each source
 * counts 1, the dependence n/4 and the quantum proxy 3n.
 */
function progressOf(names: string[], quantum: boolean): (message: string) => number | null {
  const n = names.length;
  const dep = Math.max(1, n / 4);
  const steps = n + dep + (quantum ? Math.max(1, 3 * n) : 0);
  return (m) => {
    if (m.startsWith('dependence')) return n / steps;
    if (m.startsWith('quantum')) return (n + dep) / steps;
    const i = names.findIndex((x) => m.startsWith(`${x}:`));
    if (i < 0) return null;
    return (i + (m.endsWith('loading') ? 0 : 0.5)) / steps;
  };
}

/**
 * Analyses session `dir` as the CLI does and writes `<dir>/analysis.json` (validated against
 * schemas/analysis.schema.json, written to a temp file and renamed). Returns the JSON data.
 */
export async function analyzeAndStore(
  dir: string,
  opts: UiAnalysisOptions,
  report: Report,
): Promise<Record<string, unknown>> {
  const manifest = readManifest(dir);
  if (manifest.status === 'recording' && manifest.pid === process.pid)
    throw new OeError('USAGE', `session ${manifest.id} is still being recorded; analyse it when it ends`);
  const names = manifest.sources.map((s) => s.name).sort();
  const fraction = progressOf(names, opts.quantum);
  const options: AnalysisOptions = {
    entropy: opts.entropy,
    telemetry: true,
    dependence: { seed: 1 },
    onProgress: (m) => report(m, fraction(m)),
  };
  const analysis = await analyzeSession(dir, options);
  if (opts.quantum) {
    report('quantum_proxy_v3 (experimental)', fraction('quantum'));
    (analysis.experimental as Record<string, unknown>).quantum_proxy_v3 = await quantumForSession(dir, { seed: 1 });
  }
  const data = analysisJsonData(analysisDocument([analysis], options)) as Record<string, unknown>;
  assertSchema('analysis', data);
  const path = join(dir, ANALYSIS_FILE);
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(data, null, 2)}\n`);
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new OeError('IO', `cannot write ${path}: ${errorMessage(e)}`);
  }
  return data;
}
