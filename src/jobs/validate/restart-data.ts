/**
 * Restart data for SP 800-90B §3.1.4: `restarts` fresh processes (restart-child.ts), each loading the
 * native sampler as after a power-up and keeping the source's first `samplesPerRestart` measurements;
 * the parent maps every restart's measurements with the package's mapping and writes row i of the
 * matrix from restart i (NIST's row layout: row-major, one sample per byte). The processes run
 * `concurrency` at a time (default: the CPU count).
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import type { SourceSpec } from '../../collect/types.js';
import { OeError } from '../../errors.js';
import { settleLimited } from '../../util/limit.js';
import { childScript } from '../../util/workers.js';

export interface RestartDataOptions {
  restarts: number;
  samplesPerRestart: number;
  /** Restart processes at once (default: the CPU count). */
  concurrency?: number;
  /** Deadline of each restart's sampling, ms (default 60 000). */
  timeoutMs?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface RestartData {
  /** restarts × samplesPerRestart mapped samples, row-major. */
  matrix: Uint8Array;
  restarts: number;
  samplesPerRestart: number;
  /** Wall-clock seconds for all restarts, and the concurrency used. */
  seconds: number;
  concurrency: number;
}

/** Runs one restart process and returns its raw measurements. */
function oneRestart(spec: SourceSpec, n: number, timeoutMs: number): Promise<BigInt64Array> {
  const { script, execArgv } = childScript(import.meta.url, 'restart-child');
  const args = [...execArgv, script, spec.sampler, JSON.stringify(spec.params ?? {}), String(n), String(timeoutMs)];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new OeError('FAILED', `cannot start a restart process: ${e.message}`)));
    child.on('close', (code, signal) => {
      const bytes = Buffer.concat(out);
      if (code !== 0 || bytes.length !== n * 8) {
        const why = Buffer.concat(err).toString('utf8').trim().split('\n').at(-1) || `exit ${signal ?? code}`;
        reject(new OeError('FAILED', `source ${spec.name}: a restart process failed: ${why}`));
        return;
      }
      const values = new BigInt64Array(n);
      new Uint8Array(values.buffer).set(bytes);
      resolve(values);
    });
  });
}

/** Collects the restart matrix (see the module comment); `map` turns raw measurements into samples. */
export async function collectRestartData(
  spec: SourceSpec,
  map: (values: BigInt64Array) => Uint8Array,
  options: RestartDataOptions,
): Promise<RestartData> {
  const { restarts, samplesPerRestart: n } = options;
  const concurrency = Math.max(1, options.concurrency ?? availableParallelism());
  const matrix = new Uint8Array(restarts * n);
  const t0 = performance.now();
  let done = 0;
  let failure: unknown;
  const rows = Array.from({ length: restarts }, (_, i) => i);
  // the first failing restart stops the others from starting (a broken source fails every one)
  await settleLimited(rows, concurrency, async (i) => {
    if (failure !== undefined) return;
    try {
      const values = await oneRestart(spec, n, options.timeoutMs ?? 60_000);
      matrix.set(map(values), i * n);
      options.onProgress?.(++done, restarts);
    } catch (e) {
      failure ??= e;
    }
  });
  if (failure !== undefined) throw failure;
  return { matrix, restarts, samplesPerRestart: n, seconds: (performance.now() - t0) / 1000, concurrency };
}
