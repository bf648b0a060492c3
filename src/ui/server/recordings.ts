/**
 * Recordings started from the Live page: `recordSession` (the recorder `oe record` runs) into one of the
 * sessions folders, one at a time, with its progress for the page and a stop action. The session
 * appears in the sessions list as soon as its manifest is written.
 */
import { randomBytes } from 'node:crypto';
import { getSource } from '../../collect/catalog.js';
import { type RecordProgress, recordSession } from '../../collect/recorder/index.js';
import { errorMessage } from '../../errors.js';
import type { RecordingView } from '../api-types.js';
import { HttpError, onlyKeys, quote } from './http.js';
import { parseSourceList } from './live.js';

export interface RecordRequest {
  sources: string[];
  duration_s: number;
  tags: Record<string, string>;
  note: string | null;
  folder: number;
}

/** Longest recording the page may start (a day); `oe record` has no limit. */
export const MAX_RECORD_SECONDS = 86_400;
const TAG = /^[A-Za-z0-9_.-]{1,64}$/;

/** Validates the body of POST /api/recordings. */
export function parseRecordRequest(body: Record<string, unknown>, folders: number): RecordRequest {
  onlyKeys(body, ['sources', 'duration_s', 'tags', 'note', 'folder']);
  const { sources, duration_s, tags, note, folder } = body;
  if (!Array.isArray(sources) || sources.length === 0 || !sources.every((s) => typeof s === 'string'))
    throw new HttpError(400, 'sources must be a non-empty array of source names');
  const names = parseSourceList((sources as string[]).join(',')).map((s) => s.name);
  if (
    typeof duration_s !== 'number' ||
    !Number.isFinite(duration_s) ||
    duration_s <= 0 ||
    duration_s > MAX_RECORD_SECONDS
  )
    throw new HttpError(400, `duration_s must be a number of seconds in (0, ${MAX_RECORD_SECONDS}]`);
  const t: Record<string, string> = {};
  if (tags !== undefined) {
    if (tags === null || typeof tags !== 'object' || Array.isArray(tags))
      throw new HttpError(400, 'tags must be an object');
    const entries = Object.entries(tags as Record<string, unknown>);
    if (entries.length > 32) throw new HttpError(400, 'at most 32 tags');
    for (const [k, v] of entries) {
      if (!TAG.test(k)) throw new HttpError(400, `tag name ${quote(k)}: letters, digits, '_', '-', '.' (≤ 64)`);
      if (typeof v !== 'string' || v.length > 256 || [...v].some((c) => c.charCodeAt(0) < 32))
        throw new HttpError(400, `tag ${quote(k)}: the value must be a string of at most 256 printable characters`);
      t[k] = v;
    }
  }
  if (note !== undefined && note !== null && (typeof note !== 'string' || note.length > 2000))
    throw new HttpError(400, 'note must be a string of at most 2000 characters');
  const f = folder === undefined ? 0 : folder;
  if (typeof f !== 'number' || !Number.isInteger(f) || f < 0 || f >= folders)
    throw new HttpError(400, `folder must be an integer from 0 to ${folders - 1}`);
  return { sources: names, duration_s, tags: t, note: (note as string | null | undefined) ?? null, folder: f };
}

interface Recording {
  view: RecordingView;
  abort: AbortController;
  done: Promise<void>;
}

export class Recordings {
  private readonly list: Recording[] = [];

  constructor(private readonly dirs: readonly string[]) {}

  views(): RecordingView[] {
    return this.list.map((r) => ({ ...r.view }));
  }

  active(): Recording | undefined {
    return this.list.find((r) => r.view.state === 'recording' || r.view.state === 'stopping');
  }

  start(req: RecordRequest): RecordingView {
    if (this.active()) throw new HttpError(409, 'a recording is already running (stop it first)');
    const abort = new AbortController();
    const view: RecordingView = {
      id: randomBytes(6).toString('hex'),
      state: 'recording',
      folder: req.folder,
      sources: req.sources,
      duration_s: req.duration_s,
      tags: req.tags,
      session_id: null,
      elapsed_ms: 0,
      total_samples: 0,
      bytes_on_disk: 0,
      started_at: new Date().toISOString(),
      error: null,
    };
    const onProgress = (p: RecordProgress) => {
      view.session_id = p.id;
      view.elapsed_ms = p.elapsedMs;
      view.total_samples = p.totalSamples;
      view.bytes_on_disk = p.bytesOnDisk;
    };
    const done = recordSession(
      {
        sources: req.sources.map((n) => getSource(n)),
        required: req.sources,
        durationSec: req.duration_s,
        output: this.dirs[req.folder],
        tags: req.tags,
        note: req.note,
        signal: abort.signal,
      },
      onProgress,
    ).then(
      (r) => {
        view.session_id = r.manifest.id;
        view.total_samples = r.manifest.total_samples;
        view.bytes_on_disk = r.manifest.size_bytes;
        view.elapsed_ms = r.manifest.duration_ms ?? view.elapsed_ms;
        view.state = 'done';
      },
      (e) => {
        view.state = 'failed';
        view.error = errorMessage(e);
      },
    );
    this.list.unshift({ view, abort, done });
    this.list.splice(16);
    return { ...view };
  }

  stop(id: string): RecordingView {
    const r = this.list.find((x) => x.view.id === id);
    if (!r) throw new HttpError(404, `no recording ${quote(id)}`);
    if (r.view.state === 'recording') {
      r.view.state = 'stopping';
      r.abort.abort();
    }
    return { ...r.view };
  }

  /** Stops a running recording and waits for its final manifest. */
  async close(): Promise<void> {
    const r = this.active();
    if (r) {
      r.abort.abort();
      await r.done;
    }
  }
}
