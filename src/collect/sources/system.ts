import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

const COUNTER_PHYSICS =
  'Kernel counters that any local user can read, incremented mostly by the timer tick and by what the machine ' +
  'is doing. Deltas over 1 ms are small and largely predictable from load, and in a VM the host shapes them too, ' +
  'so the source is recorded for study and correlation but credited 0 entropy in the pool.';

/**
 * System counter sources (kind `counter`, credit 0): each measurement is the activity between two
 * successive reads, the sum over the listed counters of |now − before| (`count`); process_table is a
 * signed difference. Raw byte = low 8 bits of that number (`lowByte`).
 */
export const systemSources: SourceSpec[] = [
  {
    name: 'proc_stat',
    category: 'system',
    kind: 'counter',
    description:
      '/proc/stat every 1 ms: Σ|Δ| of the aggregate cpu line’s 10 jiffy columns, intr total, ctxt, processes, softirq total',
    physics: COUNTER_PHYSICS,
    requirements: ['/proc/stat'],
    fast: true,
    sampler: 'proc_stat',
    params: { intervalUs: 1000 },
    batchSize: 16,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'proc_interrupts',
    category: 'system',
    kind: 'counter',
    description: '/proc/interrupts every 1 ms: Σ|Δ| of every per-CPU count of every row',
    physics: COUNTER_PHYSICS,
    requirements: ['/proc/interrupts'],
    fast: true,
    sampler: 'proc_interrupts',
    params: { intervalUs: 1000 },
    batchSize: 16,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'proc_softirqs',
    category: 'system',
    kind: 'counter',
    description: '/proc/softirqs every 1 ms: Σ|Δ| of every per-CPU count of every row',
    physics: COUNTER_PHYSICS,
    requirements: ['/proc/softirqs'],
    fast: true,
    sampler: 'proc_softirqs',
    params: { intervalUs: 1000 },
    batchSize: 16,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'proc_vmstat',
    category: 'system',
    kind: 'counter',
    description: '/proc/vmstat every 1 ms: Σ|Δ| over every line (event counters and nr_* gauges)',
    physics: COUNTER_PHYSICS,
    requirements: ['/proc/vmstat'],
    fast: true,
    sampler: 'proc_vmstat',
    params: { intervalUs: 1000 },
    batchSize: 16,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'process_table',
    category: 'system',
    kind: 'counter',
    description:
      'Scan of /proc/[pid]/stat every 10 ms: signed change of Σ(minflt + majflt + utime + stime) over all processes',
    physics:
      'The process table is public state: every local user can read each process’s fault counts and CPU ticks, and ' +
      'they follow the machine’s workload. openentropy XORed the ASCII text of `ps` output, which is mostly ' +
      'structure. This source records how much the whole table moved between two scans (processes that start or ' +
      'exit move it too) and is credited 0.',
    requirements: ['/proc/[pid]/stat'],
    fast: true,
    sampler: 'process_table',
    params: { intervalUs: 10000 },
    batchSize: 8,
    credit: 0,
    extract: lowByte,
  },
];
