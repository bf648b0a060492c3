import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetricKind, TelemetryMetric } from '../../contracts/telemetry.js';

/**
 * Linux collectors of telemetry_v1, one per file of procfs/sysfs, with openentropy's metric names.
 * Each parser is a pure function of the file text so it can be tested on fixtures; `collectLinux`
 * reads the files under `root` ('/' normally, a fixture tree in tests).
 */

type Push = (domain: string, name: string, value: number, unit: string, source: string, kind: MetricKind) => void;

function metricsSink(out: TelemetryMetric[]): Push {
  return (domain, name, value, unit, source, kind) => {
    if (Number.isFinite(value)) out.push({ domain, name, value, unit, source, kind });
  };
}

/** USER_HZ: the unit of /proc/stat CPU times. 100 on every mainstream Linux ABI (sysconf is not reachable from Node). */
export const CLK_TCK = 100;

/** /proc/uptime: first field, seconds since boot (a counter: it only grows). */
export function parseUptime(text: string, push: Push): void {
  const v = Number.parseFloat(text.trim().split(/\s+/)[0]);
  push('system', 'uptime_seconds', v, 's', 'procfs', 'counter');
}

/** /proc/loadavg: 4th field `running/total`. The three averages go in the snapshot header. */
export function parseLoadavg(text: string, push: Push): [number, number, number] | null {
  const f = text.trim().split(/\s+/);
  if (f.length < 4) return null;
  const [running, total] = f[3].split('/').map(Number);
  push('scheduling', 'runnable_tasks', running, 'count', 'procfs', 'gauge');
  push('scheduling', 'sched_entities', total, 'count', 'procfs', 'gauge');
  const avgs = f.slice(0, 3).map(Number) as [number, number, number];
  return avgs.every(Number.isFinite) ? avgs : null;
}

const CPU_FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal', 'guest', 'guest_nice'];

/** /proc/stat: aggregate CPU times (÷ USER_HZ → s), ctxt, intr, processes, procs_running/blocked, btime. */
export function parseStat(text: string, push: Push): void {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    switch (f[0]) {
      case 'cpu': {
        const t = f.slice(1).map((x) => Number(x) / CLK_TCK);
        CPU_FIELDS.forEach((n, i) => {
          if (i < t.length) push('scheduling', `cpu_time_${n}_seconds`, t[i], 's', 'procfs', 'counter');
        });
        if (t.length >= 8) {
          push(
            'scheduling',
            'cpu_time_busy_seconds',
            t[0] + t[1] + t[2] + t[5] + t[6] + t[7],
            's',
            'procfs',
            'counter',
          );
          push('scheduling', 'cpu_time_idle_iowait_seconds', t[3] + t[4], 's', 'procfs', 'counter');
        }
        break;
      }
      case 'ctxt':
        push('scheduling', 'context_switches_total', Number(f[1]), 'count', 'procfs', 'counter');
        break;
      case 'intr':
        push('scheduling', 'interrupts_total', Number(f[1]), 'count', 'procfs', 'counter');
        break;
      case 'processes':
        push('scheduling', 'processes_forked_total', Number(f[1]), 'count', 'procfs', 'counter');
        break;
      case 'procs_running':
        push('scheduling', 'processes_running', Number(f[1]), 'count', 'procfs', 'gauge');
        break;
      case 'procs_blocked':
        push('scheduling', 'processes_blocked', Number(f[1]), 'count', 'procfs', 'gauge');
        break;
      case 'btime':
        push('system', 'boot_unix_seconds', Number(f[1]), 's', 'procfs', 'gauge');
        break;
    }
  }
}

