import { tryLoadAddon } from '../../util/addon.js';

/**
 * The permutation rounds' hot loops in C++, from the addon (native/src/bzip2_size.cc and
 * native/src/permutation_stats.cc): the same results as their TypeScript and WebAssembly forms
 * (bzip2TextSize, fusedStatistics, collisionTimes, the kernel's shuffle), which stay the reference and
 * the fallback when the addon is not built.
 */
export interface NativeKernels {
  /** bzip2TextSize for ≥ 2 values (−1 for fewer). */
  bzip2TextSize(raw: Uint8Array): number;
  /** fusedStatistics for s and raw of the same length ≥ 2, into out[0..5] and out[8..17]. */
  fusedStatistics(s: Uint8Array, raw: Uint8Array, mean: number, median: number, out: Float64Array): void;
  /** collisionTimes: out[0..2] = sum, count, max. */
  collisionTimes(s: Uint8Array, out: Float64Array): void;
  /** One round's Fisher–Yates shuffle of a (and b alike) with RoundRng's draws; state (4 words) is updated. */
  shuffle(a: Uint8Array, b: Uint8Array | null, state: Uint32Array): void;
}

let kernels: NativeKernels | null | undefined;

/** The kernels when the addon is built with them (an older build lacks them), else null. Once per thread. */
export function nativeKernels(): NativeKernels | null {
  if (kernels === undefined) {
    const addon = tryLoadAddon() as Partial<NativeKernels> | null;
    kernels =
      typeof addon?.bzip2TextSize === 'function' &&
      typeof addon.fusedStatistics === 'function' &&
      typeof addon.collisionTimes === 'function' &&
      typeof addon.shuffle === 'function'
        ? (addon as NativeKernels)
        : null;
  }
  return kernels;
}
