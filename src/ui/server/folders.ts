/**
 * The session folders `oe ui` serves (`--dir`, repeatable): listing with filters and paging, and the
 * resolution of ids and file names from URLs. A name from a URL is never joined into a path: it must
 * match a strict alphabet and then equal the name of an entry listed in one of the folders, so nothing
 * outside them can be reached (no `..`, no absolute paths, no symlink names outside the listing).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { manifestPath, readManifest, sessionDirs, summarizeSession } from '../../collect/session/index.js';
import { machineSummary } from '../../jobs/compare-inputs.js';
import { STORED_ANALYSIS } from '../../jobs/stored-analysis.js';
import type { BenchRow, SessionRow } from '../api-types.js';
import { HttpError, quote } from './http.js';

/** Session ids and file names accepted in URLs. */
const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,199}$/;

export function checkName(kind: string, name: string): void {
  if (!NAME.test(name) || name.includes('..'))
    throw new HttpError(400, `invalid ${kind} ${quote(name)} (letters, digits, '_', '-', '.' only)`);
}

export interface SessionFilter {
  tag?: string;
  machine?: string;
  source?: string;
  status?: string;
}

interface Cached {
  /** The manifest's and the stored analysis's mtime and size: the row's size on disk counts both. */
  stamp: string;
  row: Omit<SessionRow, 'analysis'>;
}

function fileStamp(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.mtimeMs}:${st.size}`;
  } catch {
    return null;
  }
}

export class SessionFolders {
  readonly dirs: string[];
  private readonly cache = new Map<string, Cached>();

  constructor(dirs: readonly string[]) {
    this.dirs = dirs.map((d) => resolve(d));
  }

  /** Every session of every folder, newest first; a broken folder yields no rows (and does not throw). */
  async sessions(running: (dir: string) => boolean = () => false): Promise<SessionRow[]> {
    const rows: SessionRow[] = [];
    for (const [folder, root] of this.dirs.entries()) {
      let dirs: string[];
      try {
        dirs = sessionDirs(root);
      } catch {
        continue;
      }
      for (const dir of dirs) {
        const row = await this.row(folder, dir);
        rows.push({
          ...row,
          analysis: running(dir) ? 'running' : existsSync(join(dir, STORED_ANALYSIS)) ? 'stored' : 'none',
        });
      }
    }
    rows.sort((a, b) => (b.started_at ?? b.id).localeCompare(a.started_at ?? a.id));
    return rows;
  }

  private async row(folder: number, dir: string): Promise<Omit<SessionRow, 'analysis'>> {
    const manifest = fileStamp(manifestPath(dir));
    const stamp = manifest === null ? null : `${manifest} ${fileStamp(join(dir, STORED_ANALYSIS))}`;
    const hit = this.cache.get(dir);
    if (stamp !== null && hit?.stamp === stamp) return hit.row;
    const s = await summarizeSession(dir);
    let machine = 'unknown machine';
    let machineId: string | null = null;
    let tags: Record<string, string> = {};
    let note: string | null = null;
    if (s.status !== 'unreadable') {
      try {
        const m = readManifest(dir);
        machine = machineSummary(m.fingerprint);
        machineId = m.fingerprint?.machine?.machine_id ?? null;
        tags = m.tags;
        note = m.note;
      } catch {
        // summarizeSession already reported the problem in `error`.
      }
    }
    const row: Omit<SessionRow, 'analysis'> = {
      id: s.id,
      folder,
      status: s.status,
      repaired: s.repaired,
      started_at: s.started_at,
      duration_ms: s.duration_ms,
      sources: s.sources,
      samples: s.samples,
      size_bytes: s.size_bytes,
      machine,
      machine_id: machineId,
      tags,
      note,
      error: s.error,
      repair_command:
        s.status === 'incomplete' ? `oe sessions ${s.id} --repair --dir ${shellQuote(this.dirs[folder])}` : null,
    };
    // A recording changes under us; everything else only when its manifest is rewritten.
    if (stamp !== null && s.status !== 'recording') this.cache.set(dir, { stamp, row });
    return row;
  }

  /**
   * The directory of session `id` (exact name) in folder `folder`, or in the first folder that has it.
   * 400 for a malformed id, 404 when no folder lists it.
   */
  sessionDir(id: string, folder?: number): string {
    checkName('session id', id);
    const roots = folder === undefined ? this.dirs : [this.folder(folder)];
    for (const root of roots) {
      let dirs: string[];
      try {
        dirs = sessionDirs(root);
      } catch {
        continue;
      }
      const hit = dirs.find((d) => basename(d) === id);
      if (hit) return hit;
    }
    throw new HttpError(404, `no session ${quote(id)} in ${roots.length === 1 ? roots[0] : 'the sessions folders'}`);
  }

  folder(index: number): string {
    const d = this.dirs[index];
    if (d === undefined) throw new HttpError(400, `no folder ${index} (there are ${this.dirs.length})`);
    return d;
  }

  /** Bench reports (`oe bench --json` files, schemas/bench.schema.json) at the top level of the folders. */
  benches(): BenchRow[] {
    const out: BenchRow[] = [];
    for (const [folder, root] of this.dirs.entries()) {
      let names: string[];
      try {
        names = readdirSync(root).filter((f) => f.endsWith('.json') && NAME.test(f));
      } catch {
        continue;
      }
      for (const name of names.sort()) {
        const path = join(root, name);
        try {
          const st = statSync(path);
          if (!st.isFile() || st.size > 64 * 1024 * 1024) continue;
          const data = JSON.parse(readFileSync(path, 'utf8'));
          if (data?.format !== 'oe-bench') continue;
          out.push({
            name,
            folder,
            machine: machineSummary(data.fingerprint),
            generated_at: typeof data.generated_at === 'string' ? data.generated_at : null,
            profile: typeof data.profile === 'string' ? data.profile : null,
            sources: Array.isArray(data.standard?.sources) ? data.standard.sources.length : 0,
            size_bytes: st.size,
          });
        } catch {
          // Not JSON or not a bench report: not listed.
        }
      }
    }
    return out;
  }

  /** Path of bench file `name` (as listed by `benches()`). */
  benchPath(name: string, folder?: number): string {
    checkName('file name', name);
    const hit = this.benches().find((b) => b.name === name && (folder === undefined || b.folder === folder));
    if (!hit) throw new HttpError(404, `no bench report ${quote(name)} in the sessions folders`);
    return join(this.dirs[hit.folder], hit.name);
  }
}

export function filterSessions(rows: readonly SessionRow[], f: SessionFilter): SessionRow[] {
  const tag = f.tag ? parseTagFilter(f.tag) : null;
  const machine = f.machine?.toLowerCase();
  return rows.filter(
    (r) =>
      (!tag || (tag.key in r.tags && (tag.value === null || r.tags[tag.key] === tag.value))) &&
      (!machine || r.machine.toLowerCase().includes(machine) || r.machine_id === f.machine) &&
      (!f.source || r.sources.includes(f.source)) &&
      (!f.status || r.status === f.status),
  );
}

/** `key` or `key:value` (as `oe record --tag key:value`). */
function parseTagFilter(t: string): { key: string; value: string | null } {
  const i = t.indexOf(':');
  return i < 0 ? { key: t, value: null } : { key: t.slice(0, i), value: t.slice(i + 1) };
}

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export type { BenchRow, SessionRow };
