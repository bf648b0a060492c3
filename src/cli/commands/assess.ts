import { readFileSync, statSync } from 'node:fs';
import type { CommandModule } from 'yargs';
import { assessSamples } from '../../analyze/sp800-90b/assess.js';
import { formatAssessText } from '../../analyze/sp800-90b/assess-text.js';
import { formatNistJson, iidToNistJson, nonIidToNistJson } from '../../analyze/sp800-90b/nist-json.js';
import { readSourceSamples } from '../../collect/session/reader.js';
import { resolveSession } from '../../collect/session/store.js';
import { errorMessage, OeError } from '../../errors.js';
import { createProgressRenderer } from '../../report/progress.js';
import {
  integerOption,
  jsonOption,
  outputOption,
  sessionsDirOption,
  sourceOption,
  textOption,
  threadsOption,
} from '../options.js';
import { writeJson, writeOutput } from '../output.js';

interface AssessArgs {
  file?: string;
  bits?: number;
  iid: boolean;
  restart?: string;
  json: boolean;
  'nist-json'?: string;
  seed?: string;
  repeat?: number;
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
      .option(
        'bits',
        integerOption('bits', 'Bits per sample, 1–8 (default: inferred from the data)', { min: 1, max: 8 }),
      )
      .option('iid', {
        type: 'boolean',
        default: false,
        describe: 'Run the IID track (§5: permutation, chi-square, LRS tests)',
      })
      .option(
        'restart',
        textOption('restart', 'Restart matrix file (1000 restarts × 1000 samples, row-major) for §3.1.4'),
      )
      .option('json', jsonOption('assess'))
      .option(
        'nist-json',
        textOption('nist-json', "Also write NIST's own result JSON (ea_non_iid -o / ea_iid -o) here"),
      )
      .option(
        'seed',
        textOption('seed', 'Seed of the IID permutation shuffles (an integer below 2^53; default random, reported)'),
      )
      .option(
        'repeat',
        integerOption(
          'repeat',
          'With --iid: run the permutation tests K times (seeds derived from --seed) and report failure rates',
          {
            min: 1,
            max: 10000,
          },
        ),
      )
      .option('output', outputOption('Write the JSON report to this file'))
      .option('session', textOption('session', 'Assess a recorded session (id or unique prefix) …'))
      .option('source', sourceOption('… and this source of it (its raw byte stream)'))
      .option('dir', sessionsDirOption())
      .option('threads', threadsOption(1)),
  handler: async (args) => {
    let seed: number | undefined;
    if (args.seed !== undefined) {
      seed = Number(args.seed);
      if (!/^\d+$/.test(args.seed) || !Number.isSafeInteger(seed))
        throw new OeError('USAGE', `--seed must be a non-negative integer below 2^53, got ${args.seed}`);
    }
    if (args.repeat !== undefined && !args.iid) throw new OeError('USAGE', '--repeat needs --iid');
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
      repeat: args.repeat,
      threads: args.threads,
      restart,
      input,
      onProgress: (rounds, decided, run) =>
        progress.update([
          `assess: ${args.repeat && args.repeat > 1 ? `test ${run + 1} of ${args.repeat}, ` : ''}permutation round ${rounds} of 10000, ${decided} of 19 statistics decided`,
        ]),
    });
    progress.done();
    if (args['nist-json']) {
      const info = {
        commandline: process.argv.slice(1).join(' '),
        filename: args.file ?? `${args.session}/${args.source}`,
        sha256: report.input.sha256,
      };
      // One of the two tracks ran (report.track).
      const doc = report.iid ? iidToNistJson(report.iid, info) : report.nonIid && nonIidToNistJson(report.nonIid, info);
      const path = doc && writeOutput(formatNistJson(doc), args['nist-json']);
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
