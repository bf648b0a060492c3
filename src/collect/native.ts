import { OeError } from '../errors.js';
import { addonPath, tryLoadAddon } from '../util/addon.js';

/** Fills `out` in place; returns how many entries were filled and their unit. */
export type NativeSampleFn = (
  name: string,
  out: BigInt64Array,
  params?: Record<string, number | boolean>,
  cancel?: Int32Array | null,
  timeoutMs?: number,
) => { filled: number; unit: string };

/** The shape of the compiled addon (native/src/addon.cc). */
export interface NativeAddon {
  /** Runs the batch on the calling thread's crash-guarded runner thread (native/src/oe_guard.cc). */
  sample: NativeSampleFn;
  /** `sample` without the crash guard, in the calling thread: the benchmark's baseline only (a fault kills the process). */
  sampleUnguarded: NativeSampleFn;
  /** null when the sampler can run here, otherwise the reason it cannot. */
  probe(name: string, params?: Record<string, number | boolean>): string | null;
  list(): { name: string; unit: string }[];
  arch(): string;
  tickUnit: 'tsc' | 'ns';
}

/** Loads the addon once per thread (it is context-aware, so every worker loads its own instance). */
export function loadNative(): NativeAddon {
  const addon = tryLoadAddon() as NativeAddon | null;
  if (!addon) {
    throw new OeError(
      'UNAVAILABLE',
      `native addon not built (${addonPath()} missing): run "npm install" or "npm run build"`,
    );
  }
  return addon;
}
