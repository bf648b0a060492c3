/**
 * Background work of `oe ui` (an analysis, a comparison): each job has an id the page polls for its
 * progress and result. One job per key runs at a time (asking again returns the running one), jobs run
 * one after another (the machine's cores go to one analysis at a time, which itself uses worker
 * threads), and only the last few finished jobs are kept.
 */
import { randomBytes } from 'node:crypto';
import { errorMessage } from '../../errors.js';
import type { JobView } from '../api-types.js';

export type { JobView };

export type Report = (message: string, fraction?: number | null) => void;

interface Job extends JobView {
  run: (report: Report) => Promise<unknown>;
}

const KEEP_FINISHED = 32;

export class JobRegistry {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private active: Job | null = null;
  private closed = false;

  /** Starts `run` unless a job with the same key is queued or running (then returns that one). */
  start(kind: string, key: string, run: (report: Report) => Promise<unknown>): JobView {
    const existing = this.byKey(key);
    if (existing) return view(existing);
    const job: Job = {
      id: randomBytes(9).toString('base64url'),
      kind,
      key,
      state: 'queued',
      progress: { message: 'queued', fraction: null },
      started_at: new Date().toISOString(),
      finished_at: null,
      error: null,
      result: null,
      run,
    };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    this.pump();
    return view(job);
  }

  get(id: string): JobView | null {
    const j = this.jobs.get(id);
    return j ? view(j) : null;
  }

  /** The queued or running job of `key`, if any. */
  byKey(key: string): Job | null {
    for (const j of this.jobs.values()) if (j.key === key && (j.state === 'queued' || j.state === 'running')) return j;
    return null;
  }

  running(key: string): boolean {
    return this.byKey(key) !== null;
  }

  /** Stops taking jobs and waits for the one running. */
  async close(): Promise<void> {
    this.closed = true;
    for (const j of this.queue.splice(0)) finish(j, 'failed', null, 'server stopped');
    while (this.active) await new Promise((r) => setTimeout(r, 50));
  }

  private pump(): void {
    if (this.active || this.closed) return;
    const job = this.queue.shift();
    if (!job) return;
    this.active = job;
    job.state = 'running';
    job.progress = { message: 'started', fraction: 0 };
    const report: Report = (message, fraction = null) => {
      job.progress = { message, fraction: fraction === null ? null : Math.max(0, Math.min(1, fraction)) };
    };
    job
      .run(report)
      .then(
        (result) => finish(job, 'done', result, null),
        (e) => finish(job, 'failed', null, errorMessage(e)),
      )
      .finally(() => {
        this.active = null;
        this.prune();
        this.pump();
      });
  }

  private prune(): void {
    const done = [...this.jobs.values()].filter((j) => j.state === 'done' || j.state === 'failed');
    for (const j of done.slice(0, Math.max(0, done.length - KEEP_FINISHED))) this.jobs.delete(j.id);
  }
}

function finish(job: Job, state: 'done' | 'failed', result: unknown, error: string | null): void {
  job.state = state;
  job.result = result;
  job.error = error;
  job.finished_at = new Date().toISOString();
  job.progress = { message: state === 'done' ? 'done' : `failed: ${error}`, fraction: state === 'done' ? 1 : null };
}

function view(j: Job): JobView {
  const { run: _run, ...rest } = j;
  return { ...rest, progress: { ...j.progress } };
}
