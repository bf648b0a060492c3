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
  if (!s) throw new OeError('NOT_FOUND', `unknown source "${name}" (see "oe scan" for the list)`);
  return s;
}

/**
 * The seed's `--sources` filter: absent → the fast set; `all` → every source that is not opt-in;
 * otherwise comma-separated, trimmed, case-insensitive substring matches (an exact name also selects an
 * opt-in source). A filter that matches nothing is an error, not a silent fallback.
 */
export function selectSources(filter: string | undefined, catalog: readonly SourceSpec[] = CATALOG): SourceSpec[] {
  if (filter === undefined || filter.trim() === '') return catalog.filter((s) => s.fast && !s.optIn);
  const terms = filter
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0);
  if (terms.length === 0) throw new OeError('USAGE', `--sources "${filter}" names no source`);
  if (terms.includes('all')) return catalog.filter((s) => !s.optIn);
  const picked: SourceSpec[] = [];
  for (const term of terms) {
    const hits = catalog.filter((s) => s.name === term || (!s.optIn && s.name.toLowerCase().includes(term)));
    if (hits.length === 0) {
      throw new OeError('USAGE', `--sources: "${term}" matches no source (see "oe scan" for the list)`);
    }
    for (const h of hits) if (!picked.includes(h)) picked.push(h);
  }
  return picked;
}
