/**
 * The part merger: keeps the number of files of a recording growing with minutes, not seconds. Every
 * merge interval (default 60 s) it merges, in every part directory, the flush parts written since the
 * last merge into one file, and combines consecutive merged files whose rows together stay within
 * `maxRows` (default 10 M) once the next file no longer fits beside them. When the recording ends,
 * `finish()` merges what is left so that each directory holds about one file per `maxRows` rows.
 *
 * Merges run through the part writer's sink (in the writer process by default) beside the flushes (they
 * only read parts that are already renamed, and write new names), one at a time while recording (the
 * samplers need the cores) and two at a time in the last pass, which the user waits for; a tick that comes while the previous pass still runs is skipped. The merge rule
 * and its crash safety are in src/collect/session/merge.ts and parts.ts.
 */
import { basename, dirname } from 'node:path';
import { isFlushPart, parsePartName } from '../session/layout.js';
import type { FileEntry } from '../session/manifest.js';
import { planMerges } from '../session/parts.js';
import { type RecorderEvents, tableOf } from './events.js';
import type { PartWriter } from './part-writer.js';
import type { SourceRun } from './scheduler.js';
import type { RecordingStop } from './stop.js';

/** A file of the session with its directory and flush-part range. */
export interface Placed {
  entry: FileEntry;
  rows: number;
  dir: string;
  first: number;
  last: number;
  /** A flush part (`part-N`), not yet merged. */
  flushPart: boolean;
}

export function place(entry: FileEntry): Placed | null {
  const name = basename(entry.path);
  const range = parsePartName(name);
  if (!range) return null;
  return { entry, rows: entry.rows, dir: dirname(entry.path), ...range, flushPart: isFlushPart(name) };
}

export class PartMerger {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(
    private readonly sessionDir: string,
    private readonly writer: PartWriter,
    private readonly runs: readonly SourceRun[],
    private readonly stop: RecordingStop,
    private readonly options: { intervalMs: number; maxRows: number; compressionLevel?: number; fsync?: boolean },
    private readonly events: RecorderEvents = {},
  ) {}

  /** A pass every interval; a tick while the previous pass still runs (a loaded machine) is skipped. */
  start(): void {
    this.timer = setInterval(() => {
      if (this.busy) return;
      this.busy = true;
      this.running = this.pass(false).finally(() => {
        this.busy = false;
      });
    }, this.options.intervalMs);
  }

  /** Stops the timer, waits for a running merge, then merges what is left (unless the recording failed). */
  async finish(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
    if (!this.stop.fatal) await this.pass(true);
  }

  /** One merge pass over every directory; a failure ends the recording like a failed flush. */
  private async pass(final: boolean): Promise<void> {
    if (this.stop.fatal) return;
    try {
      const byDir = new Map<string, Placed[]>();
      for (const e of this.writer.files) {
        const p = place(e);
        if (p) byDir.set(p.dir, [...(byDir.get(p.dir) ?? []), p]);
      }
      const plans = [...byDir.values()].flatMap((files) => planMerges(files, this.options.maxRows, final));
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < plans.length && !this.stop.fatal) await this.merge(plans[next++]);
      };
      await Promise.all(Array.from({ length: final ? 2 : 1 }, lane));
    } catch (e) {
      this.stop.fail(e);
    }
  }

  private async merge(plan: Placed[]): Promise<void> {
    const t0 = performance.now();
    this.writer.fileWrite(1);
    const sink = this.writer.sink;
    if (!sink) return;
    const { entry, removed, rewritten } = await sink
      .merge(
        this.sessionDir,
        plan.map((p) => ({ path: p.entry.path, first: p.first, last: p.last })),
        { fsync: this.options.fsync, compressionLevel: this.options.compressionLevel },
      )
      .finally(() => this.writer.fileWrite(-1));
    this.writer.replaceFiles(removed, entry);
    const run = this.runs.find((r) => plan[0].dir.endsWith(`/source=${r.spec.name}`));
    if (run) run.counts.parts -= removed.length - 1;
    this.events.merge?.({
      dir: plan[0].dir,
      table: tableOf(plan[0].dir),
      parts: removed.length,
      rewritten,
      rows: entry.rows,
      bytes: entry.bytes,
      ms: performance.now() - t0,
    });
  }
}
