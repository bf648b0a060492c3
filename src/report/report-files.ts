import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { type BitSequence, bitsFromAscii } from '../analyze/sp800-22/bits.js';
import { packBits } from '../analyze/sp800-22/run-sequences.js';
import { errorMessage, OeError } from '../errors.js';
import type { RenderedReport } from './markdown-report.js';

export type BitFormat = 'binary' | 'ascii';

/**
 * Reads a bit file: 'binary' = raw bytes, bits most significant first; 'ascii' = NIST's format of
 * '0'/'1' characters with whitespace ignored. Returns the byte stream (for ASCII, the bits packed MSB
 * first) that the battery, the extended tests and the plots use, and for ASCII also the bits (their
 * count need not be a multiple of 8).
 */
export function readBitFile(path: string, format: BitFormat): { seq?: BitSequence; nBits: number; bytes: Uint8Array } {
  let raw: Buffer;
  try {
    if (statSync(path).isDirectory()) throw new OeError('BAD_INPUT', `${path} is a directory, not a bit file`);
    raw = readFileSync(path);
  } catch (e) {
    if (e instanceof OeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new OeError('NOT_FOUND', `input file not found: ${path}`);
    throw new OeError('IO', `cannot read ${path}: ${errorMessage(e)}`);
  }
  const bytes = new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
  if (format === 'ascii') {
    let seq: BitSequence;
    try {
      seq = bitsFromAscii(bytes);
    } catch (e) {
      throw new OeError('BAD_INPUT', `${path}: ${errorMessage(e)} (is it a binary file? use --format binary)`);
    }
    if (seq.n === 0) throw new OeError('BAD_INPUT', `${path} has no bits ('0'/'1' characters)`);
    return { seq, nBits: seq.n, bytes: packBits(seq).subarray(0, Math.floor(seq.n / 8)) };
  }
  if (bytes.length === 0) throw new OeError('BAD_INPUT', `${path} is empty`);
  // Binary input stays packed: each sequence is unpacked only while it is tested.
  return { nBits: bytes.length * 8, bytes };
}

/** The plot directory beside a report file: report.md → report-plots. */
export function plotDirFor(outputPath: string): string {
  const stem = basename(outputPath, extname(outputPath));
  return `${stem}-plots`;
}

/**
 * Writes a rendered report: the plots into their directory beside the report, then the Markdown
 * atomically (tmp + rename). Returns the paths written.
 */
export function writeReportFiles(rendered: RenderedReport, outputPath: string): string[] {
  const dir = dirname(outputPath);
  const written: string[] = [];
  try {
    for (const p of rendered.plots) {
      const full = join(dir, p.path);
      mkdirSync(dirname(full), { recursive: true });
      writeFileSync(full, p.svg);
      written.push(full);
    }
    const tmp = `${outputPath}.${process.pid}.tmp`;
    writeFileSync(tmp, rendered.markdown.endsWith('\n') ? rendered.markdown : `${rendered.markdown}\n`);
    renameSync(tmp, outputPath);
    written.unshift(outputPath);
  } catch (e) {
    throw new OeError('IO', `cannot write the report ${outputPath}: ${errorMessage(e)}`);
  }
  return written;
}
