import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  checkWindowSec,
  type TelemetryMetric,
  TelemetrySeries,
  type TelemetrySnapshot,
  telemetrySnapshot,
  telemetryWindow,
} from '../src/collect/telemetry/index.js';
import { isWholeDisk, normalizeName } from '../src/collect/telemetry/linux.js';
import { schemaValidator } from '../src/contracts/schema.js';
import { OeError } from '../src/errors.js';
import { runOeInProcess } from './cli-helpers.js';

const root = mkdtempSync(join(tmpdir(), 'oe-telemetry-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function put(rel: string, text: string): void {
  const p = join(root, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
}

// A fixture /proc and /sys in the kernel's formats (Documentation/filesystems/proc.rst,
// Documentation/admin-guide/iostats.rst, accounting/psi.rst, ABI sysfs-class-power, hwmon sysfs-interface).
put('proc/uptime', '12345.67 23456.78\n');
put('proc/loadavg', '0.50 0.40 0.30 3/250 12345\n');
put(
  'proc/stat',
  [
    'cpu  1000 20 300 5000 40 6 7 8 0 0',
    'cpu0 500 10 150 2500 20 3 3 4 0 0',
    'intr 99999 1 2 3',
    'ctxt 777777',
    'btime 1700000000',
    'processes 4242',
    'procs_running 2',
    'procs_blocked 1',
    '',
  ].join('\n'),
);
put(
  'proc/meminfo',
  [
    'MemTotal:       16000000 kB',
    'MemAvailable:    8000000 kB',
    'HugePages_Total:       4',
    'Hugepagesize:       2048 kB',
    '',
  ].join('\n'),
);
put(
  'proc/pressure/cpu',
  'some avg10=1.50 avg60=0.75 avg300=0.10 total=123456\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n',
);
put('proc/sys/kernel/random/entropy_avail', '256\n');
put(
  'proc/net/dev',
  [
    'Inter-|   Receive                                                |  Transmit',
    ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed',
    '    lo:    1000      10    0    0    0     0          0         0     1000      10    0    0    0     0       0          0',
    '  eth0:    5000      50    1    2    0     0          0         0     3000      30    3    4    0     0       0          0',
    '',
  ].join('\n'),
);
put(
  'proc/diskstats',
  [
    '   7       0 loop0 9 9 9 9 9 9 9 9 9 9 9 0 0 0 0 0 0',
    '   8       0 sda 100 2 800 30 200 4 1600 50 1 60 80 0 0 0 0 0 0',
    '   8       1 sda1 90 2 700 25 190 4 1500 45 0 55 70 0 0 0 0 0 0',
    ' 259       0 nvme0n1 10 0 80 3 20 0 160 5 0 6 8 0 0 0 0 0 0',
    ' 259       1 nvme0n1p1 5 0 40 1 10 0 80 2 0 3 4 0 0 0 0 0 0',
    '',
  ].join('\n'),
);
put('sys/class/power_supply/BAT0/capacity', '87\n');
put('sys/class/power_supply/BAT0/voltage_now', '12500000\n');
put('sys/class/power_supply/BAT0/status', 'Discharging\n');
put('sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq', '2000000\n');
put('sys/devices/system/cpu/cpu1/cpufreq/scaling_cur_freq', '3000000\n');
put('sys/class/hwmon/hwmon0/name', 'coretemp\n');
put('sys/class/hwmon/hwmon0/temp1_input', '45500\n');
put('sys/class/hwmon/hwmon0/temp1_label', 'Package id 0\n');
put('sys/class/hwmon/hwmon0/fan1_input', '1200\n');

function metric(s: TelemetrySnapshot, domain: string, name: string): TelemetryMetric | undefined {
  return s.metrics.find((m) => m.domain === domain && m.name === name);
}

describe('telemetry_v1 Linux collectors (fixture tree)', () => {
  const s = telemetrySnapshot({ root, now: () => 1_700_000_000_000 });

  it('reads every collector with units and kinds computed by hand from the fixture', () => {
    const expectMetric = (domain: string, name: string, value: number, unit: string, kind: string) => {
      const m = metric(s, domain, name);
      expect(m, `${domain}.${name}`).toBeDefined();
      expect(m?.value).toBeCloseTo(value, 9);
      expect(m?.unit).toBe(unit);
      expect(m?.kind).toBe(kind);
    };
    expectMetric('system', 'uptime_seconds', 12345.67, 's', 'counter');
    expectMetric('system', 'boot_unix_seconds', 1700000000, 's', 'gauge');
    expectMetric('scheduling', 'runnable_tasks', 3, 'count', 'gauge');
    expectMetric('scheduling', 'sched_entities', 250, 'count', 'gauge');
    // USER_HZ = 100: 1000 ticks = 10 s; busy = user+nice+system+irq+softirq+steal = 1341 ticks
    expectMetric('scheduling', 'cpu_time_user_seconds', 10, 's', 'counter');
    expectMetric('scheduling', 'cpu_time_busy_seconds', 13.41, 's', 'counter');
    expectMetric('scheduling', 'cpu_time_idle_iowait_seconds', 50.4, 's', 'counter');
    expectMetric('scheduling', 'context_switches_total', 777777, 'count', 'counter');
    expectMetric('scheduling', 'interrupts_total', 99999, 'count', 'counter');
    expectMetric('scheduling', 'processes_forked_total', 4242, 'count', 'counter');
    expectMetric('scheduling', 'processes_blocked', 1, 'count', 'gauge');
    expectMetric('memory', 'total_bytes', 16000000 * 1024, 'bytes', 'gauge');
    expectMetric('memory', 'hugepages_total', 4, 'count', 'gauge');
    expectMetric('memory', 'hugepage_size_bytes', 2048 * 1024, 'bytes', 'gauge');
    expectMetric('pressure', 'cpu_some_avg10', 1.5, 'pct', 'gauge');
    expectMetric('pressure', 'cpu_some_total', 123456, 'us', 'counter');
    expectMetric('entropy', 'kernel_pool_available_bits', 256, 'bits', 'gauge');
    expectMetric('network', 'interface_count', 2, 'count', 'gauge');
    expectMetric('network', 'rx_bytes_total', 6000, 'bytes', 'counter');
    expectMetric('network', 'tx_bytes_non_loopback_total', 3000, 'bytes', 'counter');
    expectMetric('network', 'tx_drops_total', 4, 'count', 'counter');
    // whole disks only: sda and nvme0n1 (not loop0, sda1, nvme0n1p1)
    expectMetric('disk', 'device_count', 2, 'count', 'gauge');
    expectMetric('disk', 'read_ios_total', 110, 'count', 'counter');
    expectMetric('disk', 'write_sectors_total', 1760, 'sectors', 'counter');
    expectMetric('disk', 'io_in_progress_total', 1, 'count', 'gauge');
    expectMetric('disk', 'weighted_io_time_ms_total', 88, 'ms', 'counter');
    expectMetric('power', 'bat0.capacity_percent', 87, 'percent', 'gauge');
    expectMetric('power', 'bat0.voltage_now', 12.5, 'V', 'gauge');
    expectMetric('power', 'bat0.is_discharging', 1, 'bool', 'gauge');
    expectMetric('power', 'bat0.is_charging', 0, 'bool', 'gauge');
    expectMetric('frequency', 'cpu0_hz', 2e9, 'Hz', 'gauge');
    expectMetric('frequency', 'cpu_hz_avg', 2.5e9, 'Hz', 'gauge');
    expectMetric('frequency', 'cpu_hz_max', 3e9, 'Hz', 'gauge');
    expectMetric('thermal', 'coretemp.package_id_0', 45.5, 'C', 'gauge');
    expectMetric('cooling', 'coretemp.fan1', 1200, 'rpm', 'gauge');
    expect(s.loadavg_1m).toBe(0.5);
    expect(s.loadavg_15m).toBe(0.3);
  });

  it('sorts metrics by domain, name, source, unit and validates against the schema', () => {
    const keys = s.metrics.map((m) => `${m.domain}|${m.name}`);
    expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b)));
    const v = schemaValidator('telemetry_v1');
    expect(v(s), JSON.stringify(v.errors)).toBe(true);
  });

  it('omits what is missing instead of inventing it', () => {
    const empty = mkdtempSync(join(tmpdir(), 'oe-telemetry-empty-'));
    const e = telemetrySnapshot({ root: empty });
    expect(e.metrics).toEqual([]);
    expect(e.loadavg_1m).toBeNull();
    rmSync(empty, { recursive: true });
  });

  it('classifies disk names and normalises labels like the seed', () => {
    expect(['sda', 'vdb', 'nvme0n1', 'mmcblk0', 'xvda'].every(isWholeDisk)).toBe(true);
    expect(['sda1', 'nvme0n1p2', 'mmcblk0p1', 'loop3', 'dm-0', 'zram0', 'sr0', 'md127'].some(isWholeDisk)).toBe(false);
    expect(normalizeName('  Package id 0 ')).toBe('package_id_0');
    expect(normalizeName('AC/Adapter--1')).toBe('ac_adapter_1');
  });
});

