/**
 * How big a recording will get, and keeping it within bounds: the estimate stated at the start
 * (samples/s × duration × bytes per sample, both measured by a short calibration recording on the same
 * disk: 4 s, the rate over its second half), the refusal of a session that cannot fit in the free space, and the guard that ends a recording
 * cleanly at `--max-size` or when the disk is about to fill.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync, statfsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { errorMessage, OeError } from '../../errors.js';
import type { RecordPlan } from './options.js';
import type { PartWriter } from './part-writer.js';
import type { SourceRun } from './scheduler.js';
import type { RecordingStop } from './stop.js';

/** Space a recording leaves free on its disk: it ends cleanly before going below (and refuses to start). */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;
/** Seconds of calibration recording behind the estimate. */
export const DEFAULT_CALIBRATION_SEC = 4;

export interface SizeEstimate {
  /** Samples per second over all sources, measured over the second half of the calibration. */
  samplesPerSec: number;
  /** Bytes on disk per sample (parts and manifest), measured on flush parts: merged files take less. */
  bytesPerSample: number;
  /** Seconds the session is asked to run (null: until stopped). */
  durationSec: number | null;
  /** Expected size of the session (null when it has no end: see bytesPerHour). */
  expectedBytes: number | null;
  bytesPerHour: number;
  /** Free space on the disk that holds the sessions folder, for this user. */
  freeBytes: number;
  /** The directory whose file system was measured. */
  disk: string;
  /** Space the recording leaves free (minFreeBytes). */
  keepFreeBytes: number;
  /** The expected size fits in the free space less keepFreeBytes (always true without an end). */
  fits: boolean;
  calibrationSec: number;
}

/** Free bytes (available to this user) on the file system holding `path` or its nearest existing parent. */
export function freeBytesAt(path: string): { disk: string; free: number } {
  let p = resolve(path);
  while (!existsSync(p) && dirname(p) !== p) p = dirname(p);
  try {
    const s = statfsSync(p);
    return { disk: p, free: Number(s.bavail) * Number(s.bsize) };
  } catch (e) {
    throw new OeError('IO', `cannot read the free space of ${p}: ${errorMessage(e)}`);
  }
}

/**
 * The expected size from a calibration's measurements: the rate and bytes per sample times the
 * duration, bounded by max-samples and max-size when they are set.
 */
export function expectedSize(
  plan: Pick<RecordPlan, 'durationSec' | 'maxSamples' | 'specs'> & { maxSizeBytes: number | null },
  samplesPerSec: number,
  bytesPerSample: number,
): number | null {
  let samples: number | null = plan.durationSec === null ? null : samplesPerSec * plan.durationSec;
  if (plan.maxSamples !== null) {
    const cap = plan.maxSamples * plan.specs.length;
    samples = samples === null ? cap : Math.min(samples, cap);
  }
  let bytes = samples === null ? null : samples * bytesPerSample;
  if (plan.maxSizeBytes !== null) bytes = bytes === null ? plan.maxSizeBytes : Math.min(bytes, plan.maxSizeBytes);
  return bytes;
}

/**
 * Measures a recording of `calibrationSec` seconds made with `record` into a temporary session under
 * the sessions folder (deleted afterwards), and states what the real session will need against the
 * free space there.
 */
export async function estimateSize(
  plan: RecordPlan & { maxSizeBytes: number | null },
  /** Records the calibration: samples and bytes written, and the samples taken in its second half. */
  record: (output: string, durationSec: number) => Promise<{ samples: number; bytes: number; lateSamples: number }>,
  calibrationSec = DEFAULT_CALIBRATION_SEC,
): Promise<SizeEstimate> {
  const tmpRoot = join(plan.root, `.calibration-${randomBytes(4).toString('hex')}`);
  let m: { samples: number; bytes: number; lateSamples: number };
  try {
    m = await record(tmpRoot, calibrationSec);
  } finally {
    rmSync(tmpRoot, { recursive: true, force: true });
  }
  // The first batches of every source are small while the scheduler sizes them: the rate is the second half's.
  const samplesPerSec = m.lateSamples / (calibrationSec / 2);
  const bytesPerSample = m.samples > 0 ? m.bytes / m.samples : 0;
  const expectedBytes = expectedSize(plan, samplesPerSec, bytesPerSample);
  const { disk, free } = freeBytesAt(plan.root);
  return {
    samplesPerSec,
    bytesPerSample,
    durationSec: plan.durationSec,
    expectedBytes,
    bytesPerHour: samplesPerSec * 3600 * bytesPerSample,
    freeBytes: free,
    disk,
    keepFreeBytes: plan.minFreeBytes,
    fits: expectedBytes === null || expectedBytes <= free - plan.minFreeBytes,
    calibrationSec,
  };
}

function gib(bytes: number): string {
  if (bytes >= 2 ** 40) return `${(bytes / 2 ** 40).toFixed(1)} TiB`;
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The one-line reason a session is refused. */
export function formatSizeRefusal(e: SizeEstimate): string {
  return (
    `the session would need about ${gib(e.expectedBytes ?? 0)} (${Math.round(e.samplesPerSec)} samples/s × ` +
    `${e.durationSec ?? '?'} s × ${e.bytesPerSample.toFixed(2)} bytes/sample) but ${gib(e.freeBytes)} is free on ` +
    `${e.disk} (${gib(e.keepFreeBytes)} kept free): record for less time, cap its size, or override the space check`
  );
}

/**
 * Ends a recording cleanly at `maxSizeBytes` (end reason `max-size`): after every batch it projects
 * the size the session will have once what is buffered is written — bytes on disk + buffered samples ×
 * bytes per sample — and stops when that reaches the limit, so the last flush lands at or just below
 * it. The bytes per sample are those written so far (parts, batch log and telemetry over the samples
 * in them); before the first flush, the calibration's (sizeCheck) or else 9, a raw value and its byte,
 * which no Parquet part of samples exceeds. After every flush it also ends the recording when the disk
 * would keep less than `minFreeBytes` free (`disk-space`).
 */
export class SizeGuard {
  private lastBytes = 0;

  constructor(
    private readonly writer: PartWriter,
    private readonly runs: readonly SourceRun[],
    private readonly stop: RecordingStop,
    private readonly root: string,
    private readonly maxSizeBytes: number | null,
    private readonly minFreeBytes = MIN_FREE_BYTES,
    private readonly priorBytesPerSample = 9,
  ) {}

  afterBatch(): void {
    if (this.maxSizeBytes === null || this.stop.signal.aborted) return;
    let sampled = 0;
    let written = 0;
    for (const r of this.runs) {
      sampled += r.sampled;
      written += r.counts.samples;
    }
    const bytes = this.writer.bytes;
    const perSample = written > 0 ? bytes / written : this.priorBytesPerSample;
    if (bytes + (sampled - written) * perSample >= this.maxSizeBytes) this.stop.request('max-size');
  }

  afterFlush(): void {
    const bytes = this.writer.bytes;
    const step = Math.max(0, bytes - this.lastBytes);
    this.lastBytes = bytes;
    try {
      if (freeBytesAt(this.root).free - step < this.minFreeBytes) this.stop.request('disk-space');
    } catch {
      // no free-space figure: the write errors will tell
    }
  }
}
