import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Composite sources: a fixed CPU block interleaved with an I/O or memory operation, timed together in
 * cycle-counter ticks; raw byte = low 8 bits (`lowByte`).
 */
export const compositeSources: SourceSpec[] = [
  {
    name: 'cpu_io_beat',
    category: 'composite',
    kind: 'physical',
    description: 'Ticks of 50 LCG steps plus a 64-byte pwrite into an unlinked temporary file (page cache)',
    physics:
      'openentropy describes a beat between the CPU clock and an I/O clock. On Linux a 64-byte pwrite without ' +
      'fsync never reaches a device inside the measurement: it is the syscall path and the page cache (page lock, ' +
      'copy, dirtying the page, occasionally meeting writeback of the same page) on top of a fixed CPU block. Its ' +
      'variation is kernel-path and cache timing under interrupts and, in a VM, the hypervisor; there is no second ' +
      'oscillator. Writes go to 64 rotating offsets of one page of a file created with O_TMPFILE in $TMPDIR (or ' +
      '/tmp), never linked, so nothing is left behind.',
    requirements: ['a writable $TMPDIR or /tmp'],
    fast: true,
    sampler: 'cpu_io_beat',
    params: { cpuSteps: 50 },
    batchSize: 16384,
    credit: 0.5,
    extract: lowByte,
  },
  {
    name: 'cpu_memory_beat',
    category: 'composite',
    kind: 'physical',
    description: 'Ticks of 50 LCG steps plus one load at an LCG-chosen address in a buffer larger than the LLC',
    physics:
      'openentropy describes a beat between the CPU and memory clocks. What is measured is a fixed CPU block plus ' +
      'the latency of one load from the process-wide buffer the DRAM sources share (max(64 MiB, 2 x the last-level ' +
      'cache), mapped once): which cache level hits, a TLB miss and page walk (two-dimensional under a hypervisor), ' +
      "DRAM row-buffer state, refresh and other cores' traffic. The address sequence is a deterministic LCG, so only " +
      'the latency is new; it overlaps with dram_row_buffer.',
    requirements: ['64 MiB or more of memory (a buffer larger than the last-level cache)'],
    fast: true,
    sampler: 'cpu_memory_beat',
    params: { cpuSteps: 50 },
    batchSize: 8192,
    credit: 1,
    extract: lowByte,
  },
];
