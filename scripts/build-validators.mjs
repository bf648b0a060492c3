#!/usr/bin/env node
// Part of the build (after tsc): precompiles every schemas/*.schema.json into
// dist/contracts/validators/<name>.cjs (src/contracts/precompile.ts), so commands validate their JSON
// without loading ajv's compiler.
import { precompileValidators } from '../dist/contracts/precompile.js';

const files = precompileValidators();
process.stdout.write(`precompiled ${files.length} JSON Schema validators into dist/contracts/validators/\n`);
