/**
 * The import rules between the stages of src/ (docs/ARCHITECTURE.md, "Layers and import rules"), checked on
 * the import graph: every `import`/`export … from`/`import()` of every file under src/ is parsed and its
 * target's folder checked against the importing folder's rule.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '..', 'src');

/** A stage: a folder under src/, or a top-level file (errors.ts, version.ts, index.ts) by its base name. */
type Layer =
  | 'util'
  | 'errors'
  | 'version'
  | 'contracts'
  | 'db'
  | 'analyze'
  | 'collect'
  | 'serve'
  | 'report'
  | 'jobs'
  | 'ui'
  | 'cli'
  | 'index';

interface Rule {
  /** Layers it may import (runtime or types). */
  imports: Layer[];
  /** Layers it may import types from only (`import type`, erased at run time). */
  types?: Layer[];
  /** Node built-in modules it may not import. */
  noBuiltins?: string[];
}

const BASE: Layer[] = ['util', 'errors', 'version'];
const ALL: Layer[] = [
  ...BASE,
  'contracts',
  'db',
  'analyze',
  'collect',
  'serve',
  'report',
  'jobs',
  'ui',
  'cli',
  'index',
];

/** Keep in step with docs/ARCHITECTURE.md ("Layers and import rules"). */
const RULES: Record<Layer, Rule> = {
  errors: { imports: [] },
  version: { imports: ['util'] },
  util: { imports: ['errors'] },
  contracts: { imports: BASE },
  db: { imports: BASE },
  // Pure statistics over typed arrays: no I/O, no stage above it.
  analyze: {
    imports: [...BASE, 'contracts'],
    noBuiltins: ['fs', 'fs/promises', 'net', 'http', 'https', 'child_process', 'dgram', 'dns'],
  },
  collect: { imports: [...BASE, 'contracts', 'db', 'analyze'] },
  serve: { imports: [...BASE, 'collect'] },
  report: { imports: [...BASE, 'contracts', 'analyze'], types: ['collect', 'jobs'] },
  jobs: { imports: [...BASE, 'contracts', 'db', 'analyze', 'collect', 'report'] },
  // `oe ui`: its server calls jobs and reads sessions; its browser code (ui/web) is checked on its own below.
  ui: { imports: [...BASE, 'contracts', 'db', 'analyze', 'collect', 'serve', 'report', 'jobs'] },
  cli: { imports: ALL.filter((l) => l !== 'index') },
  index: { imports: ALL.filter((l) => l !== 'cli' && l !== 'ui') },
};

interface Import {
  from: string;
  to: string;
  /** Every name is a type (`import type`, `export type`, or all specifiers marked `type`). */
  typeOnly: boolean;
}

/** The imports of one source text: static imports and re-exports with a `from`, and dynamic `import('…')`. */
function parseImports(text: string): { spec: string; typeOnly: boolean }[] {
  const out: { spec: string; typeOnly: boolean }[] = [];
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
  const stat = /(?:^|;|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
  for (const m of code.matchAll(stat)) {
    const clause = m[3].trim();
    const names = /^\{([\s\S]*)\}$/.exec(clause);
    const allTyped =
      names?.[1]
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => s.startsWith('type ')) === true;
    out.push({ spec: m[4], typeOnly: Boolean(m[2]) || allTyped });
  }
  for (const m of code.matchAll(/(?:^|;|\n)\s*import\s+['"]([^'"]+)['"]/g)) out.push({ spec: m[1], typeOnly: false });
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) out.push({ spec: m[1], typeOnly: false });
  return out;
}

/** The layer of a path relative to src/ ("analyze/stats/x.ts" → analyze, "errors.ts" → errors). */
function layerOf(rel: string): Layer {
  const first = rel.split('/')[0];
  return (first.includes('.') ? first.replace(/\.(t|j)sx?$/, '') : first) as Layer;
}