const MEMINFO_BYTES: Record<string, string> = {
  MemTotal: 'total_bytes',
  MemAvailable: 'available_bytes',
  MemFree: 'free_bytes',
  Buffers: 'buffers_bytes',
  Cached: 'cached_bytes',
  Active: 'active_bytes',
  Inactive: 'inactive_bytes',
  AnonPages: 'anon_pages_bytes',
  Mapped: 'mapped_bytes',
  Shmem: 'shmem_bytes',
  Slab: 'slab_bytes',
  SReclaimable: 'slab_reclaimable_bytes',
  SUnreclaim: 'slab_unreclaimable_bytes',
  KernelStack: 'kernel_stack_bytes',
  PageTables: 'page_tables_bytes',
  Dirty: 'dirty_bytes',
  Writeback: 'writeback_bytes',
  SwapTotal: 'swap_total_bytes',
  SwapFree: 'swap_free_bytes',
  SwapCached: 'swap_cached_bytes',
  Committed_AS: 'committed_as_bytes',
  CommitLimit: 'commit_limit_bytes',
  Hugepagesize: 'hugepage_size_bytes',
};
const MEMINFO_COUNT: Record<string, string> = {
  HugePages_Total: 'hugepages_total',
  HugePages_Free: 'hugepages_free',
  HugePages_Rsvd: 'hugepages_reserved',
};

/** /proc/meminfo: kB × 1024 → bytes; HugePages_* counts. All gauges. */
export function parseMeminfo(text: string, push: Push): void {
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_()0-9]+):\s+(\d+)/.exec(line);
    if (!m) continue;
    const v = Number(m[2]);
    if (MEMINFO_BYTES[m[1]]) push('memory', MEMINFO_BYTES[m[1]], v * 1024, 'bytes', 'procfs', 'gauge');
    else if (MEMINFO_COUNT[m[1]]) push('memory', MEMINFO_COUNT[m[1]], v, 'count', 'procfs', 'gauge');
  }
}

/** /proc/pressure/<res>: `some|full avg10= avg60= avg300= total=`; avg* in % (gauges), total in µs (counter). */
export function parsePressure(resource: string, text: string, push: Push): void {
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'some' && f[0] !== 'full') continue;
    for (const kv of f.slice(1)) {
      const [k, v] = kv.split('=');
      if (k === 'total') push('pressure', `${resource}_${f[0]}_total`, Number(v), 'us', 'psi', 'counter');
      else if (k.startsWith('avg')) push('pressure', `${resource}_${f[0]}_${k}`, Number(v), 'pct', 'psi', 'gauge');
    }
  }
}

/** /proc/net/dev: sums over interfaces (with and without loopback for bytes). */
export function parseNetDev(text: string, push: Push): void {
  const lines = text.split('\n').slice(2);
  const sums = { rxb: 0, rxp: 0, rxe: 0, rxd: 0, txb: 0, txp: 0, txe: 0, txd: 0, rxbNL: 0, txbNL: 0 };
  let count = 0;
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const f = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    if (f.length < 16) continue;
    count++;
    sums.rxb += f[0];
    sums.rxp += f[1];
    sums.rxe += f[2];
    sums.rxd += f[3];
    sums.txb += f[8];
    sums.txp += f[9];
    sums.txe += f[10];
    sums.txd += f[11];
    if (name !== 'lo') {
      sums.rxbNL += f[0];
      sums.txbNL += f[8];
    }
  }
  if (count === 0) return;
  const src = 'procfs_netdev';
  push('network', 'interface_count', count, 'count', src, 'gauge');
  push('network', 'rx_bytes_total', sums.rxb, 'bytes', src, 'counter');
  push('network', 'tx_bytes_total', sums.txb, 'bytes', src, 'counter');
  push('network', 'rx_packets_total', sums.rxp, 'count', src, 'counter');
  push('network', 'tx_packets_total', sums.txp, 'count', src, 'counter');
  push('network', 'rx_errors_total', sums.rxe, 'count', src, 'counter');
  push('network', 'tx_errors_total', sums.txe, 'count', src, 'counter');
  push('network', 'rx_drops_total', sums.rxd, 'count', src, 'counter');
  push('network', 'tx_drops_total', sums.txd, 'count', src, 'counter');
  push('network', 'rx_bytes_non_loopback_total', sums.rxbNL, 'bytes', src, 'counter');
  push('network', 'tx_bytes_non_loopback_total', sums.txbNL, 'bytes', src, 'counter');
}

/** Whole disks only (openentropy's rule): no loop/ram/dm-/md/zram/sr/fd/nbd, no partitions. */
export function isWholeDisk(name: string): boolean {
  if (/^(loop|ram|dm-|md|zram|sr|fd|nbd)/.test(name)) return false;
  if (/^(nvme|mmcblk)/.test(name)) return !/p\d+$/.test(name);
  return !/\d$/.test(name);
}

