import type { CommandModule } from 'yargs';
import { compareInputs } from '../../analyze/compare/compare.js';
import { OeError } from '../../errors.js';
import { loadCompareInput } from '../../jobs/compare-inputs.js';
import { compareDocument, renderCompareText } from '../../report/compare-text.js';
import { jsonOption, numberOption, outputOption, sessionsDirOption } from '../options.js';
import { writeJson } from '../output.js';

interface CompareArgs {
  inputs: string[] | undefined;
  dir: string;
  output?: string;
  json: boolean;
  alpha: number;
}

export const compareCommand: CommandModule<object, CompareArgs> = {
  command: 'compare <inputs..>',
  describe:
    'Compare bench reports and/or sessions (any machines): per-source table with 95% CIs, significant differences, verdicts',
  builder: (y) =>
    y
      .positional('inputs', {
        type: 'string',
        array: true,
        describe: 'Bench JSON files, session directories or session ids (first = baseline)',
      })
      .option('dir', sessionsDirOption('dir', 'Root directory of sessions, for session ids'))
      .option('output', outputOption('Write a Markdown report with an SVG plot (e.g. compare.md)'))
      .option('json', jsonOption('compare'))
      .option(
        'alpha',
        numberOption('alpha', 'False discovery rate for flagging differences', {
          min: 0,
          above: true,
          max: 1,
          below: true,
          default: 0.05,
        }),
      ),
  handler: async (args) => {
    const refs = args.inputs ?? [];
    if (refs.length < 2) throw new OeError('USAGE', 'compare needs at least two inputs (bench files or sessions)');
    const labels = refs.map((_, i) => (i < 26 ? String.fromCharCode(65 + i) : `I${i + 1}`));
    const inputs = [];
    for (let i = 0; i < refs.length; i++) inputs.push(await loadCompareInput(refs[i], labels[i], args.dir));
    const doc = compareDocument(compareInputs(inputs, args.alpha));
    if (args.output) {
      // The plotting stack is loaded only for the Markdown report.
      const [{ renderCompareMarkdown }, { plotDirFor, writeReportFiles }] = await Promise.all([
        import('../../report/compare-markdown.js'),
        import('../../report/report-files.js'),
      ]);
      const written = writeReportFiles(renderCompareMarkdown(doc, plotDirFor(args.output)), args.output);
      process.stderr.write(`compare report written to ${written.join(', ')}\n`);
    }
    if (args.json) writeJson(doc, 'compare');
    else if (!args.output) process.stdout.write(renderCompareText(doc));
    else process.stdout.write(`${doc.sources.map((s) => s.verdict).join('\n')}\n`);
  },
};