/** Every rule broken by `imports` (paths relative to src/; node built-ins as `node:x`). */
function violations(imports: readonly Import[]): string[] {
  const bad: string[] = [];
  for (const im of imports) {
    const a = layerOf(im.from);
    const rule = RULES[a];
    if (!rule) {
      bad.push(`${im.from}: ${a}/ has no rule in test/layers.test.ts (add one, and to docs/ARCHITECTURE.md)`);
      continue;
    }
    if (im.to.startsWith('node:')) {
      if (rule.noBuiltins?.includes(im.to.slice(5))) bad.push(`${im.from} imports ${im.to} (${a}/ does no I/O)`);
      continue;
    }
    const b = layerOf(im.to);
    if (a === b || rule.imports.includes(b)) continue;
    if (im.typeOnly && rule.types?.includes(b)) continue;
    const how = rule.types?.includes(b) ? ' at run time (types only)' : '';
    bad.push(`${im.from} imports ${im.to}${how}: ${a}/ may not import ${b}/`);
  }
  return bad;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sourceFiles(join(dir, e.name))
      : /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

/** The import graph of src/ (relative imports resolved to src/-relative .ts paths; bare packages left out). */
function srcImports(): Import[] {
  const out: Import[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = relative(SRC, file);
    for (const { spec, typeOnly } of parseImports(readFileSync(file, 'utf8'))) {
      if (spec.startsWith('node:')) out.push({ from, to: spec, typeOnly });
      else if (spec.startsWith('.')) {
        const to = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
        out.push({ from, to, typeOnly });
      } else if (['fs', 'fs/promises', 'net', 'http', 'child_process'].includes(spec))
        out.push({ from, to: `node:${spec}`, typeOnly });
    }
  }
  return out;
}

describe('layers: the import rules between stages', () => {
  const graph = srcImports();

  it('parses the graph (sanity: it sees the imports it must see)', () => {
    expect(graph.length).toBeGreaterThan(300);
    expect(graph).toContainEqual({
      from: 'jobs/session-analysis.ts',
      to: 'analyze/source-analysis.ts',
      typeOnly: false,
    });
    const layers = new Set(sourceFiles(SRC).map((f) => layerOf(relative(SRC, f))));
    expect([...layers].filter((l) => !RULES[l])).toEqual([]);
  });

  it('every import follows its stage’s rule', () => {
    expect(violations(graph)).toEqual([]);
  });

  it('the browser code of oe ui (src/ui/web) imports only itself, @observablehq/plot and the API types', () => {
    const web = join(SRC, 'ui', 'web');
    const apiTypes = join(SRC, 'ui', 'api-types.js');
    const bad: string[] = [];
    for (const file of sourceFiles(web))
      for (const { spec, typeOnly } of parseImports(readFileSync(file, 'utf8'))) {
        const target = resolve(dirname(file), spec);
        const inside = spec.startsWith('.') && !relative(web, target).startsWith('..');
        const types = typeOnly && target === apiTypes;
        if (!inside && !types && spec !== '@observablehq/plot') bad.push(`${relative(SRC, file)} imports ${spec}`);
      }
    expect(bad).toEqual([]);
    const outside = graph.filter((im) => im.to.startsWith('ui/') && !im.from.startsWith('ui/'));
    // Nothing but the `oe ui` command reaches into src/ui.
    expect(outside.map((im) => im.from)).toEqual(['cli/commands/ui.ts']);
  });

  it('the checker catches what the rules forbid', () => {
    expect(
      violations([
        { from: 'analyze/x.ts', to: 'collect/y.ts', typeOnly: false },
        { from: 'analyze/x.ts', to: 'db/index.ts', typeOnly: true },
        { from: 'analyze/x.ts', to: 'node:fs', typeOnly: false },
        { from: 'collect/x.ts', to: 'report/y.ts', typeOnly: false },
        { from: 'collect/x.ts', to: 'jobs/y.ts', typeOnly: true },
        { from: 'db/x.ts', to: 'collect/y.ts', typeOnly: false },
        { from: 'report/x.ts', to: 'jobs/y.ts', typeOnly: false },
        { from: 'report/x.ts', to: 'collect/sampler-pool.ts', typeOnly: false },
        { from: 'jobs/x.ts', to: 'cli/y.ts', typeOnly: false },
        { from: 'newstage/x.ts', to: 'util/y.ts', typeOnly: false },
        { from: 'jobs/x.ts', to: 'ui/server/y.ts', typeOnly: false },
        { from: 'index.ts', to: 'ui/server/y.ts', typeOnly: false },
      ]),
    ).toHaveLength(12);
    expect(
      violations([
        { from: 'report/x.ts', to: 'jobs/y.ts', typeOnly: true },
        { from: 'jobs/x.ts', to: 'collect/y.ts', typeOnly: false },
        { from: 'analyze/x.ts', to: 'contracts/schema.ts', typeOnly: false },
        { from: 'cli/x.ts', to: 'jobs/y.ts', typeOnly: false },
        { from: 'ui/server/x.ts', to: 'jobs/y.ts', typeOnly: false },
        { from: 'cli/commands/ui.ts', to: 'ui/server/server.ts', typeOnly: false },
      ]),
    ).toEqual([]);
  });

  it('tells type-only imports from runtime ones', () => {
    const r = parseImports(
      [
        "import type { A } from './a.js';",
        "import { type B, type C } from './b.js';",
        "import { type D, e } from './d.js';",
        "export { f } from './f.js';",
        "export type { G } from './g.js';",
        "const h = await import('./h.js');",
        "import './i.js';",
        "// import { j } from './j.js';",
      ].join('\n'),
    );
    expect(r).toEqual([
      { spec: './a.js', typeOnly: true },
      { spec: './b.js', typeOnly: true },
      { spec: './d.js', typeOnly: false },
      { spec: './f.js', typeOnly: false },
      { spec: './g.js', typeOnly: true },
      { spec: './i.js', typeOnly: false },
      { spec: './h.js', typeOnly: false },
    ]);
  });
});
