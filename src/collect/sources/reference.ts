import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

const REF =
  ' A reference source: useful as a ceiling in comparisons and mixed in by the pool under its own policy, ' +
  'never presented as measured physics. Credit 0 in the catalog.';

/** Hardware and OS RNGs. Each int64 is one 64-bit RNG output; raw byte = its low 8 bits (`lowByte`). */
export const referenceSources: SourceSpec[] = [
  {
    name: 'rdrand',
    category: 'reference',
    kind: 'reference',
    description: 'x86 RDRAND: the CPU vendor DRBG, 64 bits per value',
    physics:
      "RDRAND returns output of the CPU's on-die DRBG, reseeded from its hardware noise source. It cannot be " +
      'audited, a hypervisor may trap or emulate it, and parts have shipped with errata (AMD returning all-ones).' +
      REF,
    requirements: ['x86-64 with RDRAND (CPUID.1:ECX[30])'],
    fast: true,
    sampler: 'rdrand',
    batchSize: 65536,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'rdseed',
    category: 'reference',
    kind: 'reference',
    description: "x86 RDSEED: the CPU's conditioned noise-source output, 64 bits per value",
    physics:
      "RDSEED returns conditioned output of the CPU's hardware noise source (meant for seeding), slower than " +
      'RDRAND and allowed to run dry (retried).' +
      REF,
    requirements: ['x86-64 with RDSEED (CPUID.7.0:EBX[18])'],
    fast: true,
    sampler: 'rdseed',
    batchSize: 8192,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'getrandom',
    category: 'reference',
    kind: 'reference',
    description: 'getrandom(2): the kernel CRNG, 8 bytes per call',
    physics:
      "The kernel's ChaCha20 CRNG, seeded from interrupts, the CPU RNG and its own jitter. It is the floor any " +
      'conditioned output of oe must never fall below.' +
      REF,
    requirements: ['Linux >= 3.17'],
    fast: true,
    sampler: 'getrandom',
    batchSize: 32768,
    credit: 0,
    extract: lowByte,
  },
  {
    name: 'hwrng',
    category: 'reference',
    kind: 'reference',
    description: "/dev/hwrng: the kernel's selected hardware RNG (virtio-rng in a VM)",
    physics:
      "Bytes from the kernel's current hardware RNG driver: virtio-rng in a VM (the host's RNG), a TPM, AMD CCP " +
      'or SoC TRNG on bare metal. Slow (about 10 KB/s through virtio-rng).' +
      REF,
    requirements: ['/dev/hwrng readable (root by default)', 'a hardware RNG driver selected'],
    fast: false,
    sampler: 'hwrng',
    batchSize: 8,
    credit: 0,
    extract: lowByte,
  },
];
