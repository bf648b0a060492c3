/**
 * Finishing a recording: stop the timers, take a last telemetry snapshot, flush what is buffered, merge
 * the parts into their final files and rewrite session.json as `complete` (or `failed` after a write
 * error, keeping every flushed part).
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { OeError } from '../../errors.js';
import { MANIFEST } from '../session/layout.js';
import { type SessionManifest, writeManifest } from '../session/manifest.js';
import type { PartMerger } from './merger.js';
import type { PartWriter } from './part-writer.js';
import type { ManifestParts, SessionFolder } from './session-folder.js';
import type { RecordingStop } from './stop.js';
import type { FlushTimer, ProgressTicker, RecordProgress, TelemetryTimer } from './timers.js';

export interface RecordResult {
  dir: string;
  manifest: SessionManifest;
}

export interface FinishSteps {
  folder: SessionFolder;
  parts: ManifestParts;
  stop: RecordingStop;
  flush: FlushTimer;
  writer: PartWriter;
  /** null: merging is off. */
  merger: PartMerger | null;
  telemetry: TelemetryTimer | null;
  ticker: ProgressTicker;
  /** performance.now() when sampling started. */
  t0: number;
  /** The end reason when nothing else ended the recording. */
  fallbackReason: string;
  progress: (phase: RecordProgress['phase']) => RecordProgress;
  onProgress?: (p: RecordProgress) => void;
}

/**
 * Ends the recording once every loop has returned. Throws the fatal write error or the size check's
 * refusal (if any) after the manifest says `failed`, naming the session and the samples that are intact.
 */
export async function finishRecording(s: FinishSteps): Promise<RecordResult> {
  s.stop.dispose(s.fallbackReason);
  s.telemetry?.stop();
  s.flush.cancel();
  s.ticker.stop();
  if (s.telemetry && !s.stop.fatal) s.telemetry.take();
  await s.flush.flush();
  // The recording ends with its last flush; merging is storage housekeeping after it.
  const ended = new Date();
  const durationMs = Math.round(performance.now() - s.t0);
  await s.merger?.finish();
  for (const e of await s.writer.fillChecksums()) s.stop.fail(e);

  const final = s.folder.manifest(s.parts);
  const fatal = s.stop.fatal ?? s.stop.refusal;
  final.status = fatal ? 'failed' : 'complete';
  final.ended_at = ended.toISOString();
  final.duration_ms = durationMs;
  final.end_reason = s.stop.reason;
  final.error = fatal ? fatal.message : null;
  try {
    writeManifest(s.folder.dir, final);
  } catch (e) {
    // A full disk may refuse the final manifest too; the parts are intact and --repair can finish it.
    s.stop.fail(e);
  }
  s.onProgress?.({ ...s.progress('done'), bytesOnDisk: dirBytes(s.folder.dir, final) });
  const f = s.stop.fatal ?? s.stop.refusal;
  if (f) {
    throw new OeError(
      f.code,
      `${f.message}; session ${s.folder.id} ended early, ${final.total_samples} samples flushed intact in ${s.folder.dir}`,
      { cause: f },
    );
  }
  return { dir: s.folder.dir, manifest: final };
}

/** Bytes of the session's parts and its manifest. */
function dirBytes(dir: string, m: SessionManifest): number {
  let n = m.size_bytes;
  try {
    n += statSync(join(dir, MANIFEST)).size;
  } catch {
    // manifest missing: counted as 0
  }
  return n;
}
