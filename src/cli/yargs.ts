/**
 * yargs for the command line: the copy the build bundled into one module (dist/vendor/yargs.js, see
 * scripts/build-dist.mjs), which loads about 35 ms of CPU faster than the package's forty-odd modules,
 * or the package itself when running from src/ (tsx, vitest) or from a build without the bundle.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type yargsFactory from 'yargs';
import type { hideBin as hideBinFn } from 'yargs/helpers';

export interface Yargs {
  yargs: typeof yargsFactory;
  hideBin: typeof hideBinFn;
}

/** The bundled module beside this file's folder in dist/ (absent under src/). */
export const VENDORED_YARGS = new URL('../vendor/yargs.js', import.meta.url);

export async function loadYargs(vendored: URL = VENDORED_YARGS): Promise<Yargs> {
  if (existsSync(fileURLToPath(vendored))) {
    const m = (await import(vendored.href)) as { default: Yargs['yargs']; hideBin: Yargs['hideBin'] };
    return { yargs: m.default, hideBin: m.hideBin };
  }
  const [y, h] = await Promise.all([import('yargs'), import('yargs/helpers')]);
  return { yargs: y.default, hideBin: h.hideBin };
}
