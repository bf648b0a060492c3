/**
 * How big a recording will get, and keeping it within bounds: the estimate stated after the first
 * seconds of the recording itself (samples/s × duration × bytes per sample, both measured on the session
 * being written: no separate calibration, nothing recorded twice), the stop of a session that cannot fit
 * in the free space, and the guard that ends a recording cleanly at `--max-size` or when the disk is
 * about to fill.
 */
import { existsSync, statfsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errorMessage, OeError } from '../../errors.js';
import type { RecordPlan } from './options.js';
import type { PartWriter } from './part-writer.js';
import type { SourceRun } from './scheduler.js';
import type { RecordingStop } from './stop.js';

/** Space a recording leaves free on its disk: it ends cleanly before going below (and stops one that cannot fit). */
export const MIN_FREE_BYTES = 256 * 1024 * 1024;
/** Seconds of the recording measured before the estimate is stated (fewer when the session is shorter). */
export const DEFAULT_CALIBRATION_SEC = 4;

export interface SizeEstimate {
  /** Samples per second over all sources, measured over the second half of the measured stretch. */
  samplesPerSec: number;
  /** Bytes on disk per sample (parts and manifest), measured on flush parts: merged files take less. */
  bytesPerSample: number;
  /** Seconds the session is asked to run (null: until stopped). */
  durationSec: number | null;
  /** Expected size of the session (null when it has no end: see bytesPerHour). */
  expectedBytes: number | null;
  bytesPerHour: number;
  /** Bytes the session had written when the estimate was made (part of expectedBytes). */
  writtenBytes: number;
  /** Free space on the disk that holds the sessions folder, for this user, when the estimate was made. */
  freeBytes: number;
  /** The directory whose file system was measured. */
  disk: string;
  /** Space the recording leaves free (minFreeBytes). */
  keepFreeBytes: number;
  /** What is still to be written fits in the free space less keepFreeBytes (always true without an end). */
  fits: boolean;
  /** Seconds of the recording the rate and bytes per sample were measured over. */
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
 * The expected size from the measured rate and bytes per sample: times the duration, bounded by
 * max-samples and max-size when they are set.
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

/** The estimate from what a recording measured so far (pure: the free space is passed in). */
export function sizeEstimate(
  plan: Pick<RecordPlan, 'durationSec' | 'maxSamples' | 'specs' | 'maxSizeBytes' | 'minFreeBytes'>,
  m: { samplesPerSec: number; bytesPerSample: number; writtenBytes: number; calibrationSec: number },
  space: { disk: string; free: number },
): SizeEstimate {
  const expectedBytes = expectedSize(plan, m.samplesPerSec, m.bytesPerSample);
  return {
    ...m,
    durationSec: plan.durationSec,
    expectedBytes,
    bytesPerHour: m.samplesPerSec * 3600 * m.bytesPerSample,
    freeBytes: space.free,
    disk: space.disk,
    keepFreeBytes: plan.minFreeBytes,
    fits: expectedBytes === null || expectedBytes - m.writtenBytes <= space.free - plan.minFreeBytes,
  };
}

/**
 * The size check of a recording (options.sizeCheck), made on the session itself: the rate is measured
 * over the second half of its first `calibrationSec` seconds (the first batches of every source are
 * small while the scheduler sizes them; a session shorter than twice that is measured over its first
 * half), the bytes per sample on the parts flushed by then. At the first flush after that stretch it
 * states the estimate (`onEstimate`) and, when the session cannot fit and `allowOverflow` is not set,
 * stops the recording right there (end reason `space-check`, the session marked failed with the reason).
 */
export class SizeCheck {
  private half: { t: number; sampled: number } | null = null;
  private halfTimer: NodeJS.Timeout | null;
  private done = false;
  private readonly stretchMs: number;

  constructor(
    private readonly plan: RecordPlan,
    private readonly runs: readonly SourceRun[],
    private readonly writer: PartWriter,
    private readonly stop: RecordingStop,
    private readonly options: { calibrationSec: number; allowOverflow: boolean },
    private readonly onEstimate?: (e: SizeEstimate) => void,
    private readonly t0 = performance.now(),
  ) {
    const sec = options.calibrationSec;
    this.stretchMs = 1000 * (plan.durationSec === null ? sec : Math.min(sec, plan.durationSec / 2));
    this.halfTimer = setTimeout(() => {
      this.half = { t: performance.now(), sampled: this.sampled() };
      this.halfTimer = null;
    }, this.stretchMs / 2);
  }

  private sampled(): number {
    return this.runs.reduce((a, r) => a + r.sampled, 0);
  }

  /** After every flush: the first one past the stretch (with samples on disk) makes the estimate. */
  afterFlush(): void {
    if (this.done || !this.half || this.stop.signal.aborted) return;
    const now = performance.now();
    const written = this.runs.reduce((a, r) => a + r.counts.samples, 0);
    if (now - this.t0 < this.stretchMs || written === 0) return;
    this.done = true;
    const e = sizeEstimate(
      this.plan,
      {
        samplesPerSec: (this.sampled() - this.half.sampled) / ((now - this.half.t) / 1000),
        bytesPerSample: this.writer.bytes / written,
        writtenBytes: this.writer.bytes,
        calibrationSec: Math.round(now - this.t0) / 1000,
      },
      freeBytesAt(this.plan.root),
    );
    this.onEstimate?.(e);
    if (!e.fits && !this.options.allowOverflow)
      this.stop.refuse(new OeError('IO', formatSizeRefusal(e)), 'space-check');
  }

  dispose(): void {
    if (this.halfTimer) clearTimeout(this.halfTimer);
    this.halfTimer = null;
  }
}

function gib(bytes: number): string {
  if (bytes >= 2 ** 40) return `${(bytes / 2 ** 40).toFixed(1)} TiB`;
  return bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

/** The one-line reason a session is stopped by the size check. */
export function formatSizeRefusal(e: SizeEstimate): string {
  return (
    `the session would need about ${gib(e.expectedBytes ?? 0)} (${Math.round(e.samplesPerSec)} samples/s × ` +
    `${e.durationSec ?? '?'} s × ${e.bytesPerSample.toFixed(2)} bytes/sample, measured over its first ` +
    `${e.calibrationSec.toFixed(1)} s) but ${gib(e.freeBytes)} is free on ${e.disk} (${gib(e.keepFreeBytes)} kept free): ` +
    `stopped there; record for less time, cap its size (--max-size) or go on anyway (--no-space-check)`
  );
}

/**
 * Ends a recording cleanly at `maxSizeBytes` (end reason `max-size`): after every batch it projects
 * the size the session will have once what is buffered is written — bytes on disk + buffered samples ×
 * bytes per sample — and stops when that reaches the limit, so the last flush lands at or just below
 * it. The bytes per sample are those written so far (parts, batch log and telemetry over the samples
 * in them); before the first flush 9, a raw value and its byte, which no Parquet part of samples exceeds. After every flush it also ends the recording when the disk
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
    const perSample = written > 0 ? bytes / written : 9;
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
