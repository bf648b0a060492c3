/**
 * The session folder and its manifest: the directory is created and session.json written (status
 * `recording`) before the first sample, and `manifest()` describes the session as it stands at any
 * moment (the finishing step rewrites it as `complete` or `failed`).
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { errorMessage, OeError } from '../../errors.js';
import { type Fingerprint, fingerprint } from '../fingerprint.js';
import { newSessionId } from '../session/layout.js';
import {
  type FileEntry,
  type SessionManifest,
  type SessionSource,
  type SourceCounts,
  writeManifest,
} from '../session/manifest.js';
import type { RecordPlan } from './options.js';
import type { SourceRun } from './scheduler.js';

/** Where the manifest's changing parts come from. */
export interface ManifestParts {
  runs: readonly SourceRun[];
  files: () => readonly FileEntry[];
  telemetry: () => { snapshots: number; rows: number; metrics: number } | null;
  conditioned: () => { bytes: number; errors: number; last_error: string | null } | null;
}

export class SessionFolder {
  readonly id: string;
  readonly dir: string;
  readonly started = new Date();
  private readonly fp: Fingerprint = fingerprint();

  /** Creates `<root>/<id>/` (IO error naming it if that fails). */
  constructor(
    private readonly plan: RecordPlan,
    id: string | undefined,
  ) {
    this.id =
      id ??
      newSessionId(
        plan.specs.map((s) => s.name),
        this.started,
        randomBytes(4).toString('hex'),
      );
    this.dir = join(plan.root, this.id);
    try {
      mkdirSync(plan.root, { recursive: true });
      mkdirSync(this.dir);
    } catch (e) {
      throw new OeError('IO', `cannot create session directory ${this.dir}: ${errorMessage(e)}`);
    }
  }

  /** Writes the initial manifest; if that fails the empty folder is removed again. */
  begin(parts: ManifestParts): void {
    try {
      writeManifest(this.dir, this.manifest(parts));
    } catch (e) {
      rmSync(this.dir, { recursive: true, force: true });
      throw e;
    }
  }

  /** The manifest as the session stands now (status `recording`). */
  manifest(parts: ManifestParts): SessionManifest {
    const runs = parts.runs;
    const plan = this.plan;
    const counts: Record<string, SourceCounts> = {};
    for (const r of runs) counts[r.spec.name] = { ...r.counts };
    const files = [...parts.files()];
    const telemetry = parts.telemetry();
    const conditioned = parts.conditioned();
    return {
      format: 'oe-session',
      version: 1,
      id: this.id,
      status: 'recording',
      started_at: this.started.toISOString(),
      ended_at: null,
      duration_ms: null,
      end_reason: null,
      error: null,
      repaired_at: null,
      pid: process.pid,
      sources: runs.map(
        (r): SessionSource => ({
          name: r.spec.name,
          category: r.spec.category,
          kind: r.spec.kind,
          sampler: r.spec.sampler,
          params: { ...(r.spec.params ?? {}) },
          unit: r.unit,
          extraction: r.spec.extract.name || 'custom',
          credit: r.spec.credit,
        }),
      ),
      config: plan.config,
      tags: plan.config.tags,
      note: plan.config.note,
      fingerprint: this.fp,
      counts,
      total_samples: runs.reduce((a, r) => a + r.counts.samples, 0),
      telemetry: telemetry && { interval_ms: plan.telemetryMs, ...telemetry },
      conditioned: conditioned && plan.conditioning ? { mode: plan.conditioning, ...conditioned } : null,
      files,
      size_bytes: files.reduce((a, f) => a + f.bytes, 0),
      skipped_sources: plan.skipped,
    };
  }
}
