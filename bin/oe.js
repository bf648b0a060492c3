#!/usr/bin/env node
import { existsSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'dist', 'cli', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('oe: not built (dist/ missing): run "npm install" or "npm run build"\n');
  process.exit(1);
}
// Node 22.1 and later keep V8's compiled code of oe's modules between runs (Node 20 has no such cache).
module.enableCompileCache?.();
const { main } = await import(entry);
await main();
