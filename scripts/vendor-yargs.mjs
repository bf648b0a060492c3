// Bundles yargs (and yargs/helpers' hideBin) with its dependencies into one ES module, `outfile`, with
// esbuild: loading one file instead of about forty is the point (src/cli/yargs.ts).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export async function bundleYargs(outfile = join(root, 'dist', 'vendor', 'yargs.js')) {
  await build({
    stdin: {
      contents: "export { default } from 'yargs';\nexport { hideBin } from 'yargs/helpers';\n",
      resolveDir: root,
      sourcefile: 'vendor-yargs.js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile,
    logLevel: 'warning',
  });
  return outfile;
}
