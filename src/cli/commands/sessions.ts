import type { Argv, CommandModule } from 'yargs';
import {
  compactSession,
  type DisplayStatus,
  listSessions,
  openSession,
  repairSession,
  resolveSession,
  type SessionSummary,
  sessionDetail,
  telemetrySummaryRows,
} from '../../collect/session/index.js';
import { countSamplesOnDisk, displayStatus } from '../../collect/session/store.js';
import { OeError } from '../../errors.js';
import { formatBytes, formatCount, formatDuration } from '../../report/progress.js';
import { jsonOption, outputOption, sessionsDirOption } from '../options.js';
import { writeJson } from '../output.js';
import { sessionsAnalyzeAction } from './analyze.js';

export interface SessionsArgs {
  id?: string;
  dir: string;
  json: boolean;
  repair: boolean;
  verify: boolean;
  output?: string;
  [flag: string]: unknown;
}

/**
 * An action on one session, selected by its flag (`oe sessions <id> --<flag>`). Other parts add theirs
 * here (e.g. `--analyze`) with one entry: the option, and a function that does the work and prints.
 */
export interface SessionAction {
  flag: string;
  describe: string;
  /** Extra options the action needs (besides its flag). */
  options?: (y: Argv<SessionsArgs>) => Argv<SessionsArgs>;
  run(dir: string, args: SessionsArgs): Promise<void>;
}

export const sessionActions: SessionAction[] = [
  sessionsAnalyzeAction,
  {
    flag: 'repair',
    describe: 'Finalize an incomplete session from its parts (recount, checksums)',
    run: async (dir, args) => {
      const r = await repairSession(dir);
      if (args.json) {
        writeJson(
          {
            kind: 'repair',
            id: r.manifest.id,
            changed: r.changed,
            removed_tmp: r.removedTmp,
            corrupt: r.corrupt,
            finished_merges: r.finishedMerges,
            manifest: r.manifest,
          },
          'sessions',
          args.output,
        );
        return;
      }
      if (!r.changed) process.stdout.write(`${r.manifest.id}: already complete, every checksum matches\n`);
      else {
        process.stdout.write(
          `${r.manifest.id}: repaired: ${r.manifest.total_samples} samples in ${r.manifest.files.length} parts` +
            `${r.removedTmp.length ? `, removed ${r.removedTmp.length} unfinished .tmp` : ''}` +
            `${r.corrupt.length ? `, set aside unreadable ${r.corrupt.join(', ')}` : ''}` +
            `${r.finishedMerges.length ? `, finished an interrupted merge (${r.finishedMerges.length} parts)` : ''}\n`,
        );
      }
    },
  },
  {
    flag: 'compact',
    describe: 'Merge the parts into about one file per 10 M rows (old layout to new; repairs first if needed)',
    run: async (dir, args) => {
      const r = await compactSession(dir);
      if (args.json) {
        const { id } = r.manifest;
        const out = { kind: 'compact', id, repaired: r.repaired, merges: r.merges, manifest: r.manifest };
        writeJson({ ...out, files_before: r.filesBefore, files_after: r.filesAfter }, 'sessions', args.output);
        return;
      }
      process.stdout.write(
        r.merges === 0
          ? `${r.manifest.id}: already compact (${r.filesAfter} files)\n`
          : `${r.manifest.id}: compacted: ${r.filesBefore} files -> ${r.filesAfter}${r.repaired ? ' (repaired first)' : ''}\n`,
      );
    },
  },
];

function statusText(s: SessionSummary): string {
  return s.repaired && s.status === 'complete' ? 'complete (repaired)' : s.status;
}

