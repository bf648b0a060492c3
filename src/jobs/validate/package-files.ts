/**
 * The package folder's files and its checksum manifest: SHA256SUMS lists every file under the folder
 * (relative paths, sorted) in the `sha256sum` format ("<hex>  <path>"), so `sha256sum -c SHA256SUMS`
 * checks it as well as `oe validate --verify DIR`, which also reports files that are not listed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { sha256File } from '../../db/index.js';
import { errorMessage, OeError } from '../../errors.js';

export const MANIFEST = 'SHA256SUMS';

/** Writes a file of the package, creating its folder. */
export function writePackageFile(dir: string, rel: string, data: string | Uint8Array): void {
  const path = join(dir, rel);
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (e) {
    throw new OeError('IO', `cannot write ${path}: ${errorMessage(e)}`);
  }
}

/** Every regular file under `dir`, as sorted '/'-separated relative paths. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

/** Writes SHA256SUMS over every file of the package but itself; returns the number of files. */
export function writeManifest(dir: string): number {
  const files = listFiles(dir).filter((f) => f !== MANIFEST);
  const lines = files.map((f) => `${sha256File(join(dir, f))}  ${f}`);
  writePackageFile(dir, MANIFEST, `${lines.join('\n')}\n`);
  return files.length;
}

export interface VerifyResult {
  dir: string;
  files: number;
  ok: string[];
  mismatched: string[];
  missing: string[];
  /** Files in the folder that the manifest does not list. */
  unlisted: string[];
  valid: boolean;
}

/** Re-checks a package against its SHA256SUMS. */
export function verifyPackage(dir: string): VerifyResult {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new OeError('NOT_FOUND', `${dir} is not a folder`);
  const path = join(dir, MANIFEST);
  if (!existsSync(path)) throw new OeError('BAD_INPUT', `${dir} has no ${MANIFEST}: not a validation package`);
  const listed = new Map<string, string>();
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .forEach((line, i) => {
      const m = /^([0-9a-f]{64}) [ *](.+)$/.exec(line);
      if (!m || m[2].includes('..'))
        throw new OeError('BAD_INPUT', `${MANIFEST} line ${i + 1} is not "<sha256>  <file>"`);
      listed.set(m[2], m[1]);
    });
  const r: VerifyResult = { dir, files: listed.size, ok: [], mismatched: [], missing: [], unlisted: [], valid: false };
  for (const [file, hash] of listed) {
    const p = join(dir, file);
    if (!existsSync(p)) r.missing.push(file);
    else if (sha256File(p) !== hash) r.mismatched.push(file);
    else r.ok.push(file);
  }
  r.unlisted = listFiles(dir).filter((f) => f !== MANIFEST && !listed.has(f));
  r.valid = r.mismatched.length === 0 && r.missing.length === 0 && r.unlisted.length === 0;
  return r;
}
