import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Microarchitecture sources: fixed workloads whose timing depends on predictor, coherence and TLB
 * state. Durations are cycle-counter ticks and the raw byte is their low 8 bits (`lowByte`); dvfs_race
 * gives a signed count difference, whose low 8 bits (two's complement) are its raw byte.
 */
export const microarchSources: SourceSpec[] = [
  {
    name: 'speculative_execution',
    category: 'microarch',
    kind: 'physical',
    description: 'Ticks of a fixed 64-step branchy LCG loop (three data-dependent branches per step)',
    physics:
      'Every sample runs exactly the same 64 LCG steps from the same seed, so the branch outcomes are identical ' +
      'each time and the time depends on what the branch predictor, BTB, caches and pipeline retained from ' +
      'whatever ran in between (interrupts, the sampler loop itself, an SMT sibling, the hypervisor). openentropy ' +
      'varied the batch length with a counter (10 + i mod 31), which makes most of its variation predictable; the ' +
      'length here is fixed. Most samples take the same few cycle counts, so the credit is low.',
    requirements: ['cycle counter (x86-64 TSC; CLOCK_MONOTONIC_RAW elsewhere)'],
    fast: true,
    sampler: 'speculative_execution',
    params: { iterations: 64 },
    batchSize: 65536,
    credit: 0.25,
    extract: lowByte,
  },
  {
    name: 'dvfs_race',
    category: 'microarch',
    kind: 'physical',
    description: 'Signed difference of two threads’ counts of counter reads in the same 5000-tick window',
    physics:
      'Two threads on different CPUs wait for the same start tick and then count how many fenced cycle-counter ' +
      'reads fit before the same end tick, 5000 ticks later (TSC cycles on x86-64, about 2 us at 2.4 GHz; ' +
      "openentropy's Linux build used 48 ns because its timer was in ns there). On bare metal two cores at " +
      'different frequency and voltage states (DVFS) count differently; a VM exposes no DVFS and the TSC is ' +
      'constant-rate, so what varies is when each vCPU really runs (host scheduling, interrupts, a late sibling). ' +
      'The two threads are created once per batch, not per sample; on one CPU the source is unavailable.',
    requirements: ['cycle counter', '2+ CPUs'],
    fast: true,
    sampler: 'dvfs_race',
    params: { windowTicks: 5000, leadTicks: 2000 },
    batchSize: 256,
    credit: 0.25,
    extract: lowByte,
  },
  {
    name: 'cas_contention',
    category: 'microarch',
    kind: 'physical',
    description: 'Ticks of 8 CAS increments on 64 cache lines that a sibling thread also hammers',
    physics:
      'A sibling thread on another CPU keeps incrementing 64 counters (one per 128-byte slot) with compare-and-' +
      'swap while this thread times 8 CAS increments on the same slots. Each CAS must own the line exclusively: ' +
      'the time depends on where the line is (own L1, the other core, L3), on coherence arbitration and on failed ' +
      'CAS retries. In a VM the two vCPUs may share a physical core or be descheduled; on one CPU the sibling only ' +
      'interleaves by preemption.',
    requirements: ['atomics', 'two threads (meaningful with >= 2 CPUs)'],
    fast: true,
    sampler: 'cas_contention',
    params: { ops: 8 },
    batchSize: 8192,
    credit: 0.25,
    extract: lowByte,
  },
  {
    name: 'tlb_shootdown',
    category: 'microarch',
    kind: 'physical',
    description: 'Ticks of mprotect RO then RW on 16 pages that a sibling thread on another CPU keeps reading',
    physics:
      'The sibling thread (pinned to another CPU) keeps the 16 pages in its TLB by reading them, so when this ' +
      'thread downgrades them to read-only the kernel must flush that remote TLB: it sends an inter-processor ' +
      'interrupt and waits for the acknowledgement, then restores write access. The time is page-table work plus ' +
      'the IPI round trip; in a VM the IPI is virtualized (a VM exit on the sender, an interrupt injected into a ' +
      'vCPU that may not be running). The page count is fixed (openentropy picked 8-128 at random), and with one ' +
      'CPU there is no remote TLB, so the source is unavailable.',
    requirements: ['2+ CPUs', 'mprotect'],
    fast: true,
    sampler: 'tlb_shootdown',
    params: { pages: 16 },
    batchSize: 128,
    credit: 1,
    extract: lowByte,
  },
];
