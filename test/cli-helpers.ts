import { main } from '../src/cli/main.js';
import type { Yargs } from '../src/cli/yargs.js';

/**
 * Runs the CLI in this process through its edge (src/cli/main.ts, as bin/oe does), capturing stdout, stderr and
 * the exit code; the process's own exit code is restored afterwards. `cli`: another yargs than the one main() loads.
 */
export async function runOeInProcess(
  args: string[],
  cli?: Yargs,
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write;
  const err = process.stderr.write;
  const saved = process.exitCode;
  process.exitCode = 0;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  try {
    await main(args, cli);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = saved;
  return { code, stdout, stderr };
}
