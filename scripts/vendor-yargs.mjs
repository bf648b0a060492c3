// Bundles yargs (and yargs/helpers' hideBin) with its dependencies into one ES module with esbuild:
// loading one file instead of about forty is the point (src/cli/yargs.ts).
//
// The bundle keeps yargs' own layout where it matters. yargs' ESM platform shim finds its message
// catalogues at `../../../locales` from its own file (lib/platform-shims/esm.mjs → locales/), so the
// bundle is written at the same place in a copy of that layout, <dir>/lib/platform-shims/yargs.js,
// with the catalogues copied to <dir>/locales: the bundle speaks the user's language as the package
// does. <dir>/LICENSES.txt holds the license texts of every package the bundle contains.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the build puts the bundle (src/cli/yargs.ts looks for it at VENDORED_YARGS, from dist/cli/). */
export const YARGS_DIR = join(root, 'dist', 'vendor', 'yargs');
/** The bundle's path inside its folder: that of yargs' ESM platform shim in the package. */
export const BUNDLE_PATH = join('lib', 'platform-shims', 'yargs.js');

/** The package folders (node_modules/<name> or node_modules/@scope/<name>) of the bundled inputs. */
function bundledPackages(inputs) {
  const dirs = new Set();
  for (const file of inputs) {
    const m = /^(.*node_modules[\\/](?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(file);
    if (m) dirs.add(m[1]);
  }
  return [...dirs].sort();
}

/** The license texts of the bundled packages, one after the other, each under its name and version. */
function licenses(packageDirs) {
  const parts = [];
  for (const rel of packageDirs) {
    const dir = join(root, rel);
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const file = readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f));
    const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `License: ${pkg.license}`;
    parts.push(`${pkg.name} ${pkg.version}\n${'-'.repeat(60)}\n${text}\n`);
  }
  return parts.join('\n');
}

/** Bundles yargs into `dir` (default dist/vendor/yargs); returns the bundle's path. */
export async function bundleYargs(dir = YARGS_DIR) {
  const outfile = join(dir, BUNDLE_PATH);
  mkdirSync(dirname(outfile), { recursive: true });
  const result = await build({
    stdin: {
      contents: "export { default } from 'yargs';\nexport { hideBin } from 'yargs/helpers';\n",
      resolveDir: root,
      sourcefile: 'vendor-yargs.js',
    },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    outfile: `${outfile}.tmp`,
    metafile: true,
    legalComments: 'eof',
    logLevel: 'warning',
  });
  const locales = join(root, 'node_modules', 'yargs', 'locales');
  mkdirSync(join(dir, 'locales'), { recursive: true });
  for (const f of readdirSync(locales)) copyFileSync(join(locales, f), join(dir, 'locales', f));
  const packages = bundledPackages(Object.keys(result.metafile.inputs).map((f) => f.split('/').join(sep)));
  writeFileSync(join(dir, 'LICENSES.txt'), licenses(packages));
  // Renamed last: a bundle that exists is complete, with its catalogues beside it.
  renameSync(`${outfile}.tmp`, outfile);
  return outfile;
}
