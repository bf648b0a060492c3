/**
 * The library API is what src/index.ts exports, and docs/API.md ("## Library") lists exactly that:
 * every export is documented and nothing documented is missing or internal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as oe from '../src/index.js';

const root = join(import.meta.dirname, '..');

/** Every name src/index.ts exports (values and types), from its `export { … } from` clauses. */
function exportedNames(): string[] {
  const text = readFileSync(join(root, 'src/index.ts'), 'utf8');
  expect(text).not.toMatch(/export \*/); // every export is named, so this list is complete
  const names: string[] = [];
  for (const m of text.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}\s+from/g)) {
    for (const part of m[1].split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .pop();
      if (name) names.push(name);
    }
  }
  return names;
}

/**
 * The names docs/API.md's Library section documents: the leading identifier of every inline code span
 * outside fenced blocks (`assessSamples(data, options)` → assessSamples); spans naming a command
 * (`oe stream`) are not API names.
 */
function documentedNames(): string[] {
  const doc = readFileSync(join(root, 'docs/API.md'), 'utf8');
  const start = doc.indexOf('\n## Library\n');
  const end = doc.indexOf('\n## ', start + 1);
  expect(start).toBeGreaterThan(-1);
  const section = doc.slice(start, end < 0 ? undefined : end).replace(/```[\s\S]*?```/g, '');
  const names: string[] = [];
  for (const m of section.matchAll(/`([^`]+)`/g)) {
    if (/^oe\b/.test(m[1])) continue;
    const id = /^[A-Za-z_$][\w$]*/.exec(m[1]);
    expect(id, `code span \`${m[1]}\` in docs/API.md's Library section names no export`).not.toBeNull();
    names.push(id![0]);
  }
  return names;
}

describe('the library API', () => {
  it('docs/API.md documents exactly what src/index.ts exports', () => {
    const exported = new Set(exportedNames());
    const documented = new Set(documentedNames());
    expect([...exported].filter((n) => !documented.has(n)).sort(), 'exported but not in docs/API.md').toEqual([]);
    expect([...documented].filter((n) => !exported.has(n)).sort(), 'in docs/API.md but not exported').toEqual([]);
    expect(exported.size).toBeGreaterThan(100);
  });

  it('every value the parser found is a real export, and internals stay out', () => {
    const values = Object.keys(oe);
    for (const v of values) expect(exportedNames()).toContain(v);
    for (const internal of ['sqlString', 'tableRelation', 'samplesRelation', 'sampleDirect', 'writeParquet', 'igam']) {
      expect(values).not.toContain(internal);
    }
    for (const used of ['EntropyPool', 'recordSession', 'readSourceSamples', 'assessSamples', 'assessSp80022']) {
      expect(values).toContain(used);
    }
  });
});
