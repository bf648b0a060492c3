import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { OeError } from '../errors.js';
import { packageRoot } from '../util/paths.js';

const validators = new Map<string, ValidateFunction>();
let ajv: Ajv2020 | undefined;

/** The compiled validator of `schemas/<name>.schema.json` (JSON Schema 2020-12). */
export function schemaValidator(name: string): ValidateFunction {
  const cached = validators.get(name);
  if (cached) return cached;
  if (!ajv) {
    ajv = new Ajv2020({ allErrors: true, strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  }
  const path = join(packageRoot(), 'schemas', `${name}.schema.json`);
  const text = readFileSync(path, 'utf8');
  // A "$ref" to a sibling schema file ("sp800-22.schema.json#/…") needs that schema registered first.
  for (const m of text.matchAll(/"\$ref":\s*"([\w.-]+)\.schema\.json/g)) if (m[1] !== name) schemaValidator(m[1]);
  const v = ajv.compile(JSON.parse(text));
  validators.set(name, v);
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
