/**
 * Step 1 of a recording: the options, their defaults and checks, and the availability probes. The
 * result, a `RecordPlan`, is everything the other steps need, already validated.
 */
import { availableParallelism } from 'node:os';
import { nativeScanBuilt } from '../../db/index.js';
import { OeError, optionError } from '../../errors.js';
import { probeSource } from '../availability.js';
import { selectSources } from '../catalog.js';
import { type Conditioning, parseConditioning } from '../conditioning/index.js';
import type { Sampler } from '../sampler.js';
import { DEFAULT_SESSIONS_DIR, isSafeSourceName } from '../session/layout.js';
import type { RecordConfig } from '../session/manifest.js';
import type { SourceSpec } from '../types.js';
import type { RecorderEvents } from './events.js';
import { DEFAULT_CALIBRATION_SEC, MIN_FREE_BYTES, type SizeEstimate } from './size.js';

/**
 * Default per-source cap, samples per second. 20 000/s gives every source 1.2 M samples in a 60 s
 * session (SP 800-90B §3.1.1 asks for at least 1 M samples for an assessment) while keeping the
 * session small: see README "Recording sessions" for the measured size.
 */
export const DEFAULT_MAX_RATE = 20_000;
/** Bytes per entropy-pool request when --conditioning is on. */
export const CONDITIONED_REQUEST = 4096;
export const DEFAULT_FLUSH_INTERVAL_MS = 1000;
export const DEFAULT_TELEMETRY_INTERVAL_MS = 1000;
export const DEFAULT_BATCH_TIMEOUT_MS = 5000;
/**
 * Parts written at once per flush. Two (the cores here) cut the wall time of a flush, and so the final
 * flush after the last sample, by about a third (bench/recorder.bench.ts); the CPU it takes is the same.
 */
export const DEFAULT_WRITE_CONCURRENCY = 2;
/** zstd level of the parts (DuckDB's default 3): see bench/recorder.bench.ts for the measurement. */
export const DEFAULT_COMPRESSION_LEVEL = 3;
/** Flush parts are merged into one file about once a minute (docs/SESSIONS.md, "Layout and merge rule"). */
export const DEFAULT_MERGE_INTERVAL_MS = 60_000;
/**
 * DuckDB's freed memory is kept for this many merge intervals (configureDb's keepFreedMemoryMs), so that
 * each merge pass reuses most of the last one's instead of faulting it in again.
 */
export const KEEP_FREED_MEMORY_PASSES = 5;
/** Merged files are combined up to this many rows: about one file per source per 10 M rows. */
export const DEFAULT_MERGE_MAX_ROWS = 10_000_000;
/**
 * Sampled data held in memory, buffered or being written, before sampling waits for the writer (bytes):
 * about six flushes of every fast source uncapped. A writer that falls behind (a slow disk, a loaded
 * machine starving the low-priority writer process) slows the sampling; recorded data is never dropped.
 */
export const DEFAULT_MAX_BUFFERED_BYTES = 256 * 1024 * 1024;
/**
 * How much lower the Parquet writing's scheduling priority is than the recorder's (nice levels, capped
 * at 19): the samplers preempt it whenever they are ready to run (bench/recorder.bench.ts).
 */
export const WRITER_NICE_DELTA = 10;
/** Sampler time one batch should take; equal slices make the shared pool fair between sources. */
export const BATCH_TARGET_MS = 20;
/** First batch of every source: small, so that a slow source learns its size before hitting a deadline. */
export const INITIAL_BATCH = 8;