describe('windows and the periodic series', () => {
  const base = (t: number, ctxt: number, mem: number): TelemetrySnapshot => ({
    model_id: 'telemetry_v1',
    model_version: 1,
    collected_unix_ms: t,
    os: 'linux',
    arch: 'x64',
    cpu_count: 2,
    loadavg_1m: 1,
    loadavg_5m: 1,
    loadavg_15m: 1,
    metrics: [
      { domain: 'memory', name: 'free_bytes', value: mem, unit: 'bytes', source: 'procfs', kind: 'gauge' },
      {
        domain: 'scheduling',
        name: 'context_switches_total',
        value: ctxt,
        unit: 'count',
        source: 'procfs',
        kind: 'counter',
      },
    ],
  });

  it('gives deltas for both kinds and per-second rates only for counters', () => {
    const w = telemetryWindow(base(1000, 100, 5000), base(3000, 700, 4000));
    expect(w.elapsed_ms).toBe(2000);
    const c = w.deltas.find((d) => d.name === 'context_switches_total');
    const g = w.deltas.find((d) => d.name === 'free_bytes');
    expect(c?.delta_value).toBe(600);
    expect(c?.rate_per_s).toBe(300);
    expect(g?.delta_value).toBe(-1000);
    expect(g?.rate_per_s).toBeNull();
    expect(schemaValidator('telemetry_v1')(w)).toBe(true);
  });

  it('gives a counter that went backwards (reset) no rate', () => {
    const w = telemetryWindow(base(0, 1000, 1), base(1000, 10, 1));
    expect(w.deltas.find((d) => d.name === 'context_switches_total')?.rate_per_s).toBeNull();
  });

  it('series rows carry counter rates against the previous snapshot', () => {
    const s = new TelemetrySeries();
    s.add(base(0, 100, 10));
    s.add(base(500, 150, 20));
    const rows = s.drain();
    const i = rows.name.map((n, k) => [n, k] as const).filter(([n]) => n === 'context_switches_total');
    expect(Number.isNaN(rows.rate[i[0][1]])).toBe(true);
    expect(rows.rate[i[1][1]]).toBe(100);
    expect(rows.t[i[1][1]]).toBe(500_000n);
    const g = rows.name.indexOf('free_bytes');
    expect(Number.isNaN(rows.rate[g])).toBe(true);
    expect(s.pending).toBe(0);
  });

  it('rejects a negative or non-finite window with a usage error (exit 2) and clamps to a day', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      const e = (() => {
        try {
          checkWindowSec(bad);
        } catch (err) {
          return err;
        }
      })();
      expect(e).toBeInstanceOf(OeError);
      expect((e as OeError).exitCode).toBe(2);
    }
    expect(checkWindowSec(0)).toBe(0);
    expect(checkWindowSec(1e9)).toBe(86_400);
  });
});

