import { lowByte } from '../extract.js';
import type { SourceSpec } from '../types.js';

/**
 * Scheduling sources: how long the kernel takes to put a thread back on a CPU. Raw byte = the low 8 bits
 * of the duration (`lowByte`).
 */
export const schedulingSources: SourceSpec[] = [
  {
    name: 'sleep_jitter',
    category: 'scheduling',
    kind: 'physical',
    description: 'Duration of a real 1 us clock_nanosleep (ns), including the wake-up overshoot',
    physics:
      'The thread really sleeps (clock_nanosleep on CLOCK_MONOTONIC for a fixed 1 us; openentropy slept for zero ' +
      'time, which issues no syscall). The kernel arms an hrtimer rounded by the timer slack (50 us by default), ' +
      'and the wake-up adds timer-interrupt delivery, the scheduler and other runnable tasks; in a VM the host ' +
      'schedules the vCPU too (steal time), so the hypervisor sees and shapes this source.',
    requirements: ['clock_nanosleep'],
    fast: true,
    sampler: 'sleep_jitter',
    params: { sleepNs: 1000 },
    batchSize: 128,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'dispatch_queue',
    category: 'scheduling',
    kind: 'physical',
    description: 'Futex wake latency from posting work to a worker thread running it',
    physics:
      'The measuring thread waits until a worker thread is parked in FUTEX_WAIT (a fixed 20 us after it says so), ' +
      'stamps the cycle counter, bumps the futex word and wakes it; the worker stamps the counter as soon as it ' +
      'runs. The delay is the futex wake path, the scheduler choosing ' +
      'and waking a CPU (an IPI, or in a VM a VM exit and a host-side IPI) and whatever else was runnable. It is ' +
      "Linux's counterpart of openentropy's dispatch-queue/channel latency.",
    requirements: ['futex', 'two threads (more useful with >= 2 CPUs)'],
    fast: true,
    sampler: 'dispatch_queue',
    batchSize: 256,
    credit: 1,
    extract: lowByte,
  },
  {
    name: 'thread_lifecycle',
    category: 'scheduling',
    kind: 'physical',
    description: 'pthread_create + pthread_join of a thread with a fixed trivial body',
    physics:
      'Creating and joining a thread runs clone3, stack mapping (or glibc stack-cache reuse), TLS setup, the ' +
      'scheduler placing and running the new task, its exit and the futex wake of the joiner. The body is fixed ' +
      '(openentropy varied it with an LCG, which is predictable), so all variation comes from the kernel and CPU.',
    requirements: ['pthreads'],
    fast: true,
    sampler: 'thread_lifecycle',
    batchSize: 512,
    credit: 1,
    extract: lowByte,
  },
];