export interface RecordOptions {
  /** A `--sources` filter (absent: the fast set) or explicit specs. */
  sources?: string | readonly SourceSpec[];
  /** Seconds to record; null/undefined records until `signal` aborts (or max-samples is reached everywhere). */
  durationSec?: number | null;
  /** Root directory of sessions (default `sessions`). */
  output?: string;
  tags?: Record<string, string>;
  note?: string | null;
  /** Pause between two batches of the same source, ms (default none: continuous). */
  intervalMs?: number | null;
  flushIntervalMs?: number;
  /** 0 turns the telemetry series off. */
  telemetryIntervalMs?: number;
  /**
   * Also record the entropy pool's output in this mode (sha256, vonneumann, raw) into conditioned/: an
   * EntropyPool over the same sources and sampler is asked for CONDITIONED_REQUEST bytes back to back
   * while the session runs. The pool samples the sources itself (its own health-tested harvest), so it
   * shares the workers with the raw recording.
   */
  conditioning?: string | null;
  /** Per-source sample limit. */
  maxSamples?: number | null;
  /** Per-source samples/s cap; null = DEFAULT_MAX_RATE, Infinity (or 0 from the CLI) = uncapped. */
  maxRate?: number | null;
  batchTimeoutMs?: number;
  signal?: AbortSignal;
  /** Sampler (default: the process-wide shared SamplerPool, which the recorder does not close). */
  sampler?: Sampler;
  /** Batches in flight at once (default max(2, CPUs), the pool's thread count). */
  concurrency?: number;
  /** Explicit session id (tests); default `<time>-<label>-<random>`. */
  id?: string;
  /** Skip availability probes (explicit test specs). */
  skipProbe?: boolean;
  /**
   * Sources that must run (an unavailable one is an error). Others that are unavailable here are left
   * out and listed in the manifest's `skipped_sources`. Default: every selected source is required.
   */
  required?: readonly string[];
  /**
   * false: sample, buffer and count exactly as when recording, but drop the data at each flush instead of
   * writing Parquet (the baseline of the recorder-overhead benchmark). Default true.
   */
  writeParts?: boolean;
  /** The `--sources` text, stored in the config. */
  sourcesFilter?: string | null;
  /** Parts written at once during a flush (default DEFAULT_WRITE_CONCURRENCY). */
  writeConcurrency?: number;
  /**
   * Write and merge the parts in a separate writer process at a lower scheduling priority. Default: false
   * when this build has the Parquet writer's native scan (the parts are then encoded and fsynced in this
   * process on threads `writerNice` levels lower, with no copy to another process: the cheaper of the
   * two, bench/recorder.bench.ts), true otherwise (the JavaScript scan would run at full priority here).
   */
  writerProcess?: boolean;
  /**
   * Nice levels the writing runs below this process: the writer process, or the in-process writer's
   * encoding threads (default WRITER_NICE_DELTA; 0 the same priority).
   */
  writerNice?: number;
  /** Bytes of sampled data buffered or in flight to the writer before sampling waits (DEFAULT_MAX_BUFFERED_BYTES). */
  maxBufferedBytes?: number;
  /** zstd level of every part (default DEFAULT_COMPRESSION_LEVEL; bench/recorder.bench.ts compares levels). */
  compressionLevel?: number;
  /**
   * 'adaptive' (default): a source whose parts do not compress (a random number generator's output) is
   * written without zstd or dictionaries, re-checked once every PROBE_EVERY parts (encoding.ts);
   * 'compressed': every part with zstd (the benchmark's comparison).
   */
  partEncoding?: 'adaptive' | 'compressed';
  /**
   * How often flush parts are merged into larger files, ms (default DEFAULT_MERGE_INTERVAL_MS, one
   * minute). 0 turns merging off: one file per source per flush, the layout before merging existed.
   */
  mergeIntervalMs?: number;
  /** Rows up to which merged files are combined (default DEFAULT_MERGE_MAX_ROWS, 10 M). */
  mergeMaxRows?: number;
  /**
   * End the recording cleanly when its files would pass this many bytes with the next flush (end
   * reason `max-size`). Default: no limit (a recording always ends before its disk keeps less than
   * MIN_FREE_BYTES free, end reason `disk-space`).
   */
  maxSizeBytes?: number | null;
  /** Free space the recording leaves on its disk: it ends cleanly before (default MIN_FREE_BYTES, 256 MiB). */
  minFreeBytes?: number;
  /**
   * Measure the rate and bytes per sample over the recording's first `calibrationSec` seconds (default
   * DEFAULT_CALIBRATION_SEC, 4; the rate over the second half of them), then report the expected size
   * and the free space through `onEstimate`; a session that cannot fit is stopped right there (end
   * reason `space-check`, status failed, OeError IO) unless `allowOverflow`. Nothing is recorded twice:
   * the measured seconds are the session's own. Absent: no estimate (library default; `oe record` asks
   * for it).
   */
  sizeCheck?: { calibrationSec?: number; allowOverflow?: boolean };
  onEstimate?: (e: SizeEstimate) => void;
  /** Observers of every batch, flush and merge (counters, metrics); called synchronously, must not throw. */
  events?: RecorderEvents;
}

