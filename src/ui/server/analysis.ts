/**
 * A session's analysis for the Session page: exactly what `oe sessions <id> --analyze --telemetry
 * [--quantum-ratio] --json` prints, computed and kept beside the session (`<session>/analysis.json`) by the
 * stored-analysis job that `oe record --analyze` uses too (src/jobs/stored-analysis.ts), so the page opens at
 * once the next time; readStoredAnalysis there decides whether the stored file still describes the session.
 */
import type { AnalysisStep } from '../../analyze/source-analysis.js';
import { analyzeSessionToFile, STORED_ANALYSIS_OPTIONS } from '../../jobs/stored-analysis.js';
import type { Report } from './jobs.js';

export interface UiAnalysisOptions {
  /** Add the EXPERIMENTAL quantum_proxy_v3 (`--quantum-ratio`). */
  quantum: boolean;
  /** `--entropy`: `window` (the CLI's default: the non-IID suite on a stated window), `mcv` or `full`. */
  entropy: 'mcv' | 'window' | 'full';
}

export const DEFAULT_UI_ANALYSIS: UiAnalysisOptions = { quantum: true, entropy: 'window' };

/**
 * Fraction done after a step of the analysis. Weights from the 34-source, 20-s session on this 2-core
 * machine at load ~40 (default options, --entropy window, quantum proxy): the sources took 95 s (2.8 s
 * each), the dependence 33 s, the quantum proxy 150 s; so each source counts 1, the dependence n/3 and the
 * quantum proxy 1.5n.
 */
function progressOf(sources: number, quantum: boolean): (step: AnalysisStep) => number {
  const n = Math.max(1, sources);
  const dep = Math.max(1, n / 3);
  const total = n + dep + (quantum ? Math.max(1, 1.5 * n) : 0);
  return (step) => {
    switch (step.phase) {
      case 'source':
        return step.index / total;
      case 'dependence':
        return n / total;
      case 'quantum':
        return (n + dep) / total;
      case 'written':
        return 1;
    }
  };
}

/**
 * Analyses session `dir` as the CLI does and writes `<dir>/analysis.json` (analyzeSessionToFile: validated,
 * written atomically; a session still being recorded is refused). Progress: the fraction from the steps
 * (progress as data), the message the analysis's latest progress line.
 */
export async function analyzeAndStore(
  dir: string,
  opts: UiAnalysisOptions,
  sources: number,
  report: Report,
): Promise<void> {
  const fraction = progressOf(sources, opts.quantum);
  let done = 0;
  let message = 'started';
  await analyzeSessionToFile(dir, {
    ...STORED_ANALYSIS_OPTIONS,
    entropy: opts.entropy,
    quantum: opts.quantum,
    onProgress: (m) => {
      message = m;
      report(message, done);
    },
    onStep: (step) => {
      done = fraction(step);
      report(message, done);
    },
  });
}
