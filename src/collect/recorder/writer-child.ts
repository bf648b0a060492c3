/**
 * The writer process (started by writer-process.ts): lowers its own scheduling priority, then writes and
 * merges the recorder's parts on request through the one Parquet writer and the one merge (sink.ts).
 * Protocol over the IPC channel (advanced serialization, typed arrays travel as they are):
 *   in:  { id, op: 'write', path, data, options } | { id, op: 'merge', sessionDir, parts, options }
 *   out: { id, ok: true, result } | { id, ok: false, code, message }
 * It ends when the recorder disconnects or dies (the channel closes): exit at once, as a kill -9 of the
 * recorder would have ended an in-process write, so the session's crash safety is the same (a `.tmp` or
 * covered parts, which readers skip and --repair removes).
 */
import { configureDb, getDb } from '../../db/index.js';
import { errorMessage, isOeError } from '../../errors.js';
import { lowerPriority } from '../../util/priority.js';
import type { MergeInput } from '../session/merge.js';
import { LocalSink, type PartData, type PartMergeOptions, type PartWriteOptions } from './sink.js';

type Request =
  | { id: number; op: 'write'; path: string; data: PartData; options: PartWriteOptions }
  | { id: number; op: 'merge'; sessionDir: string; parts: MergeInput[]; options: PartMergeOptions };

lowerPriority(Number(process.argv[2] ?? 10));
// Ctrl-C reaches the whole process group: the recorder stops, then finishes its writes through this process.
process.on('SIGINT', () => undefined);
/**
 * Ends this process at once, as a kill -9 would. Not process.exit(): its exit hooks close DuckDB, which
 * waits for a COPY in progress, which waits for this (exiting) thread to serve its next chunk: a hang.
 */
function die(): never {
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

process.on('disconnect', die);
// The recorder died while this process was still loading (its 'disconnect' came before the listener).
if (!process.connected) die();

// One DuckDB thread: a COPY then runs on the libuv thread that issued it, without a second thread spinning
// for tasks while this process's main thread serves the next chunk (bench/recorder.bench.ts); two parts are
// still written at once, on two libuv threads.
// How long DuckDB's freed memory is kept (argv[3], from the recorder: configureDb's keepFreedMemoryMs).
const keep = process.argv[3] === undefined ? undefined : Number(process.argv[3]);
configureDb({ threads: 1, keepFreedMemoryMs: Number.isFinite(keep) ? keep : undefined });
const sink = new LocalSink();
// Load DuckDB now, while the first flush interval runs (a start-up failure is reported by the first write).
getDb().catch(() => undefined);

async function serve(req: Request): Promise<unknown> {
  if (req.op === 'write') return sink.write(req.path, req.data, req.options);
  // A recorder that died mid-merge ends the merge at the next step, as a kill would have.
  const onStep = () => {
    if (!process.connected) die();
  };
  return sink.merge(req.sessionDir, req.parts, { ...req.options, onStep });
}

process.on('message', (req: Request) => {
  serve(req).then(
    (result) => process.connected && process.send?.({ id: req.id, ok: true, result }),
    (e) =>
      process.connected &&
      process.send?.({ id: req.id, ok: false, code: isOeError(e) ? e.code : 'IO', message: errorMessage(e) }),
  );
});
