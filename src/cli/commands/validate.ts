import type { CommandModule } from 'yargs';
import { OeError } from '../../errors.js';
import { createProgressRenderer } from '../../report/progress.js';
import {
  choiceOption,
  durationOption,
  integerOption,
  jsonOption,
  seedOption,
  sourceOption,
  textOption,
  threadsOption,
} from '../options.js';
import { writeJson } from '../output.js';
import type { WithLibraryFlags } from './index.js';

interface ValidateArgs {
  source?: string;
  output?: string;
  iid: boolean;
  bits?: number;
  reduce?: 'low' | 'variable';
  restarts?: number;
  seed: number;
  'max-time'?: number;
  threads?: number;
  verify?: string;
  json: boolean;
}

export const validateCommand: CommandModule<object, ValidateArgs> & WithLibraryFlags = {
  command: 'validate',
  describe:
    'Build an entropy-source validation package: raw and restart data, SP 800-90B assessment, health-test evidence',
  libraryFlags: { maxRawSeconds: '--max-time' },
  builder: (y) =>
    y
      .option('source', sourceOption('The source to validate'))
      .option('output', textOption('output', 'Package folder to create (default validation-<source>-<time>)'))
      .option('iid', {
        type: 'boolean',
        default: false,
        describe: 'Also run the IID track; H_I comes from it when the IID assumption is not rejected',
      })
      .option(
        'bits',
        integerOption('bits', 'Keep N ≤ 8 bits of each measurement (default: the source’s extraction)', {
          min: 1,
          max: 8,
        }),
      )
      .option(
        'reduce',
        choiceOption(
          'reduce',
          ['low', 'variable'] as const,
          'With --bits: the N low bits, or the N most variable positions on a calibration stretch',
        ),
      )
      .option(
        'restarts',
        integerOption('restarts', 'Restarts of 1000 samples (default 1000, as NIST requires)', { min: 1, max: 1000 }),
      )
      .option('seed', seedOption('Seed of the IID permutations and of the induced faults'))
      .option(
        'max-time',
        durationOption('max-time', 'Longest the raw recording may take (default 15m)', { bareUnit: 's' }),
      )
      .option('threads', threadsOption(1))
      .option('verify', textOption('verify', 'Re-check the SHA256SUMS of an existing package folder instead'))
      .option('json', jsonOption('validation-registration')),
  handler: async (args) => {
    // the job pulls in the recorder, DuckDB and the plots: loaded only when the command runs, not for --help
    const { validateSource, verifyPackage } = await import('../../jobs/validate/index.js');
    if (args.verify !== undefined) {
      if (args.source !== undefined) throw new OeError('USAGE', 'give either --verify DIR or --source NAME, not both');
      const r = verifyPackage(args.verify);
      if (args.json) writeJson(r, 'validation-verify');
      else {
        process.stdout.write(`${r.dir}: ${r.ok.length} of ${r.files} files match SHA256SUMS\n`);
        for (const f of r.mismatched) process.stdout.write(`  changed: ${f}\n`);
        for (const f of r.missing) process.stdout.write(`  missing: ${f}\n`);
        for (const f of r.unlisted) process.stdout.write(`  not listed: ${f}\n`);
      }
      if (!r.valid) throw new OeError('BAD_INPUT', `${r.dir} does not match its SHA256SUMS`);
      return;
    }
    if (args.source === undefined) throw new OeError('USAGE', 'give --source NAME (or --verify DIR)');
    const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*/, '');
    const output = args.output ?? `validation-${args.source}-${stamp}`;
    const progress = createProgressRenderer();
    try {
      const doc = await validateSource(
        {
          source: args.source,
          output,
          iid: args.iid,
          bits: args.bits,
          reduce: args.reduce,
          restarts: args.restarts,
          seed: args.seed,
          maxRawSeconds: args['max-time'] === undefined ? undefined : args['max-time'] / 1000,
          threads: args.threads,
        },
        (p) => progress.update([`validate ${args.source}: ${p.message}${p.total ? ` ${p.done} of ${p.total}` : ''}`]),
      );
      progress.done();
      if (args.json) writeJson(doc.registration, 'validation-registration');
      else {
        const h = doc.assessment.hFinal;
        process.stdout.write(
          `package written to ${doc.dir} (${doc.seconds.total.toFixed(0)} s); read report.md first\n` +
            `entropy to claim: ${h === null ? 'none (the restart tests failed)' : `${h.toFixed(6)} bits per sample`}\n`,
        );
      }
    } finally {
      progress.done();
      await (await import('../../collect/sampler-pool.js')).closeSharedSamplerPool();
    }
  },
};
