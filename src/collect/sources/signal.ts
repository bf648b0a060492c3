import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Signal-processing sources: fixed-size compression and hashing, timed in cycle-counter ticks; raw
 * byte = low 8 bits (`lowByte`).
 */
export const signalSources: SourceSpec[] = [
  {
    name: 'compression_timing',
    category: 'signal',
    kind: 'physical',
    description: 'Ticks of zlib deflate (level 6) of the same 512-byte buffer',
    physics:
      'Every sample compresses the same 512 bytes (a third pseudo-random, a third a repeating pattern, a third ' +
      'pseudo-random) with a reused zlib stream, so the work and its data-dependent branches are identical each ' +
      'time. openentropy varied the size from 128 to 512 bytes with a counter, which is predictable. What varies ' +
      'is the machine: caches and predictors disturbed by other code, interrupts, SMT siblings, the hypervisor.',
    requirements: ['zlib'],
    fast: true,
    sampler: 'compression_timing',
    batchSize: 512,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'hash_timing',
    category: 'signal',
    kind: 'physical',
    description: 'Ticks of one SHA-256 of the same 256-byte input',
    physics:
      'SHA-256 (FIPS 180-4, checked against the FIPS 180-2 "abc" vector by the probe) has no data-dependent ' +
      'branches or table lookups, so hashing the same 256 bytes does identical work every time; openentropy varied ' +
      'the length from 32 to 2048 bytes with a counter. The remaining variation is generic CPU timing jitter ' +
      '(interrupts, cache state, SMT siblings, the hypervisor), the same thing jitter_memloop measures.',
    requirements: ['cycle counter'],
    fast: true,
    sampler: 'hash_timing',
    batchSize: 8192,
    credit: 0.5,
    extract: lowByte,
  },
];
