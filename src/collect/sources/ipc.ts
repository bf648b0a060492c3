import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * IPC sources: round trips through kernel objects between two threads (or through the kernel key
 * store). Each measurement is a duration in cycle-counter ticks (ns for epoll_timerfd); the raw byte is
 * its low 8 bits (`lowByte`).
 */
export const ipcSources: SourceSpec[] = [
  {
    name: 'pipe_buffer',
    category: 'ipc',
    kind: 'physical',
    description: 'Round trip of a fixed 64-byte message over two pipes to an echo thread and back',
    physics:
      'A message written into one pipe wakes a sibling thread (pinned to another CPU when there are two) that ' +
      'reads it and writes it back into a second pipe. The round trip is two pipe copies, two futex-style wake-ups ' +
      'of a sleeping task, the scheduler placing it (a reschedule IPI across CPUs, a VM exit and an injected ' +
      'interrupt under a hypervisor) and whatever else is runnable. The message size is fixed (openentropy varied ' +
      'it from 1 to 4096 bytes, which is predictable). In a VM the host schedules the vCPUs, so much of the ' +
      'spread is host and co-tenant load, which the hypervisor sees and can shape.',
    requirements: ['pipe2', 'two threads (more useful with >= 2 CPUs)'],
    fast: true,
    sampler: 'pipe_buffer',
    params: { bytes: 64 },
    batchSize: 128,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'epoll_timerfd',
    category: 'ipc',
    kind: 'physical',
    description: "Lateness (ns) of epoll_wait's return after a one-shot timerfd expiry 100 us ahead (Linux's kqueue)",
    physics:
      'A timerfd is armed for an absolute CLOCK_MONOTONIC time a fixed 100 us ahead and the thread sleeps in ' +
      'epoll_wait; the measurement is how far past the expiry it is running again. That is hrtimer programming and ' +
      'interrupt delivery, timer slack (50 us by default for normal threads), the wake-up and the scheduler. In a ' +
      'VM the timer is the hypervisor-emulated LAPIC/TSC-deadline timer and the vCPU may not be running when it ' +
      "fires. openentropy's kqueue_events mixed timers, sockets and file events on macOS; this is the timer part " +
      'on Linux.',
    requirements: ['timerfd', 'epoll'],
    fast: true,
    sampler: 'epoll_timerfd',
    params: { intervalNs: 100000 },
    batchSize: 64,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'scm_rights',
    category: 'ipc',
    kind: 'physical',
    description: "Round trip of a file descriptor over an AF_UNIX socketpair with SCM_RIGHTS (Linux's Mach IPC)",
    physics:
      'A message carrying a file descriptor goes to a sibling thread, which receives it (the kernel takes a ' +
      'reference on the open file and installs a new descriptor in the table), sends it back and closes its copy; ' +
      'we receive and close it. Besides the fd-table and refcount work, the round trip has two socket wake-ups and ' +
      "scheduling, as in pipe_buffer. It stands in for openentropy's mach_ipc (Mach messages with out-of-line " +
      'memory and port rights), which has no Linux equivalent; the VM caveats of pipe_buffer apply.',
    requirements: ['AF_UNIX sockets', 'two threads (more useful with >= 2 CPUs)'],
    fast: true,
    sampler: 'scm_rights',
    batchSize: 128,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'keyring_timing',
    category: 'ipc',
    kind: 'physical',
    description: "add_key update + keyctl(KEYCTL_READ) of one key in the thread keyring (Linux's keychain)",
    physics:
      "openentropy's keychain_timing timed a round trip to macOS securityd. Linux keeps keys in the kernel: " +
      'add_key("user") on an existing description replaces the payload (a kmalloc, an RCU swap and a keyring ' +
      'lookup under a semaphore) and KEYCTL_READ copies it back. No daemon or hardware is involved, so this is ' +
      'syscall-path timing (caches, interrupts, in a VM the hypervisor) with the keyring locking on top; the ' +
      'per-sample spread is small, hence the low credit. Container seccomp profiles often deny add_key; then the ' +
      'source is unavailable.',
    requirements: ['kernel keyring (CONFIG_KEYS; add_key/keyctl not denied by seccomp)'],
    fast: true,
    sampler: 'keyring_timing',
    batchSize: 8192,
    credit: 0.5,
    extract: lowByte,
  },
];