describe('oe telemetry (CLI)', () => {
  it('exits 2 with one line for a negative or non-finite window', async () => {
    for (const w of ['--window-sec=-5', '--window-sec=Infinity', '--window-sec=abc']) {
      const r = await runOeInProcess(['telemetry', w]);
      expect(r.code).toBe(2);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(/window-sec/);
    }
  });

  it('writes a snapshot and a window that match the schema', async () => {
    const out = join(root, 'snap.json');
    const r = await runOeInProcess(['telemetry', '--json', '--output', out]);
    expect(r.code).toBe(0);
    const data = JSON.parse(r.stdout);
    expect(schemaValidator('telemetry_v1')(data)).toBe(true);
    expect(data.metrics.length).toBeGreaterThan(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).model_id).toBe('telemetry_v1');
    const w = await runOeInProcess(['telemetry', '--window-sec', '0.3', '--json']);
    expect(w.code).toBe(0);
    const win = JSON.parse(w.stdout);
    expect(schemaValidator('telemetry_v1')(win)).toBe(true);
    expect(win.elapsed_ms).toBeGreaterThanOrEqual(250);
    expect(
      win.deltas.some(
        (d: { kind: string; rate_per_s: number | null }) => d.kind === 'counter' && d.rate_per_s !== null,
      ),
    ).toBe(true);
  });
});
