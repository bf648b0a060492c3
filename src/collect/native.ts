import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { OeError } from '../errors.js';
import { packageRoot } from '../util/paths.js';

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

let cached: NativeAddon | undefined;

/** Loads the addon once per thread (it is context-aware, so every worker loads its own instance). */
export function loadNative(): NativeAddon {
  if (cached) return cached;
  const root = packageRoot();
  const path = join(root, 'build', 'Release', 'oe_native.node');
  if (!existsSync(path)) {
    throw new OeError('UNAVAILABLE', `native addon not built (${path} missing): run "npm install" or "npm run build"`);
  }
  const require = createRequire(import.meta.url);
  cached = require(path) as NativeAddon;
  return cached;
}
