/**
 * yargs for the command line: the copy the build bundled into one module (scripts/vendor-yargs.mjs,
 * run by scripts/build-dist.mjs), which loads about 35 ms of CPU faster than the package's forty-odd
 * modules, or the package itself when running from src/ (tsx, vitest) or from a build without the bundle.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type yargsFactory from 'yargs';
import type { hideBin as hideBinFn } from 'yargs/helpers';

export interface Yargs {
  yargs: typeof yargsFactory;
  hideBin: typeof hideBinFn;
}

/** The bundle, relative to this file in dist/cli/ (absent under src/): dist/vendor/yargs/<BUNDLE_PATH>. */
export const VENDORED_YARGS_PATH = '../vendor/yargs/lib/platform-shims/yargs.js';
export const VENDORED_YARGS = new URL(VENDORED_YARGS_PATH, import.meta.url);

export async function loadYargs(vendored: URL = VENDORED_YARGS): Promise<Yargs> {
  if (existsSync(fileURLToPath(vendored))) {
    const m = (await import(vendored.href)) as { default: Yargs['yargs']; hideBin: Yargs['hideBin'] };
    return { yargs: m.default, hideBin: m.hideBin };
  }
  const [y, h] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs: y.default, hideBin: h.hideBin };
}
