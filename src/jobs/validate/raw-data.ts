/**
 * The raw data of a validation: the source's speed is measured first (a source too slow for the
 * time limit is refused with the estimate), an optional calibration stretch picks the kept bit
 * positions, then `samples` consecutive measurements are recorded as an ordinary session (the
 * recorder, uncapped rate, one batch of the source at a time) and read back for the NIST file.
 */
import { join } from 'node:path';
import {
  type BitStatistic,
  bitPositions,
  bitStatistics,
  chooseVariableBits,
  lowBits,
} from '../../analyze/sp800-90b/sample-mapping.js';
import { recordSession } from '../../collect/recorder/index.js';
import { readSourceSamples } from '../../collect/session/reader.js';
import type { SourceSpec } from '../../collect/types.js';
import { OeError } from '../../errors.js';
import { sampleLive } from '../live-sampling.js';
import { CALIBRATION_SAMPLES, type ValidatePlan } from './options.js';

/** The mapping from a raw measurement to one sample of the NIST files, as the package records it. */
export type SampleMappingRecord =
  | { kind: 'extract'; bits: 8; function: string; description: string }
  | { kind: 'low-bits'; bits: number; description: string }
  | {
      kind: 'bit-positions';
      bits: number;
      positions: number[];
      description: string;
      calibration: { samples: number; bits: BitStatistic[] };
    };

const EXTRACTIONS: Record<string, string> = {
  lowByte: 'the low 8 bits of each measurement (value mod 256), the source\u2019s own extraction',
  xorFold: 'the XOR of the eight bytes of each measurement, the source\u2019s own extraction',
  deltaLowByte: 'the low byte of the difference of consecutive measurements, the source\u2019s own extraction',
};

/** The mapping as a function, applied alike to the raw data and to every restart. */
export function mapper(spec: SourceSpec, m: SampleMappingRecord): (values: BigInt64Array) => Uint8Array {
  if (m.kind === 'extract') return (v) => spec.extract(v);
  if (m.kind === 'low-bits') return (v) => lowBits(v, m.bits);
  return (v) => bitPositions(v, m.positions);
}

export interface RawData {
  mapping: SampleMappingRecord;
  /** The recorded session (under the package's sessions/ folder). */
  sessionId: string;
  sessionDir: string;
  values: BigInt64Array;
  samples: Uint8Array;
  unit: string;
  /** Measured before recording: samples per second of sampler time. */
  rate: number;
  recordSeconds: number;
}

/** Samples one batch to measure the source's speed; refuses a source that cannot deliver in time. */
async function checkSpeed(plan: ValidatePlan): Promise<number> {
  const n = Math.max(64, Math.min(plan.spec.batchSize, 20_000));
  const [s] = await sampleLive([plan.spec], n, {
    batch: 'whole',
    timeoutMs: Math.max(5000, plan.maxRawSeconds * 1000),
  });
  if (!s.ok) throw new OeError(s.unavailable ? 'UNAVAILABLE' : 'FAILED', `source ${plan.spec.name}: ${s.reason}`);
  const seconds = Math.max(1e-6, Number(s.busyNs) / 1e9);
  const rate = s.values.length / seconds;
  const need = plan.samples / rate;
  if (need > plan.maxRawSeconds)
    throw new OeError(
      'TIMEOUT',
      `source ${plan.spec.name} gives about ${Math.round(rate)} samples/s here: ${plan.samples} samples would take about ` +
        `${formatSeconds(need)}, over the limit of ${formatSeconds(plan.maxRawSeconds)} (raise it with --max-time)`,
    );
  return rate;
}

function formatSeconds(s: number): string {
  if (s < 120) return `${Math.round(s)} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

/** The mapping the plan asks for; `variable` samples its own calibration stretch first. */
async function chooseMapping(plan: ValidatePlan): Promise<SampleMappingRecord> {
  if (plan.bits === null) {
    const fn = plan.spec.extract.name || 'extract';
    return {
      kind: 'extract',
      bits: 8,
      function: fn,
      description: EXTRACTIONS[fn] ?? `the source's own extraction (${fn})`,
    };
  }
  if (plan.reduce === 'low')
    return {
      kind: 'low-bits',
      bits: plan.bits,
      description: `the ${plan.bits} least significant bits of each measurement (value mod 2^${plan.bits})`,
    };
  const [s] = await sampleLive([plan.spec], CALIBRATION_SAMPLES, { timeoutMs: 60_000 });
  if (!s.ok) throw new OeError('FAILED', `source ${plan.spec.name}: calibration stretch: ${s.reason}`);
  const positions = chooseVariableBits(s.values, plan.bits);
  return {
    kind: 'bit-positions',
    bits: plan.bits,
    positions,
    description:
      `bits ${positions.join(', ')} of each measurement, packed with bit ${positions[0]} most significant: the ` +
      `${plan.bits} positions with the largest per-bit min-entropy on a separate calibration stretch of ` +
      `${CALIBRATION_SAMPLES} samples (not part of the raw data)`,
    calibration: { samples: s.values.length, bits: bitStatistics(s.values) },
  };
}

/** Measures, calibrates and records; returns the raw measurements, their mapped samples and the session. */
export async function collectRawData(plan: ValidatePlan, onPhase?: (what: string) => void): Promise<RawData> {
  onPhase?.('measuring the source\u2019s speed');
  const rate = await checkSpeed(plan);
  const mapping = await chooseMapping(plan);
  onPhase?.(`recording ${plan.samples} samples`);
  const t0 = performance.now();
  const rec = await recordSession({
    sources: [plan.spec],
    output: join(plan.dir, 'sessions'),
    maxSamples: plan.samples,
    maxRate: Number.POSITIVE_INFINITY,
    durationSec: plan.maxRawSeconds,
    required: [plan.spec.name],
    skipProbe: true,
    tags: { purpose: 'oe validate' },
    note: `raw data of the validation package ${plan.dir}`,
  });
  const recordSeconds = (performance.now() - t0) / 1000;
  const read = await readSourceSamples(rec.dir, plan.spec.name, { columns: ['value'] });
  const all = read.value ?? new BigInt64Array(0);
  if (all.length < plan.samples)
    throw new OeError(
      'TIMEOUT',
      `source ${plan.spec.name} delivered ${all.length} of ${plan.samples} samples in ${formatSeconds(recordSeconds)} (limit ${formatSeconds(plan.maxRawSeconds)})`,
    );
  const values = all.slice(0, plan.samples);
  const unit = rec.manifest.sources.find((s) => s.name === plan.spec.name)?.unit ?? 'value';
  return {
    mapping,
    sessionId: rec.manifest.id,
    sessionDir: rec.dir,
    values,
    samples: mapper(plan.spec, mapping)(values),
    unit,
    rate,
    recordSeconds,
  };
}
