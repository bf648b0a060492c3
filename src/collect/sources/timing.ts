import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Timing sources: CPU, cache, DRAM and page-fault latencies. Each measurement is a duration in cycle-counter
 * ticks (`tsc` on x86-64, `ns` elsewhere) of a fixed piece of work; the raw byte is its low 8 bits
 * (`lowByte`), where the jitter lives. See docs/SOURCES.md for the measured rates and min-entropy.
 */
export const timingSources: SourceSpec[] = [
  {
    name: 'clock_jitter',
    category: 'timing',
    kind: 'physical',
    description: 'Tick delta between two back-to-back fenced cycle-counter reads',
    physics:
      'Two consecutive reads of the time-stamp counter, each fenced by lfence, differ by the cost of the read ' +
      'pair plus whatever the pipeline, interrupts, an SMT sibling or the hypervisor added. Most deltas are equal; ' +
      'the rare outliers carry the entropy, so the credit is low (NIST 90B gives 0.1-0.6 bit on a VM).',
    requirements: ['x86-64 TSC (or CLOCK_MONOTONIC_RAW elsewhere)'],
    fast: true,
    sampler: 'clock_jitter',
    batchSize: 262144,
    credit: 0.1,
    extract: lowByte,
  },
  {
    name: 'memory_timing',
    category: 'timing',
    kind: 'physical',
    description: 'mmap one anonymous page, first-touch it, munmap: the whole cycle timed',
    physics:
      'Mapping, faulting in and unmapping a page walks the kernel memory-management paths: VMA allocation, page ' +
      'allocation and zeroing, page-table updates and the TLB flush on unmap. The cost varies with allocator and ' +
      'cache state, interrupts and, in a VM, the nested (EPT/NPT) page walk and EPT faults, which the host controls.',
    requirements: ['anonymous mmap'],
    fast: true,
    sampler: 'memory_timing',
    batchSize: 2048,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'dram_row_buffer',
    category: 'timing',
    kind: 'physical',
    description: 'Two random loads from a buffer larger than the last-level cache, timed together',
    physics:
      'Loads at random offsets of a buffer bigger than the LLC miss the caches and usually the TLB, so they reach ' +
      'DRAM, where latency depends on whether the row is open in its bank (row hit, miss or conflict), refresh, ' +
      'memory-controller queues and other cores' +
      "' traffic. In a VM the two-dimensional page walk adds its own jitter. Offsets come from a PRNG; only the " +
      'timing is credited.',
    requirements: ['RAM for a buffer of max(64 MiB, 2 x LLC) rounded up to a power of two, at most 1 GiB'],
    fast: true,
    sampler: 'dram_row_buffer',
    batchSize: 16384,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'cache_contention',
    category: 'timing',
    kind: 'physical',
    description: 'Fixed 64-step pointer chase through an 8 MiB random cycle of cache lines',
    physics:
      'A dependent chase through a random permutation of the lines of an 8 MiB buffer (beyond L2, within L3 on ' +
      'most machines) costs one cache or memory latency per step. How many lines are still cached depends on ' +
      'what other cores, SMT siblings and other tenants did to the shared cache since the last pass. The pattern ' +
      'and length are fixed (openentropy cycled sequential/random/strided rounds by a counter, which is predictable).',
    requirements: ['8 MiB of RAM'],
    fast: true,
    sampler: 'cache_contention',
    params: { bufferBytes: 8 * 1024 * 1024, steps: 64 },
    batchSize: 2048,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'page_fault_timing',
    category: 'timing',
    kind: 'physical',
    description: 'First write to each page of a fresh 64-page anonymous mapping (minor fault), timed per page',
    physics:
      'A first write to an anonymous page traps into the kernel, which allocates and zeroes a page and installs ' +
      'the PTE. The latency varies with the page allocator, per-CPU lists, zeroing cost in the cache hierarchy ' +
      'and interrupts; in a VM the first touch of guest-physical memory can also fault to the host.',
    requirements: ['anonymous mmap'],
    fast: true,
    sampler: 'page_fault_timing',
    params: { pages: 64 },
    batchSize: 8192,
    credit: 0.5,
    extract: lowByte,
  },
];
