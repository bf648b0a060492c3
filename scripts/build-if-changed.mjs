#!/usr/bin/env node
// Builds the native addon (`native`) and/or the TypeScript (`ts`) only when their inputs changed since the
// last build, so npm's lifecycle scripts can run more than once without compiling twice.
//
// Why: `npx oe` run in this package's own root installs the package into npm's exec cache as a link to the
// root and runs its `prepare` and `install` scripts again (libnpmexec treats a local package with a matching
// bin as a directory spec). With unconditional `node-gyp rebuild` / `tsc` scripts, a new user's first
// `npm install && npx oe …` compiled everything twice.
//
// A stamp beside each output records a hash of the inputs (sources, build configuration, toolchain and Node
// versions) and a hash of the outputs. Both must match for a build to be skipped; any change rebuilds.
// The native stamp is build/oe-native.stamp.json, the TypeScript one (dist/ from src/ by tsc, then
// scripts/build-dist.mjs: the JSON Schema validators from schemas/ and the yargs bundle) dist/.oe-build-stamp.json, the `oe ui` front end's
// (dist/web/ from src/ui/web/ by scripts/build-web.mjs, esbuild) dist/web/.oe-build-stamp.json.
//
// Usage: node scripts/build-if-changed.mjs [native] [ts] [web] [--force]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** Every regular file under `dir` (recursive), as sorted paths relative to the package root. */
function filesUnder(dir, skip = () => false) {
  const out = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (skip(p)) continue;
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(root, p));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out.sort();
}

/** sha256 over names and contents, so a rename or a moved byte changes it; absolute paths play no part. */
function hashFiles(paths) {
  const h = createHash('sha256');
  for (const p of paths) {
    h.update(`${p}\0`);
    h.update(readFileSync(join(root, p)));
    h.update('\0');
  }
  return h.digest('hex');
}

function hashJson(value) {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex');
}

function packageVersion(name) {
  try {
    return JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')).version;
  } catch {
    return null;
  }
}

function readStamp(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.error) {
    process.stderr.write(`build-if-changed: cannot run ${cmd}: ${r.error.message}\n`);
    process.exit(1);
  }
  if (r.status !== 0) process.exit(r.status ?? 1);
}

/** npm hands its own node-gyp to lifecycle scripts in npm_config_node_gyp; outside npm, node-gyp on PATH. */
function nodeGyp(args) {
  const js = process.env.npm_config_node_gyp;
  if (js && existsSync(js)) run(process.execPath, [js, ...args]);
  else run('node-gyp', args);
}

const native = {
  name: 'native addon',
  stamp: join(root, 'build', 'oe-native.stamp.json'),
  output: 'build/Release/oe_native.node',
  /** What `node-gyp configure` depends on: a change here needs a full rebuild, not an incremental one. */
  config() {
    const env = Object.fromEntries(
      ['CC', 'CXX', 'CFLAGS', 'CXXFLAGS', 'LDFLAGS', 'npm_config_arch', 'npm_config_target'].map((k) => [
        k,
        process.env[k] ?? null,
      ]),
    );
    return hashJson({
      node: process.version,
      abi: process.versions.modules,
      napi: process.versions.napi,
      platform: process.platform,
      arch: process.arch,
      nodeAddonApi: packageVersion('node-addon-api'),
      gyp: readFileSync(join(root, 'binding.gyp'), 'utf8'),
      // binding.gyp lists native/src/*.cc when it is configured, so the file list is configuration too.
      ccFiles: filesUnder(join(root, 'native', 'src')).filter((p) => p.endsWith('.cc')),
      env,
    });
  },
  inputs() {
    return hashFiles(['binding.gyp', ...filesUnder(join(root, 'native'))]);
  },
  outputs() {
    return existsSync(join(root, this.output)) ? hashFiles([this.output]) : null;
  },
  build(previous, config) {
    // Same configuration and an existing Makefile: make rebuilds only what changed.
    const incremental = previous?.config === config && existsSync(join(root, 'build', 'Makefile'));
    nodeGyp([incremental ? 'build' : 'rebuild', '--jobs', 'max']);
  },
};

/**
 * The `tsc` npm scripts run: node_modules/.bin/tsc (today tslab's TypeScript, which npm links there instead of
 * the `typescript` devDependency's), or tsc on PATH; with its package's version for the stamp.
 */
