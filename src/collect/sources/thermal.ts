import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * openentropy's "thermal" category: CPU timing sources whose claimed physics is thermal or electrical.
 * Durations in cycle-counter ticks; raw byte = low 8 bits (`lowByte`).
 */
export const thermalSources: SourceSpec[] = [
  {
    name: 'denormal_timing',
    category: 'thermal',
    kind: 'physical',
    description: 'Ticks of a fixed chain of 100 multiply-adds on subnormal doubles',
    physics:
      'Floating-point operations with subnormal operands or results take a slow microcode assist on many Intel ' +
      'cores (tens to a hundred cycles each); AMD Zen 3 handles most of them in hardware with almost no penalty. ' +
      'The chain is the same every sample and FTZ/DAZ are cleared for the batch so the values stay subnormal. What ' +
      'varies is the assist and pipeline timing under interrupts, SMT siblings and, in a VM, the hypervisor; ' +
      'nothing here measures temperature.',
    requirements: ['IEEE-754 subnormals not flushed'],
    fast: true,
    sampler: 'denormal_timing',
    params: { ops: 100 },
    batchSize: 2048,
    credit: 0.25,
    extract: lowByte,
  },
  {
    name: 'pdn_resonance',
    category: 'thermal',
    kind: 'physical',
    description: 'Ticks of 100 dependent adds while a memory-sweep and an ALU-spin thread run (openentropy’s PDN idea)',
    physics:
      'openentropy claims that current steps from two stress threads (a 4 MiB stride-64 memory sweep and an ' +
      'integer spin) make the power-delivery network ring, perturbing the timing of a short add loop. Nothing here ' +
      'can observe supply voltage, and in a VM there is none to observe: the stressors (pinned to the other CPU when ' +
      'there are two) contend for the shared cache, memory and the host, and with too few CPUs they preempt the ' +
      'timed thread. This is honestly just another compute-timing source, and a weak one: 100 adds take almost the ' +
      'same number of cycles every time.',
    requirements: ['cycle counter', 'three threads (stressors on another CPU when there are 2+)'],
    fast: true,
    sampler: 'pdn_resonance',
    params: { adds: 100 },
    batchSize: 8192,
    credit: 0.1,
    extract: lowByte,
  },
];
