import { type EstimatorOutcome, type JobId, runJob, type Track } from './estimators.js';

/** Piscina worker: runs a group of non-IID estimator jobs on shared sample buffers. */
export default function run(task: {
  literal: SharedArrayBuffer;
  bitstring: SharedArrayBuffer | null;
  k: number;
  jobs: Array<{ job: JobId; track: Track; index: number }>;
}): Array<{ index: number; outcomes: EstimatorOutcome[] }> {
  const literal = new Uint8Array(task.literal);
  const bits = task.bitstring ? new Uint8Array(task.bitstring) : null;
  return task.jobs.map(({ job, track, index }) => ({
    index,
    outcomes: runJob(
      job,
      track === 'bitstring' ? (bits as Uint8Array) : literal,
      track === 'bitstring' ? 2 : task.k,
      track,
    ),
  }));
}
