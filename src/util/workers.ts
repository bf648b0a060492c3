import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';

/**
 * tsx's loader as an absolute URL: `--import tsx` would resolve the package from the process's working
 * directory, which fails when oe runs from source in another folder.
 */
export function tsxLoader(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
}

/**
 * Creates a piscina pool for a worker module that sits next to `fromUrl`, named `<base>.ts` in the
 * source tree and `<base>.js` once compiled. Under tsx or vitest (source tree) workers get tsx's
 * loader so they can run the TypeScript directly; compiled, they run plain JS.
 */
export function createWorkerPool(
  fromUrl: string,
  base: string,
  options: { minThreads?: number; maxThreads?: number; idleTimeout?: number; concurrentTasksPerWorker?: number } = {},
): Piscina {
  const fromSource = fromUrl.endsWith('.ts');
  const filename = fileURLToPath(new URL(`./${base}${fromSource ? '.ts' : '.js'}`, fromUrl));
  return new Piscina({
    filename,
    execArgv: fromSource ? ['--import', tsxLoader()] : [],
    ...options,
  });
}
