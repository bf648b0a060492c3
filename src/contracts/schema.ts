/**
 * JSON-Schema validation of the JSON oe writes (schemas/<name>.schema.json, JSON Schema 2020-12).
 *
 * A build (`npm run build:ts`) compiles every schema ahead of time into dist/contracts/validators/
 * <name>.cjs (scripts/build-dist.mjs, ajv's standalone code), so a command loads one small
 * module instead of ajv and its compiler (about 140 ms of CPU for the SP 800-22 schema here). Each
 * precompiled validator carries the digest of the schema texts it was built from and is used only
 * while they are unchanged; otherwise (and when running from src/) ajv compiles the schema here.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Ajv2020, ValidateFunction } from 'ajv/dist/2020.js';
import { OeError } from '../errors.js';
import { packageRoot } from '../util/paths.js';

const require = createRequire(import.meta.url);
const validators = new Map<string, ValidateFunction>();
let ajv: Ajv2020 | undefined;

/** Where the build puts the precompiled validators (beside this module in dist/). */
export const PRECOMPILED_DIR = join(dirname(fileURLToPath(import.meta.url)), 'validators');

function schemaText(name: string): string {
  return readFileSync(join(packageRoot(), 'schemas', `${name}.schema.json`), 'utf8');
}

/** The other schema files a schema refers to ("$ref": "sp800-22.schema.json#/…"). */
function referencedSchemas(name: string, text: string): string[] {
  return [...new Set([...text.matchAll(/"\$ref":\s*"([\w.-]+)\.schema\.json/g)].map((m) => m[1]))].filter(
    (n) => n !== name,
  );
}

/** Names of `name` and every schema it refers to, directly or not, sorted. */
function schemaClosure(name: string, seen = new Set<string>()): string[] {
  if (seen.has(name)) return [...seen];
  seen.add(name);
  for (const r of referencedSchemas(name, schemaText(name))) schemaClosure(r, seen);
  return [...seen].sort();
}

/** sha256 over the texts of `name` and the schemas it refers to: what a precompiled validator was built from. */
export function schemaDigest(name: string): string {
  const h = createHash('sha256');
  for (const n of schemaClosure(name)) h.update(`${n}\n${schemaText(n)}\n`);
  return h.digest('hex');
}

/** The precompiled validator of `name` in `dir`, when the build made one from the current schema texts. */
export function precompiledValidator(name: string, dir: string = PRECOMPILED_DIR): ValidateFunction | undefined {
  const file = join(dir, `${name}.cjs`);
  if (!existsSync(file)) return undefined;
  const mod = require(file) as ValidateFunction & { digest?: string };
  return mod.digest === schemaDigest(name) ? mod : undefined;
}

/** The ajv instance with every option the schemas need (also used by the build to precompile them). */
export function createAjv(options: { source?: boolean } = {}): Ajv2020 {
  const { Ajv2020: Ajv } = require('ajv/dist/2020.js') as typeof import('ajv/dist/2020.js');
  const addFormats = require('ajv-formats') as { default: (a: Ajv2020) => void };
  const a = new Ajv({ allErrors: true, strict: false, code: { source: options.source ?? false } });
  addFormats.default(a);
  return a;
}

/**
 * The ajv validator of `name`, compiled in `a` (default: this module's instance) after registering the
 * schemas it refers to.
 */
export function compileSchema(name: string, instance?: Ajv2020): ValidateFunction {
  if (!instance) ajv ??= createAjv();
  const a = instance ?? (ajv as Ajv2020);
  for (const n of schemaClosure(name)) {
    const schema = JSON.parse(schemaText(n)) as { $id: string };
    if (n !== name && !a.getSchema(schema.$id)) a.addSchema(schema);
  }
  const schema = JSON.parse(schemaText(name)) as { $id: string };
  return a.getSchema(schema.$id) ?? a.compile(schema);
}

/** The validator of `schemas/<name>.schema.json`: precompiled by the build, or compiled now. */
export function schemaValidator(name: string): ValidateFunction {
  let v = validators.get(name);
  if (!v) {
    v = precompiledValidator(name) ?? compileSchema(name);
    validators.set(name, v);
  }
  return v;
}

/** Why `data` does not match schema `name` (its first three violations on one line), or null when it does. */
export function schemaViolations(name: string, data: unknown): string | null {
  const v = schemaValidator(name);
  if (v(data)) return null;
  return (v.errors ?? [])
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message}`)
    .join('; ');
}

/** Throws an OeError naming the first violations when `data` does not match schema `name`. */
export function assertSchema(name: string, data: unknown): void {
  const why = schemaViolations(name, data);
  if (why !== null) throw new OeError('FAILED', `output does not match schemas/${name}.schema.json: ${why}`);
}
