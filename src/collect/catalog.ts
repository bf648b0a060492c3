import { OeError } from '../errors.js';
import { compositeSources } from './sources/composite.js';
import { ioSources } from './sources/io.js';
import { ipcSources } from './sources/ipc.js';
import { microarchSources } from './sources/microarch.js';
import { networkSources } from './sources/network.js';
import { novelSources } from './sources/novel.js';
import { referenceSources } from './sources/reference.js';
import { schedulingSources } from './sources/scheduling.js';
import { sensorSources } from './sources/sensor.js';
import { signalSources } from './sources/signal.js';
import { systemSources } from './sources/system.js';
import { thermalSources } from './sources/thermal.js';
import { timingSources } from './sources/timing.js';
import type { SourceSpec } from './types.js';

/** Every source oe knows, in display order. Each category module adds its own. */
export const CATALOG: readonly SourceSpec[] = [
  ...timingSources,
  ...schedulingSources,
  ...ioSources,
  ...ipcSources,
  ...microarchSources,
  ...thermalSources,
  ...compositeSources,
  ...signalSources,
  ...systemSources,
  ...networkSources,
  ...novelSources,
  ...referenceSources,
  ...sensorSources,
];

const byName = new Map(CATALOG.map((s) => [s.name, s]));

export function getSource(name: string): SourceSpec {
  const s = byName.get(name);
  if (!s) throw new OeError('NOT_FOUND', `unknown source "${name}"${suggestion(name)} (see "oe scan" for the list)`);
  return s;
}

/** Levenshtein distance between two short strings (source names). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/**
 * Catalog names close to `name`: those that contain it or that it contains, then those within an edit
 * distance of a third of its length (at least 2), nearest first, at most three.
 */
export function closeSourceNames(name: string, catalog: readonly SourceSpec[] = CATALOG): string[] {
  const t = name.toLowerCase();
  const scored = catalog
    .map((s) => ({
      name: s.name,
      d: s.name.includes(t) || t.includes(s.name) ? 0 : editDistance(t, s.name),
    }))
    .filter((x) => x.d <= Math.max(2, Math.floor(t.length / 3)));
  scored.sort((a, b) => a.d - b.d || a.name.localeCompare(b.name));
  return scored.slice(0, 3).map((x) => x.name);
}

function suggestion(name: string, catalog: readonly SourceSpec[] = CATALOG): string {
  const close = closeSourceNames(name, catalog);
  return close.length ? `; did you mean ${close.join(', ')}?` : '';
}

const GLOB = /[*?]/;

/** A glob (`*` any run of characters, `?` one character) as an anchored, case-insensitive RegExp. */
function globPattern(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/**
 * Sources chosen by a selection (the `sources` option of the library, `--sources` on the command line):
 * - absent or empty: the fast set (fast sources that are not opt-in);
 * - `all`: every source that is not opt-in;
 * - otherwise comma-separated terms, each an exact source name (case-insensitive; it also selects an
 *   opt-in source) or a glob pattern with `*` and `?` (`jitter_*`, `*_timing`) over the sources that
 *   are not opt-in.
 * A name that is not in the catalog, or a pattern that matches nothing, is a usage error (with the
 * names close to it), never a silent fallback. The result keeps the order of the terms, without repeats.
 */
export function selectSources(filter: string | undefined, catalog: readonly SourceSpec[] = CATALOG): SourceSpec[] {
  if (filter === undefined || filter.trim() === '') return catalog.filter((s) => s.fast && !s.optIn);
  const terms = filter
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
  if (terms.length === 0) throw new OeError('USAGE', `source selection "${filter}" names no source`);
  if (terms.includes('all')) return catalog.filter((s) => !s.optIn);
  const picked: SourceSpec[] = [];
  for (const term of terms) {
    let hits: SourceSpec[];
    if (GLOB.test(term)) {
      const re = globPattern(term);
      hits = catalog.filter((s) => !s.optIn && re.test(s.name));
      if (hits.length === 0) {
        const optIn = catalog.filter((s) => s.optIn && re.test(s.name)).map((s) => s.name);
        throw new OeError(
          'USAGE',
          optIn.length
            ? `pattern "${term}" matches only opt-in sources (${optIn.join(', ')}), which are selected by their exact name`
            : `pattern "${term}" matches no source (see "oe scan" for the list)`,
        );
      }
    } else {
      hits = catalog.filter((s) => s.name.toLowerCase() === term);
      if (hits.length === 0) {
        throw new OeError(
          'USAGE',
          `unknown source "${term}"${suggestion(term, catalog)} (a pattern such as "*${term}*" selects every name containing it; see "oe scan" for the list)`,
        );
      }
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked;
}
