/**
 * The writer process, recorder side: a PartSink that sends every part write and merge to a child Node
 * process (writer-child.ts) and resolves with its answer. The child runs at WRITER_NICE_DELTA nice levels
 * below this process, every thread of it (DuckDB's and libuv's included), so on a busy machine the
 * samplers get the CPU first and the Parquet writing takes what is left; what the writing still costs the
 * sampling is measured in bench/recorder.bench.ts. The parts travel as typed arrays over the IPC channel
 * (one copy each way); the recorder bounds what is buffered or in flight (RecordOptions.maxBufferedBytes).
 *
 * One writer process per priority serves every recording of this process (sharedWriterProcess), so its
 * start-up (Node and DuckDB, about 0.3-0.6 s of CPU) is paid once, not per session; while no write is in
 * flight it does not keep this process alive. It is its own process group, so a Ctrl-C meant for the
 * recorder does not end the writes of its last flush; it exits when this process closes the channel or
 * dies. If it dies, every write in flight fails with OeError('IO'), which ends the recording like a full
 * disk, and the next recording starts a new one.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { WrittenPart } from '../../db/index.js';
import { type ErrorCode, EXIT_CODES, errorMessage, OeError } from '../../errors.js';
import { childScript } from '../../util/workers.js';
import type { MergeInput, MergeOutcome } from '../session/merge.js';
import { DEFAULT_MERGE_INTERVAL_MS, KEEP_FREED_MEMORY_PASSES, WRITER_NICE_DELTA } from './options.js';
import type { PartData, PartMergeOptions, PartSink, PartWriteOptions } from './sink.js';

type Reply = { id: number; ok: true; result: unknown } | { id: number; ok: false; code: string; message: string };

export class WriterProcess implements PartSink {
  private readonly child: ChildProcess;
  private readonly calls = new Map<number, { resolve: (v: unknown) => void; reject: (e: OeError) => void }>();
  private nextId = 1;
  private failure: OeError | null = null;
  private stderrTail = '';
  private readonly exited: Promise<void>;

  constructor(niceDelta = WRITER_NICE_DELTA) {
    const { script, execArgv } = childScript(import.meta.url, 'writer-child');
    // The process is shared by recordings (one per nice level): its memory is kept for the default interval's passes.
    const keepMs = KEEP_FREED_MEMORY_PASSES * DEFAULT_MERGE_INTERVAL_MS;
    this.child = fork(script, [String(niceDelta), String(keepMs)], {
      execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      detached: true,
    });
    this.child.stderr?.on('data', (d: Buffer) => {
      this.stderrTail = (this.stderrTail + d.toString()).slice(-4000);
    });
    this.idle();
    this.child.on('message', (m: Reply) => this.answer(m));
    // A spawn failure; once the child runs, an error here is a send on a channel its death closed, and
    // its 'exit' (below) reports that death.
    this.child.on('error', (e) => {
      if (this.child.pid === undefined) this.fail(`cannot run the Parquet writer process: ${errorMessage(e)}`);
    });
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.fail(`the Parquet writer process ended (${signal ?? `exit ${code}`})${this.lastError()}`);
        resolve();
      });
    });
  }

  /** The child's process id (undefined if it could not be started). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  write(path: string, data: PartData, options: PartWriteOptions): Promise<WrittenPart> {
    return this.call({ op: 'write', path, data, options }) as Promise<WrittenPart>;
  }

  merge(sessionDir: string, parts: readonly MergeInput[], options: PartMergeOptions): Promise<MergeOutcome> {
    return this.call({ op: 'merge', sessionDir, parts, options }) as Promise<MergeOutcome>;
  }

  /** Whether it has died or been closed (a new one is needed). */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Closes the channel (the child exits) and waits for the child to end. */
  async close(): Promise<void> {
    this.failure ??= new OeError('IO', 'the Parquet writer process was closed');
    if (this.child.connected) this.child.disconnect();
    // An idle child is unref'd: without this, a caller awaiting close() as its last work sees its own
    // process end with the promise unsettled (exit 13) before the child's exit arrives.
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.child.ref();
      await this.exited;
    }
  }

  private call(req: Record<string, unknown>): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    if (this.calls.size === 0) this.busy();
    return new Promise((resolve, reject) => {
      this.calls.set(id, { resolve, reject });
      try {
        this.child.send({ id, ...req });
      } catch (e) {
        this.settled(id);
        reject(new OeError('IO', `cannot reach the Parquet writer process: ${errorMessage(e)}`));
      }
    });
  }

  private answer(m: Reply): void {
    const call = this.calls.get(m.id);
    if (!call) return;
    this.settled(m.id);
    if (m.ok) call.resolve(m.result);
    else call.reject(new OeError(m.code in EXIT_CODES ? (m.code as ErrorCode) : 'IO', m.message));
  }

  /** Fails every call in flight and every later one with `message`. */
  private fail(message: string): void {
    this.failure ??= new OeError('IO', message);
    const err = this.failure;
    for (const c of this.calls.values()) c.reject(err);
    this.calls.clear();
    this.idle();
  }

  private settled(id: number): void {
    this.calls.delete(id);
    if (this.calls.size === 0) this.idle();
  }

  /** Writes in flight keep this process alive (their answers are awaited); an idle child does not. */
  private busy(): void {
    this.child.ref();
    this.child.channel?.ref();
  }

  private idle(): void {
    this.child.unref();
    this.child.channel?.unref();
    (this.child.stderr as { unref?: () => void } | null)?.unref?.();
  }

  /** The last line the child wrote to stderr (a crash), for the error message. */
  private lastError(): string {
    const line = this.stderrTail.trim().split('\n').filter(Boolean).pop();
    return line ? `: ${line.trim()}` : '';
  }
}

const shared = new Map<number, WriterProcess>();

/** The writer process of this process at `niceDelta` levels below it, started on first use (or after it died). */
export function sharedWriterProcess(niceDelta = WRITER_NICE_DELTA): WriterProcess {
  let w = shared.get(niceDelta);
  if (!w || w.failed) {
    w = new WriterProcess(niceDelta);
    shared.set(niceDelta, w);
  }
  return w;
}

/** Closes the shared writer processes (tests; a process that exits closes them anyway). */
export async function closeWriterProcesses(): Promise<void> {
  const all = [...shared.values()];
  shared.clear();
  await Promise.all(all.map((w) => w.close()));
}
