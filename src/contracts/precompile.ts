/**
 * Ahead-of-time compilation of the JSON Schemas (run by the build: `node scripts/build-dist.mjs`
 * after tsc): one CommonJS module per schema with ajv's standalone code and the digest of the schema
 * texts it came from (schema.ts uses it only while they match).
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { compileSchema, createAjv, PRECOMPILED_DIR, schemaDigest } from './schema.js';

const require = createRequire(import.meta.url);

/** Every schema name in schemas/. */
export function schemaNames(): string[] {
  return readdirSync(join(packageRoot(), 'schemas'))
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => f.slice(0, -'.schema.json'.length))
    .sort();
}

/** Writes `<outDir>/<name>.cjs` for every schema; returns the files written. */
export function precompileValidators(outDir: string = PRECOMPILED_DIR): string[] {
  const standaloneCode = (require('ajv/dist/standalone') as { default: (a: unknown, v: unknown) => string }).default;
  const ajv = createAjv({ source: true });
  mkdirSync(outDir, { recursive: true });
  return schemaNames().map((name) => {
    const code = standaloneCode(ajv, compileSchema(name, ajv));
    const file = join(outDir, `${name}.cjs`);
    writeFileSync(file, `${code}\nmodule.exports.digest = ${JSON.stringify(schemaDigest(name))};\n`);
    return file;
  });
}
