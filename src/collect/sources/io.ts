import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Storage sources: block-device request latencies in ns (CLOCK_MONOTONIC_RAW). They bypass the page cache
 * (O_DIRECT) or do not run. Raw byte = the low 8 bits of the latency (`lowByte`).
 */
export const ioSources: SourceSpec[] = [
  {
    name: 'disk_io',
    category: 'io',
    kind: 'physical',
    description: '4 KiB O_DIRECT reads at random offsets of a 64 MiB file in the cache dir (ns)',
    physics:
      'Each read bypasses the page cache (O_DIRECT) and becomes a block request: submission, the device (in a VM: ' +
      'the virtio queue, a VM exit and the host storage stack, usually served from the host page cache), the ' +
      'completion interrupt and the wake-up. The file (disk_io-64MiB.dat under $OE_CACHE_DIR, else ' +
      '$XDG_CACHE_HOME/oe or ~/.cache/oe) is created once; read size fixed, offsets from a PRNG. openentropy read a ' +
      '64 KiB file through the page cache, which measures memcpy.',
    requirements: ['a block-backed filesystem for the cache dir (not tmpfs)', '64 MiB free space'],
    fast: true,
    sampler: 'disk_io',
    batchSize: 128,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'fsync_journal',
    category: 'io',
    kind: 'physical',
    description: 'Rewrite 512 B of a file and fsync it (ns); opt-in, at most 500/s, wears flash',
    physics:
      'fsync waits until the data block and the journal commit (ext4/xfs/btrfs) reach stable storage: block-layer ' +
      'queueing, the device write path and cache flush, completion interrupts. A few hundred per second, and rate ' +
      'limited to one fsync per 2 ms so a fast SSD is not hammered. Name it ' +
      'explicitly in --sources to use it; on tmpfs fsync does nothing, so the source is unavailable there.',
    requirements: ['a journaling block filesystem for the cache dir', 'opt-in: name it in --sources'],
    fast: false,
    optIn: true,
    sampler: 'fsync_journal',
    params: { minIntervalUs: 2000 },
    batchSize: 4,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'nvme_latency',
    category: 'io',
    kind: 'physical',
    description: '4 KiB O_DIRECT reads at random offsets of an NVMe namespace (ns)',
    physics:
      'A direct read from an NVMe namespace is a submission/completion-queue round trip through the controller ' +
      'firmware and the flash read path, plus the completion interrupt. Only where an NVMe device exists and is ' +
      'readable (root or the disk group); a VM with virtio-blk has none. openentropy used F_NOCACHE, which Linux ' +
      'lacks, so its Linux version read the page cache.',
    requirements: ['an NVMe namespace (/dev/nvme*n*)', 'read access to it (root or disk group)'],
    fast: true,
    sampler: 'nvme_latency',
    batchSize: 64,
    credit: 1,
    extract: lowByte,
  },
];
