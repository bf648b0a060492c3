import type { CommandModule } from 'yargs';
import { CATALOG, selectSources } from '../../collect/catalog.js';
import { type ScanEntry, scanSources } from '../../collect/scan.js';
import { jsonOption, numberOption, outputOption, sourcesOption } from '../options.js';
import { writeJson, writeOutput } from '../output.js';

interface ScanArgs {
  sources?: string;
  json: boolean;
  output?: string;
  budget: number;
}

function si(x: number): string {
  if (x >= 1e6) return `${(x / 1e6).toFixed(2)}M`;
  if (x >= 1e3) return `${(x / 1e3).toFixed(1)}k`;
  return x.toFixed(x < 10 ? 1 : 0);
}

function table(rows: ScanEntry[]): string {
  const head = `${'source'.padEnd(22)} ${'category'.padEnd(11)} ${'kind'.padEnd(9)} ${'avail'.padEnd(5)} ${'unit'.padEnd(5)} ${'rate/s'.padStart(8)} ${'n'.padStart(5)} ${'H_mcv'.padStart(5)}  note`;
  const lines = rows.map((r) => {
    const rate = r.rate === null ? '-' : si(r.rate);
    const h = r.minEntropy === null ? '-' : r.minEntropy.toFixed(2);
    const note = r.reason ?? r.error ?? r.note ?? '';
    return `${r.name.padEnd(22)} ${r.category.padEnd(11)} ${r.kind.padEnd(9)} ${(r.available ? 'yes' : 'no').padEnd(5)} ${(r.unit ?? '-').padEnd(5)} ${rate.padStart(8)} ${String(r.samples || '-').padStart(5)} ${h.padStart(5)}  ${note}`;
  });
  const avail = rows.filter((r) => r.available);
  const physical = avail.filter((r) => r.kind !== 'reference').length;
  return [
    head,
    ...lines,
    '',
    `${avail.length} of ${rows.length} sources available (${physical} non-reference). H_mcv = most-common-value min-entropy of the extracted bytes, bits/byte (SP 800-90B 6.3.1), over the n samples measured (few samples bound it low); rate = samples per second of sampler time.`,
  ].join('\n');
}

export const scanCommand: CommandModule<object, ScanArgs> = {
  command: 'scan',
  describe: 'List every entropy source: available or not (with the reason), unit, rate and min-entropy',
  builder: (y) =>
    y
      .option('sources', sourcesOption('Sources to scan (default: every source)'))
      .option('json', jsonOption('scan'))
      .option('output', outputOption())
      .option(
        'budget',
        numberOption('budget', 'Sampler time per source in ms for the rate and min-entropy', {
          min: 0,
          above: true,
          max: 60_000,
          default: 150,
        }),
      ),
  handler: async (args) => {
    const selected = args.sources ? selectSources(args.sources) : [...CATALOG];
    const tty = process.stderr.isTTY === true;
    const report = await scanSources(selected, {
      budgetMs: args.budget,
      measureOptIn: args.sources !== undefined,
      onProgress: (done, total, e) => {
        const what = e.available
          ? e.rate !== null
            ? `${si(e.rate)} samples/s, ${e.minEntropy?.toFixed(2) ?? '-'} bit/byte`
            : (e.error ?? e.note ?? 'not measured')
          : `unavailable: ${e.reason}`;
        const line = `scan [${done}/${total}] ${e.name}: ${what}`;
        if (tty) process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 100) - 1)}`);
        else process.stderr.write(`${line}\n`);
      },
    });
    if (tty) process.stderr.write('\r\x1b[K');
    const written = args.json
      ? writeJson(
          { sources: report.sources, machine: report.machine, elapsedMs: report.elapsedMs },
          'scan',
          args.output,
        )
      : writeOutput(table(report.sources), args.output);
    if (written) process.stderr.write(`oe: wrote ${written}\n`);
  },
};
