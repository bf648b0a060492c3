import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from './paths.js';

/** Where the compiled addon (native/, binding.gyp) lives: build/Release/oe_native.node. */
export function addonPath(): string {
  return join(packageRoot(), 'build', 'Release', 'oe_native.node');
}

let cached: unknown;

/**
 * Loads the addon once per thread (it is context-aware, so every worker loads its own instance);
 * null when it is not built. The samplers (src/collect/native.ts) and the analysis stage's native
 * kernels (bzip2-size.ts) both load it through here.
 */
export function tryLoadAddon(): unknown {
  if (cached) return cached;
  const path = addonPath();
  if (!existsSync(path)) return null;
  cached = createRequire(import.meta.url)(path);
  return cached;
}
