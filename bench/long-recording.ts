/**
 * Measures a long recording as a user runs it: starts `oe record --duration <D>` (default sources and
 * cap) as a child process and samples, every `--every` seconds, the resident memory of the recorder's
 * whole process tree (/proc/<pid>/status VmRSS of `oe record` and its descendants: the writer process
 * when the parts are written by one, tsx's esbuild service from the source tree), the session's bytes and
 * files on disk. Prints one line per sample and a
 * summary: RSS after warm-up (first 20 % of the run) min/median/max and its spread, the write rate per
 * minute (bytes on disk per minute, first difference) min/median/max, and the files at the end.
 *
 *   npx tsx bench/long-recording.ts [--duration 30m] [--every 10] [--output /tmp/oe-long] [-- <more oe record flags>]
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const argv = process.argv.slice(2);
const dashes = argv.indexOf('--');
const own = dashes < 0 ? argv : argv.slice(0, dashes);
const extra = dashes < 0 ? [] : argv.slice(dashes + 1);
const opt = (name: string, dflt: string) => {
  const i = own.indexOf(`--${name}`);
  return i >= 0 ? own[i + 1] : dflt;
};
const duration = opt('duration', '30m');
const every = Number(opt('every', '10'));
const output = opt('output', '/tmp/oe-long-recording');
rmSync(output, { recursive: true, force: true });

const child = spawn(
  process.execPath,
  ['--import', 'tsx', 'src/cli/run.ts', 'record', '--duration', duration, '--output', output, '--quiet', ...extra],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);

function rssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The process and its descendants (from the ppid field of every /proc/<n>/stat), Linux. */
function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${e}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // ended meanwhile
    }
  }
  const out = [root];
  for (let i = 0; i < out.length; i++) out.push(...(children.get(out[i]) ?? []));
  return out;
}

/** VmRSS of the recorder (the root) and of the rest of its tree (a writer process, tsx's esbuild service), KiB. */
function treeRssKiB(root: number): { root: number; rest: number } | null {
  const r = rssKiB(root);
  if (r === null) return null;
  let rest = 0;
  for (const pid of processTree(root).slice(1)) rest += rssKiB(pid) ?? 0;
  return { root: r, rest };
}

function disk(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  if (!existsSync(dir)) return { bytes, files };
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) {
      const d = disk(p);
      bytes += d.bytes;
      files += d.files;
    } else if (e.isFile()) {
      bytes += statSync(p, { throwIfNoEntry: false })?.size ?? 0;
      if (e.name.endsWith('.parquet')) files++;
    }
  }
  return { bytes, files };
}

const samples: { t: number; rss: number; writer: number; bytes: number; files: number }[] = [];
const t0 = Date.now();
const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
let done = false;
void exited.then(() => {
  done = true;
});
process.stdout.write('t_s\trss_MiB\tchildren_MiB\tdisk_MiB\tparquet_files\n');
while (!done) {
  await new Promise((r) => setTimeout(r, every * 1000));
  const rss = treeRssKiB(child.pid ?? 0);
  if (rss === null) break;
  const d = disk(output);
  const s = { t: (Date.now() - t0) / 1000, rss: (rss.root + rss.rest) / 1024, writer: rss.rest / 1024, ...d };
  samples.push(s);
  process.stdout.write(
    `${s.t.toFixed(0)}\t${s.rss.toFixed(1)}\t${s.writer.toFixed(1)}\t${(s.bytes / 2 ** 20).toFixed(1)}\t${s.files}\n`,
  );
}
const code = await exited;
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const warm = samples.filter((s) => s.t >= samples[samples.length - 1].t * 0.2);
const rss = warm.map((s) => s.rss);
// Bytes written per minute over 60-s windows (the recorder merges once a minute; a shorter window would
// see each merge's re-encoding as a dip).
const perMin: number[] = [];
for (let i = 0; i < samples.length; i++) {
  const j = samples.findIndex((s) => s.t >= samples[i].t + 60);
  if (j < 0) break;
  perMin.push(((samples[j].bytes - samples[i].bytes) / (samples[j].t - samples[i].t)) * 60);
}
const steady = perMin.slice(Math.floor(perMin.length * 0.2));
const end = disk(output);
process.stdout.write(
  `\noe record exited ${code}; ${samples.length} samples every ${every} s\n` +
    `RSS of the process tree (recorder and its children) after warm-up (last 80 %): min ${Math.min(...rss).toFixed(0)} MiB, median ${med(rss).toFixed(0)}, ` +
    `max ${Math.max(...rss).toFixed(0)}; max/min ${(Math.max(...rss) / Math.min(...rss)).toFixed(3)}\n` +
    `write rate (bytes on disk per minute, last 80 %): min ${(Math.min(...steady) / 2 ** 20).toFixed(1)} MiB, ` +
    `median ${(med(steady) / 2 ** 20).toFixed(1)}, max ${(Math.max(...steady) / 2 ** 20).toFixed(1)}\n` +
    `at the end: ${(end.bytes / 2 ** 20).toFixed(1)} MiB in ${end.files} Parquet files\n`,
);