const DISK_FIELDS: [string, string, MetricKind][] = [
  ['read_ios_total', 'count', 'counter'],
  ['read_merged_total', 'count', 'counter'],
  ['read_sectors_total', 'sectors', 'counter'],
  ['read_time_ms_total', 'ms', 'counter'],
  ['write_ios_total', 'count', 'counter'],
  ['write_merged_total', 'count', 'counter'],
  ['write_sectors_total', 'sectors', 'counter'],
  ['write_time_ms_total', 'ms', 'counter'],
  // I/Os currently in flight: a level, despite openentropy's "_total" name (kept for compatibility).
  ['io_in_progress_total', 'count', 'gauge'],
  ['io_time_ms_total', 'ms', 'counter'],
  ['weighted_io_time_ms_total', 'ms', 'counter'],
];

/** /proc/diskstats: the first 11 statistics summed over whole disks. */
export function parseDiskstats(text: string, push: Push): void {
  const sums = new Array<number>(11).fill(0);
  let count = 0;
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f.length < 14 || !isWholeDisk(f[2])) continue;
    count++;
    for (let i = 0; i < 11; i++) sums[i] += Number(f[3 + i]);
  }
  if (count === 0) return;
  push('disk', 'device_count', count, 'count', 'procfs_diskstats', 'gauge');
  DISK_FIELDS.forEach(([name, unit, kind], i) => {
    push('disk', name, sums[i], unit, 'procfs_diskstats', kind);
  });
}