function tscBin() {
  const local = join(root, 'node_modules', '.bin', 'tsc');
  if (!existsSync(local)) return { bin: 'tsc', version: null };
  const real = realpathSync(local);
  const pkg = join(dirname(dirname(real)), 'package.json');
  const version = existsSync(pkg) ? JSON.parse(readFileSync(pkg, 'utf8')).version : null;
  return { bin: real, version };
}

const ts = {
  name: 'TypeScript (dist/)',
  stamp: join(root, 'dist', '.oe-build-stamp.json'),
  config() {
    return hashJson({
      tsc: tscBin().version,
      node: process.version,
      // scripts/build-dist.mjs bundles the installed yargs with esbuild (dist/vendor/yargs/).
      yargs: packageVersion('yargs'),
      esbuild: packageVersion('esbuild'),
    });
  },
  inputs() {
    return hashFiles([
      'tsconfig.json',
      'tsconfig.build.json',
      'scripts/build-dist.mjs',
      'scripts/vendor-yargs.mjs',
      // src/ui/web/ is browser code outside tsconfig.build.json: the `web` target's input.
      ...filesUnder(join(root, 'src'), (p) => p === join(root, 'src', 'ui', 'web')),
      ...filesUnder(join(root, 'schemas')),
    ]);
  },
  outputs() {
    // dist/web/ is the `web` target's output, stamped on its own.
    const files = filesUnder(join(root, 'dist'), (p) => p === this.stamp || p === web.dir);
    return files.length > 0 ? hashFiles(files) : null;
  },
  build() {
    const { bin } = tscBin();
    if (bin === 'tsc') run('tsc', ['-p', 'tsconfig.build.json']);
    else run(process.execPath, [bin, '-p', 'tsconfig.build.json']);
    // The JSON Schema validators precompiled from schemas/ by the built code, and the yargs bundle.
    run(process.execPath, [join(root, 'scripts', 'build-dist.mjs')]);
  },
};

const web = {
  name: 'oe ui front end (dist/web/)',
  dir: join(root, 'dist', 'web'),
  stamp: join(root, 'dist', 'web', '.oe-build-stamp.json'),
  config() {
    return hashJson({ esbuild: packageVersion('esbuild'), plot: packageVersion('@observablehq/plot') });
  },
  inputs() {
    return hashFiles(['scripts/build-web.mjs', ...filesUnder(join(root, 'src', 'ui', 'web'))]);
  },
  outputs() {
    const files = filesUnder(this.dir, (p) => p === this.stamp);
    return files.length > 0 ? hashFiles(files) : null;
  },
  build() {
    run(process.execPath, [join(root, 'scripts', 'build-web.mjs'), this.dir]);
  },
};

/** Skips the build when config, inputs and outputs all match the stamp; otherwise builds and re-stamps. */
function buildIfChanged(target, force) {
  const previous = readStamp(target.stamp);
  const config = target.config();
  const inputs = target.inputs();
  const outputs = target.outputs();
  const current =
    previous !== null &&
    outputs !== null &&
    previous.config === config &&
    previous.inputs === inputs &&
    previous.outputs === outputs;
  if (current && !force) {
    process.stderr.write(`oe: ${target.name} is up to date (same sources and toolchain), not rebuilt\n`);
    return;
  }
  target.build(previous, config);
  const built = target.outputs();
  if (built === null) {
    process.stderr.write(`build-if-changed: ${target.name} built nothing\n`);
    process.exit(1);
  }
  // The inputs hashed before the build: sources edited during it leave the stamp stale, so the next run rebuilds.
  writeFileSync(target.stamp, `${JSON.stringify({ config, inputs, outputs: built }, null, 2)}\n`);
}

const args = process.argv.slice(2);
const force = args.includes('--force');
const targets = args.filter((a) => a !== '--force');
const TARGETS = { native, ts, web };
if (targets.length === 0 || targets.some((t) => !Object.hasOwn(TARGETS, t))) {
  process.stderr.write('usage: node scripts/build-if-changed.mjs [native] [ts] [web] [--force]\n');
  process.exit(2);
}
for (const t of targets) buildIfChanged(TARGETS[t], force);
