import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { arch, availableParallelism, cpus, hostname, platform, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { packageRoot } from '../util/paths.js';
import { VERSION } from '../version.js';
import { loadNative } from './native.js';

/**
 * What a measurement depends on: the machine (CPU, cores, virtualization, kernel, clocksource) and
 * the software that took it (Node, oe, the native addon, the git commit when known). Stored in every
 * session manifest and bench report so that numbers from different runs can be told apart.
 * Fields that cannot be read here are null, never guessed.
 */
export interface MachineFingerprint {
  os: string;
  platform: string;
  arch: string;
  kernel: string;
  cpu_model: string | null;
  cpu_vendor: string | null;
  cpu_flags: { constant_tsc: boolean; nonstop_tsc: boolean; rdrand: boolean; rdseed: boolean } | null;
  /** Logical CPUs the process may use. */
  cores: number;
  /** Logical CPUs the machine has. */
  cpus_online: number;
  memory_bytes: number;
  /** Hypervisor detected (cpuinfo "hypervisor" flag / DMI), with its name when known; null when bare metal. */
  virtualization: { detected: boolean; vendor: string | null; product: string | null };
  clocksource: string | null;
  cpufreq_governor: string | null;
  /** sha256 of the hostname, first 16 hex digits: groups runs by machine without storing its name. */
  machine_id: string;
}

export interface SoftwareVersions {
  oe: string;
  node: string;
  v8: string;
  duckdb: string | null;
  addon: {
    built: boolean;
    arch: string | null;
    tick_unit: string | null;
    samplers: number | null;
    mtime: string | null;
  };
  git_commit: string | null;
}

export interface Fingerprint {
  machine: MachineFingerprint;
  software: SoftwareVersions;
}

function read(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

function readTrim(path: string): string | null {
  const s = read(path);
  return s === null ? null : s.trim() || null;
}

function cpuinfoField(cpuinfo: string | null, field: string): string | null {
  if (!cpuinfo) return null;
  const re = new RegExp(`^${field}\\s*:\\s*(.*)$`, 'm');
  const m = re.exec(cpuinfo);
  return m ? m[1].trim() : null;
}

function osName(): string {
  const rel = read('/etc/os-release');
  const m = rel ? /^PRETTY_NAME="?([^"\n]*)"?/m.exec(rel) : null;
  return m ? `${platform()} ${m[1]}` : platform();
}

/** The machine half of the fingerprint. */
export function machineFingerprint(): MachineFingerprint {
  const cpuinfo = read('/proc/cpuinfo');
  const flagsLine = cpuinfoField(cpuinfo, 'flags');
  const flags = flagsLine ? new Set(flagsLine.split(/\s+/)) : null;
  const dmiVendor = readTrim('/sys/class/dmi/id/sys_vendor');
  const dmiProduct = readTrim('/sys/class/dmi/id/product_name');
  const hypervisorFlag = flags?.has('hypervisor') ?? false;
  const hvType = readTrim('/sys/hypervisor/type');
  return {
    os: osName(),
    platform: platform(),
    arch: arch(),
    kernel: release(),
    cpu_model: cpuinfoField(cpuinfo, 'model name') ?? cpus()[0]?.model ?? null,
    cpu_vendor: cpuinfoField(cpuinfo, 'vendor_id'),
    cpu_flags: flags
      ? {
          constant_tsc: flags.has('constant_tsc'),
          nonstop_tsc: flags.has('nonstop_tsc'),
          rdrand: flags.has('rdrand'),
          rdseed: flags.has('rdseed'),
        }
      : null,
    cores: availableParallelism(),
    cpus_online: cpus().length,
    memory_bytes: totalmem(),
    virtualization: {
      detected: hypervisorFlag || hvType !== null,
      vendor: hvType ?? (hypervisorFlag ? dmiVendor : null),
      product: hypervisorFlag ? dmiProduct : null,
    },
    clocksource: readTrim('/sys/devices/system/clocksource/clocksource0/current_clocksource'),
    cpufreq_governor: readTrim('/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor'),
    machine_id: createHash('sha256').update(hostname()).digest('hex').slice(0, 16),
  };
}

/** The commit of the source tree oe runs from, read from .git without spawning git; null outside a checkout. */
export function gitCommit(root: string = packageRoot()): string | null {
  const gitDir = join(root, '.git');
  const head = readTrim(join(gitDir, 'HEAD'));
  if (!head) return null;
  if (/^[0-9a-f]{40}$/.test(head)) return head;
  const m = /^ref:\s*(.+)$/.exec(head);
  if (!m) return null;
  const loose = readTrim(join(gitDir, m[1]));
  if (loose && /^[0-9a-f]{40}$/.test(loose)) return loose;
  const packed = read(join(gitDir, 'packed-refs'));
  if (packed) {
    for (const line of packed.split('\n')) {
      const [sha, ref] = line.split(' ');
      if (ref === m[1] && /^[0-9a-f]{40}$/.test(sha)) return sha;
    }
  }
  return null;
}

function duckdbVersion(): string | null {
  try {
    const p = join(packageRoot(), 'node_modules', '@duckdb', 'node-api', 'package.json');
    return (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

/** The software half of the fingerprint. */
export function softwareVersions(): SoftwareVersions {
  let addon: SoftwareVersions['addon'] = { built: false, arch: null, tick_unit: null, samplers: null, mtime: null };
  try {
    const a = loadNative();
    const path = join(packageRoot(), 'build', 'Release', 'oe_native.node');
    addon = {
      built: true,
      arch: a.arch(),
      tick_unit: a.tickUnit,
      samplers: a.list().length,
      mtime: existsSync(path) ? statSync(path).mtime.toISOString() : null,
    };
  } catch {
    // not built: reported as built=false
  }
  return {
    oe: VERSION,
    node: process.versions.node,
    v8: process.versions.v8,
    duckdb: duckdbVersion(),
    addon,
    git_commit: gitCommit(),
  };
}

/** Machine and software fingerprint, for manifests and reports. */
export function fingerprint(): Fingerprint {
  return { machine: machineFingerprint(), software: softwareVersions() };
}