/** Lowercase, non-alphanumerics → '_', runs collapsed, trimmed (openentropy's normalisation). */
export function normalizeName(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

function tryRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function tryList(path: string): string[] {
  try {
    return readdirSync(path).sort();
  } catch {
    return [];
  }
}

function num(path: string): number | null {
  const s = tryRead(path);
  if (s === null) return null;
  const v = Number(s.trim());
  return Number.isFinite(v) && s.trim() !== '' ? v : null;
}

/** /sys/class/power_supply/<name>/…: online/present/capacity/voltage/current/power/energy/charge/status/temp. */
function collectPowerSupply(root: string, push: Push): void {
  const base = join(root, 'sys/class/power_supply');
  const src = 'linux_power_supply';
  for (const dir of tryList(base)) {
    const p = join(base, dir);
    const n = normalizeName(dir);
    const bool = (file: string, name: string) => {
      const v = num(join(p, file));
      if (v !== null) push('power', `${n}.${name}`, v !== 0 ? 1 : 0, 'bool', src, 'gauge');
    };
    bool('online', 'is_online');
    bool('present', 'is_present');
    const scaled: [string, string, string, number][] = [
      ['capacity', 'capacity_percent', 'percent', 1],
      ['voltage_now', 'voltage_now', 'V', 1e6],
      ['current_now', 'current_now', 'A', 1e6],
      ['power_now', 'power_now', 'W', 1e6],
      ['energy_now', 'energy_now', 'Wh', 1e6],
      ['energy_full', 'energy_full', 'Wh', 1e6],
      ['energy_full_design', 'energy_full_design', 'Wh', 1e6],
      ['charge_now', 'charge_now', 'Ah', 1e6],
      ['charge_full', 'charge_full', 'Ah', 1e6],
      ['charge_full_design', 'charge_full_design', 'Ah', 1e6],
    ];
    for (const [file, name, unit, div] of scaled) {
      const v = num(join(p, file));
      if (v !== null) push('power', `${n}.${name}`, v / div, unit, src, 'gauge');
    }
    const status = tryRead(join(p, 'status'))?.trim().toLowerCase();
    if (status) {
      push('power', `${n}.is_charging`, status === 'charging' ? 1 : 0, 'bool', src, 'gauge');
      push('power', `${n}.is_discharging`, status === 'discharging' ? 1 : 0, 'bool', src, 'gauge');
      push('power', `${n}.is_full`, status === 'full' ? 1 : 0, 'bool', src, 'gauge');
      push('power', `${n}.is_not_charging`, status === 'not charging' ? 1 : 0, 'bool', src, 'gauge');
    }
    const temp = num(join(p, 'temp'));
    if (temp !== null) push('thermal', `${n}.temperature_c`, temp / 10, 'C', src, 'gauge');
  }
}

/** cpufreq: cpu0 (or the lowest id) and avg/min/max over cores; kHz × 1000 → Hz. */
function collectCpufreq(root: string, push: Push): void {
  const base = join(root, 'sys/devices/system/cpu');
  const cpus = tryList(base)
    .filter((d) => /^cpu\d+$/.test(d))
    .map((d) => Number(d.slice(3)))
    .sort((a, b) => a - b);
  const hz: number[] = [];
  let first: number | null = null;
  for (const id of cpus) {
    const dir = join(base, `cpu${id}`, 'cpufreq');
    const khz = num(join(dir, 'scaling_cur_freq')) ?? num(join(dir, 'cpuinfo_cur_freq'));
    if (khz === null) continue;
    if (first === null) first = khz * 1000;
    hz.push(khz * 1000);
  }
  if (hz.length === 0 || first === null) return;
  push('frequency', 'cpu0_hz', first, 'Hz', 'cpufreq', 'gauge');
  push('frequency', 'cpu_hz_avg', hz.reduce((a, b) => a + b, 0) / hz.length, 'Hz', 'cpufreq', 'gauge');
  push('frequency', 'cpu_hz_min', Math.min(...hz), 'Hz', 'cpufreq', 'gauge');
  push('frequency', 'cpu_hz_max', Math.max(...hz), 'Hz', 'cpufreq', 'gauge');
  push('frequency', 'cpu_hz_sampled_cores', hz.length, 'count', 'cpufreq', 'gauge');
}

const HWMON: [RegExp, string, string, number][] = [
  [/^temp\d+_input$/, 'thermal', 'C', 1000],
  [/^in\d+_input$/, 'voltage', 'V', 1000],
  [/^curr\d+_input$/, 'current', 'A', 1000],
  [/^power\d+_input$/, 'power', 'W', 1e6],
  [/^fan\d+_input$/, 'cooling', 'rpm', 1],
];

/** /sys/class/hwmon/hwmon*: every *_input, named <chip>.<label>. */
function collectHwmon(root: string, push: Push): void {
  const base = join(root, 'sys/class/hwmon');
  for (const dir of tryList(base)) {
    const p = join(base, dir);
    const chip = normalizeName(tryRead(join(p, 'name'))?.trim() || dir);
    for (const file of tryList(p)) {
      const kind = HWMON.find(([re]) => re.test(file));
      if (!kind) continue;
      const v = num(join(p, file));
      if (v === null) continue;
      const stem = file.slice(0, -'_input'.length);
      const label = normalizeName(tryRead(join(p, `${stem}_label`))?.trim() || stem);
      push(kind[1], `${chip}.${label}`, v / kind[3], kind[2], 'linux_hwmon', 'gauge');
    }
  }
}

/** Every Linux collector; returns the metrics (unsorted) and the three load averages when readable. */
export function collectLinux(root = '/'): {
  metrics: TelemetryMetric[];
  loadavg: [number, number, number] | null;
} {
  const metrics: TelemetryMetric[] = [];
  const push = metricsSink(metrics);
  const proc = (f: string) => tryRead(join(root, 'proc', f));
  let loadavg: [number, number, number] | null = null;
  const up = proc('uptime');
  if (up) parseUptime(up, push);
  const la = proc('loadavg');
  if (la) loadavg = parseLoadavg(la, push);
  const st = proc('stat');
  if (st) parseStat(st, push);
  const mem = proc('meminfo');
  if (mem) parseMeminfo(mem, push);
  for (const res of ['cpu', 'io', 'memory']) {
    const t = proc(`pressure/${res}`);
    if (t) parsePressure(res, t, push);
  }
  const ent = proc('sys/kernel/random/entropy_avail');
  if (ent) push('entropy', 'kernel_pool_available_bits', Number(ent.trim()), 'bits', 'procfs', 'gauge');
  const net = proc('net/dev');
  if (net) parseNetDev(net, push);
  const disk = proc('diskstats');
  if (disk) parseDiskstats(disk, push);
  collectPowerSupply(root, push);
  collectCpufreq(root, push);
  collectHwmon(root, push);
  return { metrics, loadavg };
}
