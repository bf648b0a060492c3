import type { CommandModule } from 'yargs';

/**
 * The command-line flag of a library option, where it is not the option's name in kebab case
 * (`{ budgetMs: '--budget' }`). Library errors name their own options (OeError.option); the CLI edge
 * shows them with these flags.
 */
export type LibraryFlags = Readonly<Record<string, string>>;

// biome-ignore lint/suspicious/noExplicitAny: yargs command modules have heterogeneous argument types
export type AnyCommand = CommandModule<any, any>;

/** A command module may declare the flags of the library options it passes on. */
export interface WithLibraryFlags {
  libraryFlags?: LibraryFlags;
}

/**
 * Every `oe` command: its usage and one-line description (what `oe --help` lists) and a loader for its
 * module. Only the command being run is loaded, so `oe --help` and every command start without
 * importing DuckDB, ink or the plotting stack they do not use. test/cli.test.ts checks that `command`
 * and `describe` here equal the modules' own.
 */
export const COMMANDS: readonly { command: string; describe: string; load: () => Promise<AnyCommand> }[] = [
  {
    command: 'scan',
    describe: 'List every entropy source: available or not (with the reason), unit, rate and min-entropy',
    load: async () => (await import('./scan.js')).scanCommand,
  },
  {
    command: 'monitor',
    describe: 'Live dashboard of every source: health, min-entropy, rate, charts (plain lines when not a terminal)',
    load: async () => (await import('./monitor.js')).monitorCommand,
  },
  {
    command: 'stream',
    describe: 'Write entropy to stdout (or a FIFO): sha256 full-entropy by default, fails closed',
    load: async () => (await import('./stream.js')).streamCommand,
  },
  {
    command: 'device <path>',
    describe: 'Serve entropy through a named pipe (FIFO, mode 0600) to readers as they come and go',
    load: async () => (await import('./device.js')).deviceCommand,
  },
  {
    command: 'server',
    describe: 'HTTP entropy server (JSON API and /metrics, loopback by default; see docs/API.md)',
    load: async () => (await import('./server.js')).serverCommand,
  },
  {
    command: 'record',
    describe: 'Record raw samples of the selected sources (and telemetry) into a Parquet session directory',
    load: async () => (await import('./record.js')).recordCommand,
  },
  {
    command: 'sessions [id] [more..]',
    describe: 'List recorded sessions, show one (manifest, counts, telemetry), or act on it (--repair)',
    load: async () => (await import('./sessions.js')).sessionsCommand,
  },
  {
    command: 'analyze',
    describe:
      'Sample sources now and analyse them: statistics with p-values, SP 800-90B min-entropy, verdicts, dependence',
    load: async () => (await import('./analyze.js')).analyzeCommand,
  },
  {
    command: 'telemetry',
    describe: 'Host telemetry (telemetry_v1): a snapshot, or a window with deltas and rates',
    load: async () => (await import('./telemetry.js')).telemetryCommand,
  },
  {
    command: 'bench',
    describe: 'Benchmark sources in rounds: SP 800-90B min-entropy and grade, Shannon, throughput, stability; the pool',
    load: async () => (await import('./bench.js')).benchCommand,
  },
  {
    command: 'compare <inputs..>',
    describe:
      'Compare bench reports and/or sessions (any machines): per-source table with 95% CIs, significant differences, verdicts',
    load: async () => (await import('./compare.js')).compareCommand,
  },
  {
    command: 'report',
    describe: 'NIST SP 800-22 battery and a Markdown report with SVG plots (a file, live sources or a session)',
    load: async () => (await import('./report.js')).reportCommand,
  },
  {
    command: 'ui',
    describe:
      'Web workbench (loopback by default): sessions, analyses with plots, comparisons, live sources (docs/UI.md)',
    load: async () => (await import('./ui.js')).uiCommand,
  },
  {
    command: 'assess [file]',
    describe:
      'SP 800-90B entropy assessment (as NIST ea_non_iid / ea_iid 1.1.7) of a file with one sample per byte, or of a recorded source',
    load: async () => (await import('./assess.js')).assessCommand,
  },
  {
    command: 'validate',
    describe:
      'Build an entropy-source validation package: raw and restart data, SP 800-90B assessment, health-test evidence',
    load: async () => (await import('./validate.js')).validateCommand,
  },
];

/** The name a usage string declares (`device <path>` → `device`). */
export function commandName(usage: string): string {
  return usage.split(' ')[0];
}

/**
 * The command modules for one invocation: the module of the command named in `argv` (loaded, also
 * returned as `running`), and a light entry for every other command (enough for the command list in
 * --help and for suggestions).
 */
export async function commandsFor(
  argv: readonly string[],
): Promise<{ modules: AnyCommand[]; running: AnyCommand | undefined }> {
  const wanted = argv.find((a) => !a.startsWith('-'));
  const entry = COMMANDS.find((c) => commandName(c.command) === wanted);
  const running = entry ? await entry.load() : undefined;
  const modules = COMMANDS.map((c) =>
    c === entry && running
      ? running
      : { command: c.command, describe: c.describe, builder: {}, handler: () => undefined },
  );
  return { modules, running };
}
