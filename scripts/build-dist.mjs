#!/usr/bin/env node
// The build's steps after tsc (npm run build:ts, build, prepare), both for the commands' start-up:
// 1. every schemas/*.schema.json precompiled into dist/contracts/validators/<name>.cjs
//    (src/contracts/precompile.ts), so commands validate their JSON without ajv's compiler;
// 2. yargs and its dependencies bundled into one module in dist/vendor/yargs/ (scripts/vendor-yargs.mjs;
//    src/cli/yargs.ts loads it when present).
// Its inputs: dist/ (from src/ by tsc), schemas/, these two scripts, and the installed yargs and esbuild.
import { precompileValidators } from '../dist/contracts/precompile.js';
import { bundleYargs } from './vendor-yargs.mjs';

const files = precompileValidators();
process.stdout.write(`precompiled ${files.length} JSON Schema validators into dist/contracts/validators/\n`);
process.stdout.write(`bundled yargs into ${await bundleYargs()}\n`);
