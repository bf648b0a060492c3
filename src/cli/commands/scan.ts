import type { CommandModule } from 'yargs';
import { probeSource } from '../../collect/availability.js';
import { CATALOG, selectSources } from '../../collect/catalog.js';

interface ScanArgs {
  sources?: string;
  json: boolean;
}

export const scanCommand: CommandModule<object, ScanArgs> = {
  command: 'scan',
  describe: 'List every entropy source: available or not (with the reason), unit, rate and min-entropy',
  builder: (y) =>
    y
      .option('sources', { type: 'string', describe: 'Filter: all, or comma-separated names/substrings' })
      .option('json', { type: 'boolean', default: false, describe: 'Print JSON (schemas/scan.schema.json)' }),
  handler: async (args) => {
    const selected = args.sources ? selectSources(args.sources) : [...CATALOG];
    const rows = selected.map((s) => ({ name: s.name, category: s.category, reason: probeSource(s) }));
    if (args.json) {
      process.stdout.write(
        `${JSON.stringify({ sources: rows.map((r) => ({ name: r.name, category: r.category, available: r.reason === null, ...(r.reason ? { reason: r.reason } : {}) })) }, null, 2)}\n`,
      );
      return;
    }
    for (const r of rows)
      process.stdout.write(
        `${r.reason === null ? 'yes' : 'no '} ${r.name.padEnd(24)} ${r.category.padEnd(11)} ${r.reason ?? ''}\n`,
      );
  },
};
