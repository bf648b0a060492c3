/**
 * Scheduling priority of this process on Linux: lowering it (never raising, which needs privileges).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers every thread of this process by `delta` nice levels (Linux's nice is per thread: the threads
 * Node already started are reniced one by one; the libuv and DuckDB threads started later inherit it).
 */
export function lowerPriority(delta: number): void {
  const target = Math.min(19, getPriority(0) + delta);
  let tids: number[] = [];
  try {
    tids = readdirSync('/proc/self/task').map(Number);
  } catch {
    // not Linux: the process priority below is all there is
  }
  for (const tid of tids) {
    try {
      setPriority(tid, target);
    } catch {
      // a thread that ended meanwhile
    }
  }
  try {
    setPriority(0, target);
  } catch {
    // a system that refuses even a lower priority: the writer still works, only without the precedence
  }
  // This process is its own session (detached), and with autogroup scheduling (Linux's default on desktops
  // and on this VM) a session is its own scheduling group: the nice levels above then only rank threads
  // within this process, and the group as a whole competes with the recorder's as an equal. Lower the
  // group too, by the same delta below the recorder's group (measured in bench/recorder.bench.ts).
  const group = autogroupNice(process.ppid);
  if (group !== null) {
    try {
      writeFileSync('/proc/self/autogroup', String(Math.min(19, group + delta)));
    } catch {
      // a kernel that refuses it: the thread priorities above still apply within the group
    }
  }
}

/** The nice level of a process's autogroup (`/proc/<pid>/autogroup`), null without autogroup scheduling. */
export function autogroupNice(pid: number | 'self'): number | null {
  try {
    const m = /nice (-?\d+)/.exec(readFileSync(`/proc/${pid}/autogroup`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // not Linux, or CONFIG_SCHED_AUTOGROUP off
  }
}
