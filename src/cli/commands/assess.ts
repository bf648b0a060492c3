import { readFileSync, statSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { assessSamples } from '../../analyze/sp800-90b/assess.js';
import { formatAssessText } from '../../analyze/sp800-90b/assess-text.js';
import { formatNistJson, iidToNistJson, nonIidToNistJson } from '../../analyze/sp800-90b/nist-json.js';
import { readSourceSamples } from '../../collect/session/reader.js';
import { resolveSession } from '../../collect/session/store.js';
import { errorMessage, OeError } from '../../errors.js';
import { createProgressRenderer } from '../../report/progress.js';
import { writeJson, writeOutput } from '../output.js';

interface AssessArgs {
  file?: string;
  bits?: number;
  iid: boolean;
  restart?: string;
  json: boolean;
  'nist-json'?: string;
  seed?: string;
  output?: string;
  session?: string;
  source?: string;
  dir: string;
  threads?: number;
}

function readSamples(path: string, what: string): Uint8Array {
  let st: ReturnType<typeof statSync>;
  try {
    st = statSync(path);
  } catch {
    throw new OeError('NOT_FOUND', `${what} ${path} does not exist`);
  }
  if (!st.isFile()) throw new OeError('BAD_INPUT', `${what} ${path} is not a file`);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (e) {
    throw new OeError('IO', `cannot read ${path}: ${errorMessage(e)}`);
  }
}

export const assessCommand: CommandModule<object, AssessArgs> = {
  command: 'assess [file]',
  describe:
    'SP 800-90B entropy assessment (as NIST ea_non_iid / ea_iid 1.1.7) of a file with one sample per byte, or of a recorded source',
  builder: (y) =>
    y
      .positional('file', { type: 'string', describe: 'Samples, one per byte (NIST format)' })
      .option('bits', { type: 'number', describe: 'Bits per sample, 1–8 (default: inferred from the data)' })
      .option('iid', {
        type: 'boolean',
        default: false,
        describe: 'Run the IID track (§5: permutation, chi-square, LRS tests)',
      })
      .option('restart', {
        type: 'string',
        describe: 'Restart matrix file (1000 restarts × 1000 samples, row-major) for §3.1.4',
      })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON (schemas/assess.schema.json)' })
      .option('nist-json', {
        type: 'string',
        describe: "Also write NIST's own result JSON (ea_non_iid -o / ea_iid -o) here",
      })
      .option('seed', {
        type: 'string',
        describe: 'Seed of the IID permutation shuffles (integer; default random, reported)',
      })
      .option('output', { type: 'string', describe: 'Write the JSON report to this file' })
      .option('session', { type: 'string', describe: 'Assess a recorded session (id or unique prefix) …' })
      .option('source', { type: 'string', describe: '… and this source of it (its raw byte stream)' })
      .option('dir', { type: 'string', default: 'sessions', describe: 'Sessions directory' })
      .option('threads', { type: 'number', describe: 'Worker threads (default: CPU count)' }),
  handler: async (args) => {
    if (args.bits !== undefined && (!Number.isInteger(args.bits) || args.bits < 1 || args.bits > 8))
      throw new OeError('USAGE', `--bits must be an integer from 1 to 8, got ${args.bits}`);
    let seed: number | undefined;
    if (args.seed !== undefined) {
      seed = Number(args.seed);
      if (!/^\d+$/.test(args.seed) || !Number.isSafeInteger(seed))
        throw new OeError('USAGE', `--seed must be a non-negative integer below 2^53, got ${args.seed}`);
    }
    if (args.threads !== undefined && (!Number.isInteger(args.threads) || args.threads < 1))
      throw new OeError('USAGE', `--threads must be a positive integer`);
    let data: Uint8Array;
    let input: { file?: string; session?: string; source?: string };
    if (args.session !== undefined || args.source !== undefined) {
      if (args.file) throw new OeError('USAGE', 'give either FILE or --session/--source, not both');
      if (!args.session || !args.source) throw new OeError('USAGE', '--session needs --source NAME (and vice versa)');
      const dir = resolveSession(args.dir, args.session);
      const s = await readSourceSamples(dir, args.source, { columns: ['byte'] });
      data = s.byte ?? new Uint8Array(0);
      input = { session: args.session, source: args.source };
      if (data.length === 0)
        throw new OeError('BAD_INPUT', `source ${args.source} of session ${args.session} has no samples`);
    } else {
      if (!args.file) throw new OeError('USAGE', 'give a FILE of samples, or --session ID --source NAME');
      data = readSamples(args.file, 'file');
      if (data.length === 0) throw new OeError('BAD_INPUT', `${args.file} is empty: no samples to assess`);
      input = { file: args.file };
    }
    const restart = args.restart ? { data: readSamples(args.restart, 'restart file'), file: args.restart } : undefined;
    const progress = createProgressRenderer();
    const report = await assessSamples(data, {
      bits: args.bits,
      iid: args.iid,
      seed,
      threads: args.threads,
      restart,
      input,
      onProgress: (rounds, decided) =>
        progress.update([`assess: permutation round ${rounds} of 10000, ${decided} of 19 statistics decided`]),
    });
    progress.done();
    if (args['nist-json']) {
      const info = {
        commandline: process.argv.slice(1).join(' '),
        filename: args.file ?? `${args.session}/${args.source}`,
        sha256: report.input.sha256,
      };
      const doc = report.iid ? iidToNistJson(report.iid, info) : nonIidToNistJson(report.nonIid as never, info);
      const path = writeOutput(formatNistJson(doc), args['nist-json']);
      if (path) process.stderr.write(`NIST result JSON written to ${path}\n`);
    }
    if (args.output) {
      const path = writeJson(report, 'assess', args.output);
      if (path) process.stderr.write(`assessment written to ${path}\n`);
    }
    if (args.json) writeJson(report, 'assess');
    else process.stdout.write(formatAssessText(report));
  },
};
