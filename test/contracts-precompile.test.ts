import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { telemetrySnapshot } from '../src/collect/telemetry/index.js';
import { precompileValidators, schemaNames } from '../src/contracts/precompile.js';
import { compileSchema, precompiledValidator, schemaDigest } from '../src/contracts/schema.js';

// Inside the package, as dist/contracts/validators is: the modules require ajv's runtime from node_modules.
const cache = join(import.meta.dirname, '..', '.vitest-cache');
mkdirSync(cache, { recursive: true });
const dir = mkdtempSync(join(cache, 'validators-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('validators precompiled at build time (scripts/build-dist.mjs)', () => {
  const files = precompileValidators(dir);

  it('writes one module per schema, carrying the digest of the schema texts it was built from', () => {
    expect(files).toHaveLength(schemaNames().length);
    expect(schemaNames()).toContain('report');
    for (const name of schemaNames()) {
      const v = precompiledValidator(name, dir);
      expect(v, name).toBeTypeOf('function');
      expect(readFileSync(join(dir, `${name}.cjs`), 'utf8')).toContain(schemaDigest(name));
    }
    // report.schema.json refers to sp800-22 and telemetry_v1: its digest covers them.
    expect(schemaDigest('report')).not.toBe(schemaDigest('sp800-22'));
  });

  it('decides and explains exactly as ajv compiling the schema at run time', () => {
    const snap = telemetrySnapshot();
    const docs: [string, unknown][] = [
      ['telemetry_v1', snap],
      ['telemetry_v1', { ...snap, cpu_count: 'two' }],
      ['telemetry_v1', { ...snap, metrics: [{ domain: 'x' }] }],
    ];
    for (const name of schemaNames()) for (const d of [{}, [], { kind: 1 }, null]) docs.push([name, d]);
    let valid = 0;
    for (const [name, doc] of docs) {
      const pre = precompiledValidator(name, dir)!;
      const ajv = compileSchema(name);
      const ok = pre(doc);
      expect(ok, `${name} ${JSON.stringify(doc).slice(0, 60)}`).toBe(ajv(doc));
      expect(pre.errors ?? null).toEqual(ajv.errors ?? null);
      if (ok) valid++;
    }
    expect(valid).toBe(1);
  });

  it('is not used once a schema text changes (a stale build compiles at run time instead)', () => {
    const stale = mkdtempSync(join(cache, 'validators-stale-'));
    const text = readFileSync(join(dir, 'scan.cjs'), 'utf8');
    writeFileSync(join(stale, 'scan.cjs'), text.replace(schemaDigest('scan'), '0'.repeat(64)));
    expect(precompiledValidator('scan', stale)).toBeUndefined();
    rmSync(stale, { recursive: true, force: true });
    expect(precompiledValidator('no-such-schema', dir)).toBeUndefined();
  });
});