/** The validated options of one recording. */
export interface RecordPlan {
  specs: SourceSpec[];
  /** Selected sources that cannot run here, left out (only those not required). */
  skipped: { name: string; reason: string }[];
  durationSec: number | null;
  flushMs: number;
  /** 0: no telemetry. */
  telemetryMs: number;
  batchTimeoutMs: number;
  /** Infinity: uncapped. */
  maxRate: number;
  maxSamples: number | null;
  intervalMs: number | null;
  conditioning: Conditioning | null;
  /** Root directory of sessions. */
  root: string;
  /** Batches in flight at once. */
  slots: number;
  writeConcurrency: number;
  compressionLevel: number;
  partEncoding: 'adaptive' | 'compressed';
  writeParts: boolean;
  writerProcess: boolean;
  writerNice: number;
  maxBufferedBytes: number;
  /** 0: no merging. */
  mergeIntervalMs: number;
  mergeMaxRows: number;
  /** null: no limit. */
  maxSizeBytes: number | null;
  minFreeBytes: number;
  /** null: no size check. */
  sizeCheck: { calibrationSec: number; allowOverflow: boolean } | null;
  config: RecordConfig;
}

function positiveOr(v: number | null | undefined, dflt: number, name: string): number {
  if (v === undefined || v === null) return dflt;
  if (!Number.isFinite(v) || v <= 0) throw optionError(name, `must be a positive number, got ${v}`);
  return v;
}

/**
 * The sources to record: the selection, without those that cannot run here unless they are required
 * (an unavailable required source is UNAVAILABLE before anything is written).
 */
function selectAndProbe(options: RecordOptions): { specs: SourceSpec[]; skipped: RecordPlan['skipped'] } {
  const specs =
    typeof options.sources === 'string' || options.sources === undefined
      ? selectSources(options.sources)
      : [...options.sources];
  if (specs.length === 0) throw new OeError('USAGE', 'no sources selected');
  for (const s of specs) {
    if (!isSafeSourceName(s.name)) throw new OeError('USAGE', `source name "${s.name}" cannot be a directory name`);
  }
  const skipped: RecordPlan['skipped'] = [];
  if (options.skipProbe) return { specs, skipped };
  const bad = specs.map((s) => [s, probeSource(s)] as const).filter(([, r]) => r !== null);
  const mustHave = new Set(options.required ?? specs.map((s) => s.name));
  const fatalBad = bad.filter(([s]) => mustHave.has(s.name));
  if (fatalBad.length > 0) {
    throw new OeError('UNAVAILABLE', `unavailable here: ${fatalBad.map(([s, r]) => `${s.name} (${r})`).join('; ')}`);
  }
  for (const [s, r] of bad) {
    skipped.push({ name: s.name, reason: r as string });
    specs.splice(specs.indexOf(s), 1);
  }
  if (specs.length === 0) {
    throw new OeError(
      'UNAVAILABLE',
      `none of the selected sources can run here: ${skipped.map((x) => `${x.name} (${x.reason})`).join('; ')}`,
    );
  }
  return { specs, skipped };
}

