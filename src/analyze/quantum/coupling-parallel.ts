/**
 * The coupling computation spread over worker threads: pairs are independent, so they are cut into
 * chunks (several per thread, for balance) and computed by `coupling-worker` on shared copies of the
 * streams; BH and the summaries run here. The result is identical to `couplingAnalysis` (same pairs, same
 * order, same arithmetic).
 */
import { availableParallelism } from 'node:os';
import { createWorkerPool } from '../../util/workers.js';
import type { QuantumConfig } from './config.js';
import {
  type CouplingResult,
  type CouplingStream,
  couplingAnalysis,
  couplingJobs,
  finishCoupling,
} from './coupling.js';
import type { CouplingTask } from './coupling-worker.js';

export async function couplingAnalysisParallel(
  streams: readonly CouplingStream[],
  config: QuantumConfig,
  threads = availableParallelism(),
): Promise<CouplingResult> {
  const { jobs, skippedPairs } = couplingJobs(streams, config);
  if (threads <= 1 || jobs.length < 4) return couplingAnalysis(streams, config);
  const buffers = streams.map((s) => {
    const sab = new SharedArrayBuffer(s.bytes.length);
    new Uint8Array(sab).set(s.bytes);
    return sab;
  });
  const names = streams.map((s) => s.name);
  const chunks = Math.min(jobs.length, threads * 4);
  const parts: [number, number][][] = Array.from({ length: chunks }, () => []);
  jobs.forEach((j, k) => {
    parts[k % chunks].push(j);
  });
  const pool = createWorkerPool(import.meta.url, 'coupling-worker', { minThreads: 1, maxThreads: threads });
  try {
    const results = await Promise.all(
      parts.map((part) => pool.run({ names, buffers, jobs: part, config } satisfies CouplingTask) as Promise<unknown>),
    );
    // Back to job order: job k went to chunk k % chunks at position ⌊k / chunks⌋.
    const pairs = jobs.map((_, k) => (results[k % chunks] as CouplingResult['pairs'])[Math.floor(k / chunks)]);
    return finishCoupling(streams, pairs, skippedPairs, config);
  } finally {
    await pool.destroy();
  }
}
