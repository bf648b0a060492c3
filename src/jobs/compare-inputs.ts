/** The compare-inputs job: loading `oe compare` inputs: bench reports (JSON files) and recorded sessions (via the session analysis). */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { CompareInput, CompareSource } from '../analyze/compare/compare.js';
import type { Fingerprint } from '../collect/fingerprint.js';
import { DEFAULT_SESSIONS_DIR, openSession, resolveSession } from '../collect/session/index.js';
import { schemaViolations } from '../contracts/schema.js';
import { errorMessage, OeError } from '../errors.js';
import type { BenchReport } from './bench.js';

/** Samples per window when a session is cut into min-entropy replicates (= the standard bench profile's round). */
export const SESSION_WINDOW_SAMPLES = 4096;

export function machineSummary(fp: Fingerprint | null | undefined): string {
  if (!fp) return 'unknown machine';
  const m = fp.machine;
  return `${m.cpu_model ?? 'unknown CPU'}, ${m.cores} cores${m.virtualization?.detected ? `, VM${m.virtualization.vendor ? ` (${m.virtualization.vendor})` : ''}` : ''}, kernel ${m.kernel}, oe ${fp.software?.oe ?? '?'}`;
}

/** A bench report as a compare input: per-round values are the replicates. */
export function benchInput(report: BenchReport, origin: string, label: string): CompareInput {
  const sources: CompareSource[] = report.standard.sources
    .filter((s) => s.available)
    .map((s) => ({
      name: s.name,
      replicates: {
        min_entropy: s.round_min_entropy,
        shannon: s.round_shannon,
        throughput_bps: s.round_throughput_bps,
      },
      assessedMinEntropy: s.min_entropy,
      assessedSamples: s.grade_samples,
      grade: s.grade,
      state: s.state,
    }));
  return {
    label,
    origin,
    kind: 'bench',
    machine: machineSummary(report.fingerprint),
    machineId: report.fingerprint?.machine?.machine_id ?? null,
    replicateSamples: report.settings.samples_per_round,
    sources,
  };
}

/** Reads and validates a bench JSON file. */
export function readBenchFile(path: string): BenchReport {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OeError('NOT_FOUND', `no such file: ${path}`);
    throw new OeError('BAD_INPUT', `${path}: not a readable JSON file (${errorMessage(e)})`);
  }
  const why = schemaViolations('bench', data);
  if (why !== null) {
    throw new OeError('BAD_INPUT', `${path}: not an oe bench report (schemas/bench.schema.json): ${why}`);
  }
  return data as BenchReport;
}

/**
 * A recorded session as a compare input: the session-analysis job (src/jobs/session-analysis.ts) cuts each
 * source into windows of SESSION_WINDOW_SAMPLES samples and gives each window's MCV min-entropy: those are
 * the min-entropy replicates. Shannon entropy is one value for the whole stream and throughput is
 * samples / recording duration, so neither has replicates (shown, not tested).
 */
export async function sessionInput(dir: string, label: string): Promise<CompareInput> {
  const { analyzeSession } = await import('./session-analysis.js');
  const { manifest } = openSession(dir);
  const a = await analyzeSession(dir, {
    entropy: 'mcv',
    dependence: false,
    telemetry: false,
    window: { by: 'count', samples: SESSION_WINDOW_SAMPLES },
  });
  const seconds = (manifest.duration_ms ?? 0) / 1000;
  const sources: CompareSource[] = a.standard.sources
    .filter((s) => !s.unavailable)
    .map((s) => {
      const eot = a.experimental.entropy_over_time.find((e) => e.source === s.name);
      const windows = (eot?.windows ?? []).filter((w) => w.n === SESSION_WINDOW_SAMPLES && w.minEntropy !== null);
      const count = manifest.counts[s.name]?.samples ?? s.samples;
      return {
        name: s.name,
        replicates: {
          min_entropy: windows.map((w) => w.minEntropy as number),
          shannon: s.bytes ? [s.bytes.shannon.bitsPerByte] : [],
          throughput_bps: seconds > 0 ? [count / seconds] : [],
        },
        assessedMinEntropy: null,
        assessedSamples: null,
        grade: null,
        state: manifest.status,
      };
    });
  return {
    label,
    origin: `session ${manifest.id}`,
    kind: 'session',
    machine: machineSummary(manifest.fingerprint),
    machineId: manifest.fingerprint?.machine?.machine_id ?? null,
    replicateSamples: SESSION_WINDOW_SAMPLES,
    sources,
  };
}

/**
 * Resolves one `oe compare` argument: an existing file is a bench report, an existing directory with a
 * session.json is a session, anything else is looked up as a session id under `sessionsDir`.
 */
export async function loadCompareInput(
  ref: string,
  label: string,
  sessionsDir = DEFAULT_SESSIONS_DIR,
): Promise<CompareInput> {
  if (existsSync(ref) && statSync(ref).isFile()) return benchInput(readBenchFile(ref), basename(ref), label);
  if (existsSync(ref) && statSync(ref).isDirectory() && existsSync(join(ref, 'session.json')))
    return sessionInput(ref, label);
  if (ref.endsWith('.json')) throw new OeError('NOT_FOUND', `no such bench file: ${ref}`);
  try {
    return await sessionInput(resolveSession(sessionsDir, ref), label);
  } catch (e) {
    if (e instanceof OeError && e.code === 'NOT_FOUND')
      throw new OeError('NOT_FOUND', `"${ref}" is neither a bench file nor a session (${e.message})`);
    throw e;
  }
}
