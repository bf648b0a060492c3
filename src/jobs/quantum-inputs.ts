/**
 * The quantum-inputs job: quantum_proxy_v3 (EXPERIMENTAL) for `oe analyze --quantum-ratio` and `oe sessions <id> --analyze
 * --quantum-ratio`: builds the model's inputs from per-source byte streams (H∞ = SP 800-90B §6.3.1 MCV of
 * the whole stream, as openentropy; quality, coupling, window stress and uncertainty from the first
 * `maxBytes` bytes, so that the pairwise cost stays bounded) and, for a session, the telemetry window
 * from its recorded telemetry_v1 series.
 */
import { readFileSync } from 'node:fs';
import { parseCalibration } from '../analyze/quantum/calibration-file.js';
import { QUANTUM_MODEL_ID, QUANTUM_MODEL_VERSION } from '../analyze/quantum/config.js';
import { type ConfoundWindow, telemetryWindowFromSeries } from '../analyze/quantum/confound.js';
import type { PriorCalibration } from '../analyze/quantum/prior.js';
import { type QuantumReport, type QuantumSourceInput, quantumProxyV3Parallel } from '../analyze/quantum/proxy.js';
import { mostCommonValue, mostCommonValueOfCounts } from '../analyze/sp800-90b/most-common-value.js';
import { getSource } from '../collect/catalog.js';
import { openSession, readTelemetry, streamSourceSamples } from '../collect/session/reader.js';
import { errorMessage, OeError } from '../errors.js';

/** Reads `--quantum-calibration FILE` (schemas/quantum-calibration.schema.json). */
export function readCalibrationFile(path: string): PriorCalibration {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new OeError(code === 'ENOENT' ? 'NOT_FOUND' : 'IO', `cannot read calibration ${path}: ${errorMessage(e)}`);
  }
  return parseCalibration(text, path);
}

/** Bytes per source fed to the pairwise and windowed parts (bounds the pairwise cost). */
export const QUANTUM_ANALYSIS_BYTES = 65536;

export interface QuantumSection {
  model_id: string;
  model_version: number;
  experimental: true;
  /** Bytes per source used for quality, coupling and windows (H∞ uses the whole stream). */
  sample_bytes: number;
  calibration_source: string;
  stress_mode: 'windows';
  telemetry: 'session' | 'live' | 'none';
  report: QuantumReport;
}

export interface QuantumAnalysisOptions {
  seed?: number;
  /** Path of a calibration file (schemas/quantum-calibration.schema.json). */
  calibrationFile?: string;
  calibration?: PriorCalibration;
  maxBytes?: number;
}

function category(name: string): { category: string; kind?: 'physical' | 'counter' | 'reference' } {
  try {
    const s = getSource(name);
    return { category: s.category, kind: s.kind };
  } catch {
    return { category: 'unknown' };
  }
}

/** The model over in-memory streams (live analysis), with an optional telemetry window around them. */
export async function quantumForSources(
  sources: readonly { name: string; bytes: Uint8Array; minEntropyBits?: number }[],
  telemetry: ConfoundWindow | undefined,
  options: QuantumAnalysisOptions = {},
  telemetrySource: 'session' | 'live' = 'live',
): Promise<QuantumSection> {
  const maxBytes = options.maxBytes ?? QUANTUM_ANALYSIS_BYTES;
  const calibration =
    options.calibration ?? (options.calibrationFile ? readCalibrationFile(options.calibrationFile) : undefined);
  const inputs: QuantumSourceInput[] = sources
    .filter((s) => s.bytes.length >= 2)
    .map((s) => ({
      name: s.name,
      ...category(s.name),
      minEntropyBits: s.minEntropyBits ?? mostCommonValue(s.bytes).hMin,
      bytes: s.bytes.subarray(0, maxBytes),
    }));
  const report = await quantumProxyV3Parallel(inputs, {
    config: { seed: options.seed ?? 1 },
    calibration,
    calibrationSource: options.calibrationFile ?? 'default_seeded',
    telemetry,
  });
  return {
    model_id: QUANTUM_MODEL_ID,
    model_version: QUANTUM_MODEL_VERSION,
    experimental: true,
    sample_bytes: maxBytes,
    calibration_source: report.calibration.source,
    stress_mode: 'windows',
    telemetry: telemetry ? telemetrySource : 'none',
    report,
  };
}

/**
 * The model over a recorded session: every source's bytes, and the confound from the first and last
 * value of each recorded telemetry_v1 metric (the recording's own telemetry, not this host's now).
 */
export async function quantumForSession(dir: string, options: QuantumAnalysisOptions = {}): Promise<QuantumSection> {
  const { manifest } = openSession(dir);
  const names = manifest.sources.map((s) => s.name).sort();
  const maxBytes = options.maxBytes ?? QUANTUM_ANALYSIS_BYTES;
  const data: { name: string; bytes: Uint8Array; minEntropyBits?: number }[] = [];
  for (const name of names) {
    // Streamed: the byte counts of the whole stream (for H∞) and its first maxBytes bytes.
    const counts = new Float64Array(256);
    const head = new Uint8Array(maxBytes);
    let n = 0;
    for await (const c of streamSourceSamples(dir, name, { columns: ['byte'], manifest })) {
      const b = c.columns.byte as Uint8Array;
      for (let i = 0; i < b.length; i++) counts[b[i]]++;
      if (n < maxBytes) head.set(b.subarray(0, maxBytes - n), n);
      n += b.length;
    }
    const bytes = head.subarray(0, Math.min(n, maxBytes));
    data.push({ name, bytes, ...(n >= 2 ? { minEntropyBits: mostCommonValueOfCounts(counts, n).hMin } : {}) });
  }
  const t = await readTelemetry(dir);
  let window: ConfoundWindow | undefined;
  if (t.rowCount > 0) {
    const c = t.columns as {
      t: BigInt64Array;
      domain: string[];
      name: string[];
      unit: string[];
      source: string[];
      value: Float64Array;
    };
    const rows = Array.from({ length: t.rowCount }, (_, i) => ({
      t: Number(c.t[i]) / 1000, // µs → ms
      domain: c.domain[i],
      name: c.name[i],
      unit: c.unit[i],
      source: c.source[i],
      value: c.value[i],
    }));
    window = telemetryWindowFromSeries(rows, manifest.fingerprint?.machine?.cores);
  }
  return quantumForSources(data, window, options, 'session');
}
