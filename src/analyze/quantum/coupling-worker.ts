/** Piscina worker of the parallel coupling computation (see coupling-parallel.ts). */
import type { QuantumConfig } from './config.js';
import { couplingPairs, type PairCoupling } from './coupling.js';

export interface CouplingTask {
  names: string[];
  /** Every stream's bytes, shared (not copied) between workers. */
  buffers: SharedArrayBuffer[];
  jobs: [number, number][];
  config: QuantumConfig;
}

export default function run(task: CouplingTask): PairCoupling[] {
  const streams = task.names.map((name, i) => ({ name, bytes: new Uint8Array(task.buffers[i]) }));
  return couplingPairs(streams, task.jobs, task.config);
}
