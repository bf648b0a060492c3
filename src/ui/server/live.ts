/**
 * The Live page's data: the model behind `oe monitor` (LiveMonitor) ticking once per refresh while a
 * page listens, sent as server-sent events. Each stream owns one monitor over the shared sampler pool
 * (so two pages cost two monitors' sampling, never more threads); at most MAX_STREAMS run at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { probeSource } from '../../collect/availability.js';
import { CATALOG, getSource, selectSources } from '../../collect/catalog.js';
import { sharedSamplerPool } from '../../collect/sampler-pool.js';
import type { SourceSpec } from '../../collect/types.js';
import { errorMessage } from '../../errors.js';
import { LiveMonitor, type MonitorFrame } from '../../jobs/monitor.js';
import type { CatalogSource, LiveFrame } from '../api-types.js';
import { HttpError, intParam, quote, SECURITY_HEADERS } from './http.js';

export const MAX_STREAMS = 4;

/** One frame as sent to the page (schemas/ui-api.schema.json#/$defs/liveFrame). */
export function frameJson(f: MonitorFrame): LiveFrame {
  return {
    at: f.at.toISOString(),
    tick: f.tick,
    sources: f.sources.map((s) => ({
      name: s.name,
      category: s.category,
      kind: s.kind,
      health: s.health,
      reason: s.reason,
      rate: s.rate,
      min_entropy: s.minEntropy,
      shannon: s.shannon,
      total: s.total,
      history: s.history,
    })),
    active: f.active
      ? {
          name: f.active.name,
          histogram: Array.from(f.active.histogram),
          autocorrelation: Array.from(f.active.autocorrelation),
          autocorrelation_threshold: f.active.autocorrelationThreshold,
        }
      : null,
  };
}

/** The catalog for the page's source pickers: name, category, kind, whether it is in the fast set, availability. */
export function sourceCatalog(): CatalogSource[] {
  return CATALOG.filter((s) => !s.optIn || probeSource(s) === null).map((s) => ({
    name: s.name,
    category: s.category,
    kind: s.kind,
    fast: s.fast,
    description: s.description,
    unavailable: probeSource(s),
  }));
}

/** Exact catalog names, comma-separated (empty: the fast set, as `oe monitor` without --sources). */
export function parseSourceList(text: string | undefined): SourceSpec[] {
  if (text === undefined || text.trim() === '') return selectSources(undefined);
  const names = text.split(',').map((t) => t.trim());
  if (names.length > CATALOG.length) throw new HttpError(400, 'more sources than the catalog has');
  const out: SourceSpec[] = [];
  for (const n of names) {
    try {
      out.push(getSource(n));
    } catch {
      throw new HttpError(400, `unknown source ${quote(n)}`);
    }
  }
  return [...new Map(out.map((s) => [s.name, s])).values()];
}

export class LiveStreams {
  private readonly open = new Set<ServerResponse>();
  private readonly monitors = new Set<LiveMonitor>();
  private closed = false;

  get count(): number {
    return this.open.size;
  }

  /** GET /api/live/events?sources=a,b&active=a&refresh=1000: frames as `event: frame` until the page leaves. */
  async stream(req: IncomingMessage, res: ServerResponse, p: Map<string, string>): Promise<void> {
    if (this.closed) throw new HttpError(503, 'server is stopping');
    if (this.open.size >= MAX_STREAMS)
      throw new HttpError(429, `at most ${MAX_STREAMS} live pages at once (close one)`);
    const specs = parseSourceList(p.get('sources'));
    const refreshMs = intParam(p, 'refresh', 1000, 250, 60_000);
    const active = p.get('active');
    if (active !== undefined && !specs.some((s) => s.name === active))
      throw new HttpError(400, `active source ${quote(active)} is not among the streamed sources`);
    const monitor = new LiveMonitor({ sources: specs, sampler: sharedSamplerPool() });
    if (active) monitor.setActive(active);
    this.monitors.add(monitor);
    this.open.add(res);
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write(`retry: 2000\n: ${specs.length} sources\n\n`);
    let stop = false;
    const onClose = () => {
      stop = true;
    };
    req.on('close', onClose);
    res.on('close', onClose);
    try {
      while (!stop && !this.closed) {
        const started = Date.now();
        let data: string;
        try {
          data = JSON.stringify(frameJson(await monitor.tick()));
        } catch (e) {
          data = JSON.stringify({ error: errorMessage(e) });
        }
        if (stop || this.closed) break;
        res.write(`event: frame\ndata: ${data}\n\n`);
        const wait = refreshMs - (Date.now() - started);
        if (wait > 0) await sleepUnless(wait, () => stop || this.closed);
      }
    } finally {
      this.open.delete(res);
      this.monitors.delete(monitor);
      await monitor.close().catch(() => undefined);
      if (!res.writableEnded) res.end();
    }
  }

  /** Ends every stream (their monitors close as their loops see it). */
  async close(): Promise<void> {
    this.closed = true;
    for (const r of this.open) r.end();
    while (this.monitors.size > 0) await new Promise((r) => setTimeout(r, 20));
  }
}

async function sleepUnless(ms: number, done: () => boolean): Promise<void> {
  const end = Date.now() + ms;
  while (!done() && Date.now() < end) await new Promise((r) => setTimeout(r, Math.min(100, end - Date.now())));
}
