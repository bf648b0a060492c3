import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Sources openentropy lacks: the jitterentropy-style execution-jitter loop (the main credited source on most
 * machines) and its DRAM variant. Raw byte = the low 8 bits of the cycle delta between measurements (`lowByte`).
 */
export const novelSources: SourceSpec[] = [
  {
    name: 'jitter_memloop',
    category: 'novel',
    kind: 'physical',
    description: 'jitterentropy-style fixed memory-access + mix loop; cycle delta between iterations',
    physics:
      'As in jitterentropy-library: each measurement does a fixed amount of work (128 read-modify-write byte ' +
      'increments walking a 256 KiB buffer with stride 127, then 8 rounds of a 64-bit mix) and the sample is the ' +
      'cycle-counter delta since the previous one. The work never varies; the delta varies with cache and TLB ' +
      'state, store forwarding, interrupts, SMT siblings and power management. Credited 1/3 bit per sample ' +
      "(jitterentropy's oversampling rate 3); the pool's health tests act on every failure.",
    requirements: ['a cycle counter (x86-64 TSC) or CLOCK_MONOTONIC_RAW'],
    fast: true,
    sampler: 'jitter_memloop',
    params: { bufferBytes: 256 * 1024, accesses: 128 },
    batchSize: 32768,
    credit: 1 / 3,
    extract: lowByte,
  },
  {
    name: 'jitter_memloop_dram',
    category: 'novel',
    kind: 'physical',
    description: 'jitter_memloop with 32 random-address RMWs over a buffer larger than the LLC',
    physics:
      'The jitter_memloop measurement with its memory part in DRAM: 32 read-modify-write accesses at random ' +
      'offsets of a buffer larger than the last-level cache, then the same mix; the sample is the cycle delta ' +
      'between measurements. Nearly every access misses the caches and the TLB, so DRAM bank and row state, ' +
      'refresh, memory-controller queues and (in a VM) the nested page walk dominate. The PRNG choosing the ' +
      'addresses is not credited, only the timing.',
    requirements: ['RAM for a buffer of max(64 MiB, 2 x LLC) rounded up to a power of two, at most 1 GiB'],
    fast: true,
    sampler: 'jitter_memloop_dram',
    params: { accesses: 32 },
    batchSize: 4096,
    credit: 1,
    extract: lowByte,
  },
];