/** Checks every option and fills in the defaults; USAGE errors name the option (OeError.option). */
export function planRecording(options: RecordOptions): RecordPlan {
  const { specs, skipped } = selectAndProbe(options);
  const durationSec = options.durationSec ?? null;
  if (durationSec !== null && (!Number.isFinite(durationSec) || durationSec <= 0)) {
    throw optionError('durationSec', `must be a positive number of seconds, got ${durationSec}`);
  }
  const flushMs = positiveOr(options.flushIntervalMs, DEFAULT_FLUSH_INTERVAL_MS, 'flushIntervalMs');
  const telemetryMs = options.telemetryIntervalMs ?? DEFAULT_TELEMETRY_INTERVAL_MS;
  if (!Number.isFinite(telemetryMs) || telemetryMs < 0) {
    throw optionError('telemetryIntervalMs', `must be >= 0, got ${telemetryMs}`);
  }
  const batchTimeoutMs = positiveOr(options.batchTimeoutMs, DEFAULT_BATCH_TIMEOUT_MS, 'batchTimeoutMs');
  const maxRate = options.maxRate === undefined || options.maxRate === null ? DEFAULT_MAX_RATE : options.maxRate;
  if (
    options.partEncoding !== undefined &&
    options.partEncoding !== 'adaptive' &&
    options.partEncoding !== 'compressed'
  ) {
    throw optionError('partEncoding', `must be 'adaptive' or 'compressed', got ${String(options.partEncoding)}`);
  }
  if (!(maxRate > 0)) throw optionError('maxRate', `must be positive (Infinity: uncapped), got ${maxRate}`);
  const maxSamples = options.maxSamples ?? null;
  if (maxSamples !== null && (!Number.isInteger(maxSamples) || maxSamples <= 0)) {
    throw optionError('maxSamples', `must be a positive integer, got ${maxSamples}`);
  }
  const intervalMs = options.intervalMs ?? null;
  if (intervalMs !== null && (!Number.isFinite(intervalMs) || intervalMs < 0)) {
    throw optionError('intervalMs', `must be >= 0 ms, got ${intervalMs}`);
  }
  const mergeIntervalMs = options.mergeIntervalMs ?? DEFAULT_MERGE_INTERVAL_MS;
  if (!Number.isFinite(mergeIntervalMs) || mergeIntervalMs < 0) {
    throw optionError('mergeIntervalMs', `must be >= 0 (0: no merging), got ${mergeIntervalMs}`);
  }
  const mergeMaxRows = positiveOr(options.mergeMaxRows, DEFAULT_MERGE_MAX_ROWS, 'mergeMaxRows');
  const maxSizeBytes = options.maxSizeBytes ?? null;
  if (maxSizeBytes !== null && (!Number.isInteger(maxSizeBytes) || maxSizeBytes <= 0)) {
    throw optionError('maxSizeBytes', `must be a positive integer, got ${maxSizeBytes}`);
  }
  const sizeCheck = options.sizeCheck
    ? {
        calibrationSec: positiveOr(options.sizeCheck.calibrationSec, DEFAULT_CALIBRATION_SEC, 'calibrationSec'),
        allowOverflow: options.sizeCheck.allowOverflow === true,
      }
    : null;
  const conditioning = options.conditioning ? parseConditioning(options.conditioning) : null;
  const root = options.output ?? DEFAULT_SESSIONS_DIR;
  const config: RecordConfig = {
    duration_s: durationSec,
    sources: specs.map((s) => s.name),
    sources_filter: options.sourcesFilter ?? (typeof options.sources === 'string' ? options.sources : null),
    interval_ms: intervalMs,
    flush_interval_ms: flushMs,
    telemetry_interval_ms: telemetryMs,
    conditioning,
    max_samples: maxSamples,
    max_rate: Number.isFinite(maxRate) ? maxRate : null,
    batch_timeout_ms: batchTimeoutMs,
    tags: { ...(options.tags ?? {}) },
    note: options.note ?? null,
    output: root,
    merge_interval_ms: mergeIntervalMs > 0 ? mergeIntervalMs : null,
    merge_max_rows: mergeMaxRows,
    max_size_bytes: maxSizeBytes,
  };
  return {
    specs,
    skipped,
    durationSec,
    flushMs,
    telemetryMs,
    batchTimeoutMs,
    maxRate,
    maxSamples,
    intervalMs,
    conditioning,
    root,
    slots: Math.max(1, options.concurrency ?? Math.max(2, availableParallelism())),
    writeConcurrency: Math.max(1, Math.trunc(options.writeConcurrency ?? DEFAULT_WRITE_CONCURRENCY)),
    compressionLevel: options.compressionLevel ?? DEFAULT_COMPRESSION_LEVEL,
    partEncoding: options.partEncoding ?? 'adaptive',
    writeParts: options.writeParts !== false,
    writerProcess: options.writerProcess ?? !nativeScanBuilt(),
    writerNice: Math.max(0, Math.min(39, Math.trunc(options.writerNice ?? WRITER_NICE_DELTA))),
    maxBufferedBytes: positiveOr(options.maxBufferedBytes, DEFAULT_MAX_BUFFERED_BYTES, 'maxBufferedBytes'),
    mergeIntervalMs,
    mergeMaxRows,
    maxSizeBytes,
    minFreeBytes: options.minFreeBytes ?? MIN_FREE_BYTES,
    sizeCheck,
    config,
  };
}
