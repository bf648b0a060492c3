import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

export const timingSources: SourceSpec[] = [
  {
    name: 'clock_jitter',
    category: 'timing',
    kind: 'physical',
    description: 'Tick delta between two back-to-back fenced cycle-counter reads',
    physics:
      'Two consecutive reads of the time-stamp counter, each fenced by lfence, differ by the cost of the read ' +
      'pair plus whatever the pipeline, interrupts, an SMT sibling or the hypervisor added. Most deltas are equal; ' +
      'the rare outliers carry the entropy, so the credit is low.',
    requirements: ['x86-64 TSC (or CLOCK_MONOTONIC_RAW elsewhere)'],
    fast: true,
    sampler: 'clock_jitter',
    batchSize: 65536,
    credit: 0.5,
    extract: lowByte,
  },
];