function printList(root: string, list: SessionSummary[]): void {
  if (list.length === 0) {
    process.stdout.write(`no sessions in ${root} (record one with "oe record")\n`);
    return;
  }
  const rows = list.map((s) => [
    s.id,
    s.started_at ? s.started_at.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '—',
    s.duration_ms === null ? '—' : formatDuration(s.duration_ms),
    s.sources.length === 0
      ? '—'
      : s.sources.length <= 2
        ? s.sources.join(', ')
        : `${s.sources[0]}, +${s.sources.length - 1} more`,
    s.samples === null ? '?' : formatCount(s.samples),
    formatBytes(s.size_bytes),
    statusText(s),
  ]);
  const head = ['SESSION', 'STARTED', 'DURATION', 'SOURCES', 'SAMPLES', 'SIZE', 'STATUS'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (i === 4 || i === 5 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${fmt(head)}\n${rows.map(fmt).join('\n')}\n`);
  const broken = list.filter((s) => s.status === 'incomplete' || s.status === 'unreadable');
  for (const b of broken) {
    process.stdout.write(
      b.status === 'incomplete'
        ? `note: ${b.id} did not finish; "oe sessions ${b.id} --repair" finalizes it\n`
        : `note: ${b.id}: ${b.error}\n`,
    );
  }
}

async function show(dir: string, args: SessionsArgs): Promise<void> {
  if (args.json) {
    writeJson(await sessionDetail(dir, { verify: args.verify }), 'sessions', args.output);
    return;
  }
  const { manifest: m } = openSession(dir, { verify: args.verify });
  const status: DisplayStatus = displayStatus(m);
  const samplesOnDisk = m.status === 'recording' ? await countSamplesOnDisk(dir) : m.total_samples;
  const tel = await telemetrySummaryRows(dir);
  const out: string[] = [];
  out.push(`session   ${m.id}`);
  out.push(`dir       ${dir}`);
  out.push(
    `status    ${status}${m.repaired_at ? ` (repaired ${m.repaired_at})` : ''}${m.end_reason ? `, ended by ${m.end_reason}` : ''}`,
  );
  if (m.error) out.push(`error     ${m.error}`);
  out.push(`started   ${m.started_at}`);
  out.push(
    `ended     ${m.ended_at ?? '—'}  (${m.duration_ms === null ? 'running or interrupted' : formatDuration(m.duration_ms)})`,
  );
  out.push(`samples   ${samplesOnDisk}${m.status === 'recording' ? ' (counted from the parts on disk)' : ''}`);
  out.push(`size      ${formatBytes(m.size_bytes)} in ${m.files.length} parts`);
  const c = m.config;
  out.push(
    `config    flush ${c.flush_interval_ms} ms, telemetry ${c.telemetry_interval_ms} ms, max-rate ${c.max_rate ?? 'uncapped'}, ` +
      `max-samples ${c.max_samples ?? '—'}, batch timeout ${c.batch_timeout_ms} ms`,
  );
  const fm = m.fingerprint.machine;
  out.push(
    `machine   ${fm.cpu_model ?? 'unknown CPU'}, ${fm.cores} cores, ${fm.kernel}, clocksource ${fm.clocksource ?? '?'}` +
      `${fm.virtualization.detected ? ', virtualized' : ''}`,
  );
  const sw = m.fingerprint.software;
  out.push(
    `software  oe ${sw.oe}, node ${sw.node}, duckdb ${sw.duckdb ?? '?'}${sw.git_commit ? `, commit ${sw.git_commit.slice(0, 10)}` : ''}`,
  );
  if (Object.keys(m.tags).length)
    out.push(
      `tags      ${Object.entries(m.tags)
        .map(([k, v]) => `${k}:${v}`)
        .join(' ')}`,
    );
  if (m.note) out.push(`note      ${m.note}`);
  out.push('');
  out.push(
    `${'SOURCE'.padEnd(24)} ${'UNIT'.padEnd(6)} ${'SAMPLES'.padStart(10)} ${'BATCHES'.padStart(8)} ${'TIMEOUTS'.padStart(8)} ${'ERRORS'.padStart(6)}`,
  );
  for (const s of m.sources) {
    const k = m.counts[s.name];
    out.push(
      `${s.name.padEnd(24)} ${(s.unit ?? '?').padEnd(6)} ${String(k?.samples ?? 0).padStart(10)} ${String(k?.batches ?? 0).padStart(8)} ` +
        `${String(k?.timeouts ?? 0).padStart(8)} ${String(k?.errors ?? 0).padStart(6)}${k?.last_error ? `  last: ${k.last_error}` : ''}`,
    );
  }
  if (tel.length > 0) {
    out.push('');
    out.push(`telemetry ${m.telemetry?.snapshots ?? '?'} snapshots, ${tel.length} metrics (mean; counters as rate/s)`);
    const want = [
      'loadavg_1m',
      'cpu_time_busy_seconds',
      'context_switches_total',
      'interrupts_total',
      'available_bytes',
      'cpu_some_avg10',
      'kernel_pool_available_bits',
      'cpu_hz_avg',
    ];
    for (const w of want) {
      const t = tel.find((r) => r.name === w);
      if (!t) continue;
      const v = t.kind === 'counter' ? t.meanRate : t.mean;
      out.push(
        `  ${w.padEnd(28)} ${v === null ? '—' : v.toPrecision(4)} ${t.kind === 'counter' ? `${t.unit}/s` : t.unit}`,
      );
    }
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

export const sessionsCommand: CommandModule<object, SessionsArgs> = {
  command: 'sessions [id] [more..]',
  describe: 'List recorded sessions, show one (manifest, counts, telemetry), or act on it (--repair)',
  builder: (y) => {
    let b = y
      .positional('id', {
        type: 'string',
        describe: 'Session id (a unique prefix or substring is enough) or directory',
      })
      .positional('more', { type: 'string', array: true, describe: 'More session ids (--analyze takes several)' })
      .option('dir', sessionsDirOption())
      .option('json', jsonOption('sessions'))
      .option('verify', {
        type: 'boolean',
        default: false,
        describe: 'Check every part against its sha256 in session.json',
      })
      .option('output', outputOption('Write the JSON to this file')) as unknown as Argv<SessionsArgs>;
    for (const a of sessionActions) {
      b = b.option(a.flag, { type: 'boolean', default: false, describe: a.describe }) as unknown as Argv<SessionsArgs>;
      if (a.options) b = a.options(b);
    }
    return b;
  },
  handler: async (args) => {
    const action = sessionActions.find((a) => args[a.flag] === true);
    if (!args.id) {
      if (action) throw new OeError('USAGE', `--${action.flag} needs a session id`);
      const list = await listSessions(args.dir);
      if (args.json) writeJson({ kind: 'list', dir: args.dir, sessions: list }, 'sessions', args.output);
      else printList(args.dir, list);
      return;
    }
    const dir = resolveSession(args.dir, args.id);
    if (action) await action.run(dir, args);
    else await show(dir, args);
  },
};
