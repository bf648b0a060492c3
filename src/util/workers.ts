import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Piscina } from 'piscina';

const require = createRequire(import.meta.url);

/**
 * tsx's loader as an absolute URL: `--import tsx` would resolve the package from the process's working
 * directory, which fails when oe runs from source in another folder.
 */
export function tsxLoader(): string {
  return pathToFileURL(require.resolve('tsx')).href;
}

/**
 * How to start `<base>.ts` (source tree, through tsx's loader) or `<base>.js` (compiled) beside `fromUrl`
 * as a separate Node process: the script path and the arguments that go before it.
 */
export function childScript(fromUrl: string, base: string): { script: string; execArgv: string[] } {
  const fromSource = fromUrl.endsWith('.ts');
  return {
    script: fileURLToPath(new URL(`./${base}${fromSource ? '.ts' : '.js'}`, fromUrl)),
    execArgv: fromSource ? ['--import', tsxLoader()] : [],
  };
}

/**
 * Creates a piscina pool for a worker module that sits next to `fromUrl`, named `<base>.ts` in the
 * source tree and `<base>.js` once compiled. Under tsx or vitest (source tree) workers get tsx's
 * loader so they can run the TypeScript directly; compiled, they run plain JS. piscina itself is loaded
 * with the first pool, so a command that never makes one does not pay for it.
 */
export function createWorkerPool(
  fromUrl: string,
  base: string,
  options: { minThreads?: number; maxThreads?: number; idleTimeout?: number; concurrentTasksPerWorker?: number } = {},
): Piscina {
  const fromSource = fromUrl.endsWith('.ts');
  const filename = fileURLToPath(new URL(`./${base}${fromSource ? '.ts' : '.js'}`, fromUrl));
  const { Piscina: Pool } = require('piscina') as typeof import('piscina');
  return new Pool({
    filename,
    execArgv: fromSource ? ['--import', tsxLoader()] : [],
    ...options,
  });
}
