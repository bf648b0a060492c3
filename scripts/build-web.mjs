#!/usr/bin/env node
/**
 * Builds the `oe ui` front end: bundles src/ui/web/main.ts with @observablehq/plot (esbuild) into
 * <out>/app.js and copies index.html, app.css and favicon.svg beside it. <out> defaults to dist/web,
 * where `oe ui` serves it from; `npm run prepare` (after npm install / npm ci) and `npm run build` run it.
 * Usage: node scripts/build-web.mjs [out-dir]
 */
import { copyFileSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const web = join(root, 'src', 'ui', 'web');
const out = resolve(process.argv[2] ?? join(root, 'dist', 'web'));
mkdirSync(out, { recursive: true });

await build({
  entryPoints: [join(web, 'main.ts')],
  outfile: join(out, 'app.js.tmp'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022'],
  minify: true,
  charset: 'utf8',
  legalComments: 'eof',
  logLevel: 'warning',
});
renameSync(join(out, 'app.js.tmp'), join(out, 'app.js'));
for (const f of ['index.html', 'app.css', 'favicon.svg']) copyFileSync(join(web, f), join(out, f));
