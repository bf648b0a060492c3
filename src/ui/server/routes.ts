/**
 * The API of `oe ui` (docs/UI.md): one table of routes, each a path pattern, a method and a handler.
 * Responses follow schemas/ui-api.schema.json; analyses and comparisons are the CLI's own JSON.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readManifest, sessionDetail } from '../../collect/session/index.js';
import { assertSchema } from '../../contracts/schema.js';
import { readStoredAnalysis } from '../../jobs/stored-analysis.js';
import { VERSION } from '../../version.js';
import { analyzeAndStore, DEFAULT_UI_ANALYSIS, type UiAnalysisOptions } from './analysis.js';
import { parseCompareRequest, resolveCompareRefs, runCompare } from './compare.js';
import { filterSessions, type SessionFolders } from './folders.js';
import { checkToken, HttpError, intParam, onlyKeys, queryParams, readJsonBody, sendJson } from './http.js';
import type { JobRegistry } from './jobs.js';
import { type LiveStreams, sourceCatalog } from './live.js';
import { parseRecordRequest, type Recordings } from './recordings.js';
import { telemetryForPlot } from './telemetry.js';

export interface UiContext {
  folders: SessionFolders;
  jobs: JobRegistry;
  live: LiveStreams;
  recordings: Recordings;
  token: string;
}

export interface Request {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The `:name` segments of the matched pattern, decoded. */
  args: string[];
}

interface Route {
  method: 'GET' | 'POST';
  path: string;
  /** POSTs change something: they need the run's token. */
  handle: (ctx: UiContext, r: Request) => Promise<void>;
}

const PAGE_MAX = 500;

function folderParam(ctx: UiContext, p: Map<string, string>): number | undefined {
  if (!p.has('folder')) return undefined;
  const f = intParam(p, 'folder', 0, 0, 1_000);
  ctx.folders.folder(f);
  return f;
}

function analysisKey(dir: string): string {
  return `analysis:${dir}`;
}

async function listSessionsRoute(ctx: UiContext, r: Request): Promise<void> {
  const p = queryParams(r.url, ['tag', 'machine', 'source', 'status', 'offset', 'limit']);
  const offset = intParam(p, 'offset', 0, 0, 1_000_000_000);
  const limit = intParam(p, 'limit', 50, 1, PAGE_MAX);
  const all = await ctx.folders.sessions((dir) => ctx.jobs.running(analysisKey(dir)));
  const rows = filterSessions(all, {
    tag: p.get('tag'),
    machine: p.get('machine'),
    source: p.get('source'),
    status: p.get('status'),
  });
  const tags = new Set<string>();
  for (const s of all) for (const [k, v] of Object.entries(s.tags)) tags.add(`${k}:${v}`);
  sendJson(r.res, 200, {
    folders: ctx.folders.dirs,
    total: rows.length,
    offset,
    limit,
    sessions: rows.slice(offset, offset + limit),
    facets: {
      tags: [...tags].sort(),
      machines: [...new Set(all.map((s) => s.machine))].sort(),
      sources: [...new Set(all.flatMap((s) => s.sources))].sort(),
      statuses: [...new Set(all.map((s) => s.status))].sort(),
    },
  });
}

async function sessionRoute(ctx: UiContext, r: Request): Promise<void> {
  const p = queryParams(r.url, ['folder']);
  const dir = ctx.folders.sessionDir(r.args[0], folderParam(ctx, p));
  const detail = await sessionDetail(dir);
  assertSchema('sessions', detail);
  sendJson(r.res, 200, detail);
}

async function analysisRoute(ctx: UiContext, r: Request): Promise<void> {
  const p = queryParams(r.url, ['folder']);
  const dir = ctx.folders.sessionDir(r.args[0], folderParam(ctx, p));
  const job = ctx.jobs.byKey(analysisKey(dir));
  if (job) {
    sendJson(r.res, 200, { state: 'running', reason: 'being analysed', job: ctx.jobs.get(job.id) });
    return;
  }
  const stored = readStoredAnalysis(dir, readManifest(dir));
  sendJson(r.res, 200, stored.state === 'stored' ? stored : { ...stored, job: null });
}

async function startAnalysisRoute(ctx: UiContext, r: Request): Promise<void> {
  const p = queryParams(r.url, ['folder']);
  const dir = ctx.folders.sessionDir(r.args[0], folderParam(ctx, p));
  const body = await readJsonBody(r.req);
  onlyKeys(body, ['quantum', 'entropy']);
  const opts: UiAnalysisOptions = { ...DEFAULT_UI_ANALYSIS };
  if (body.quantum !== undefined) {
    if (typeof body.quantum !== 'boolean') throw new HttpError(400, 'quantum must be true or false');
    opts.quantum = body.quantum;
  }
  if (body.entropy !== undefined) {
    if (body.entropy !== 'mcv' && body.entropy !== 'window' && body.entropy !== 'full')
      throw new HttpError(400, 'entropy must be mcv, window or full');
    opts.entropy = body.entropy;
  }
  const job = ctx.jobs.start('analysis', analysisKey(dir), async (report) => {
    await analyzeAndStore(dir, opts, readManifest(dir).sources.length, report);
    return null; // the page reads the stored analysis
  });
  sendJson(r.res, 202, { job });
}

async function telemetryRoute(ctx: UiContext, r: Request): Promise<void> {
  const p = queryParams(r.url, ['folder']);
  const dir = ctx.folders.sessionDir(r.args[0], folderParam(ctx, p));
  sendJson(r.res, 200, { series: await telemetryForPlot(dir) });
}

async function compareRoute(ctx: UiContext, r: Request): Promise<void> {
  const body = await readJsonBody(r.req);
  const { inputs, alpha } = parseCompareRequest(body);
  const paths = resolveCompareRefs(ctx.folders, inputs);
  const key = `compare:${alpha}:${paths.join('\u0000')}`;
  const job = ctx.jobs.start('compare', key, (report) => runCompare(paths, alpha, report));
  sendJson(r.res, 202, { job });
}

export const ROUTES: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/info',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      sendJson(r.res, 200, { name: 'oe ui', version: VERSION, folders: ctx.folders.dirs });
    },
  },
  { method: 'GET', path: '/api/sessions', handle: listSessionsRoute },
  { method: 'GET', path: '/api/sessions/:id', handle: sessionRoute },
  { method: 'GET', path: '/api/sessions/:id/analysis', handle: analysisRoute },
  { method: 'POST', path: '/api/sessions/:id/analysis', handle: startAnalysisRoute },
  { method: 'GET', path: '/api/sessions/:id/telemetry', handle: telemetryRoute },
  {
    method: 'GET',
    path: '/api/benches',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      sendJson(r.res, 200, { benches: ctx.folders.benches() });
    },
  },
  { method: 'POST', path: '/api/compare', handle: compareRoute },
  {
    method: 'GET',
    path: '/api/jobs/:id',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      const job = /^[A-Za-z0-9_-]{1,32}$/.test(r.args[0]) ? ctx.jobs.get(r.args[0]) : null;
      if (!job) throw new HttpError(404, 'no such job (finished jobs are kept for a while only)');
      sendJson(r.res, 200, job);
    },
  },
  {
    method: 'GET',
    path: '/api/live/sources',
    handle: async (_ctx, r) => {
      queryParams(r.url, []);
      sendJson(r.res, 200, { sources: sourceCatalog() });
    },
  },
  {
    method: 'GET',
    path: '/api/live/events',
    handle: async (ctx, r) => ctx.live.stream(r.req, r.res, queryParams(r.url, ['sources', 'active', 'refresh'])),
  },
  {
    method: 'GET',
    path: '/api/recordings',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      sendJson(r.res, 200, { recordings: ctx.recordings.views() });
    },
  },
  {
    method: 'POST',
    path: '/api/recordings',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      const req = parseRecordRequest(await readJsonBody(r.req), ctx.folders.dirs.length);
      sendJson(r.res, 202, { recording: ctx.recordings.start(req) });
    },
  },
  {
    method: 'POST',
    path: '/api/recordings/:id/stop',
    handle: async (ctx, r) => {
      queryParams(r.url, []);
      sendJson(r.res, 200, { recording: ctx.recordings.stop(r.args[0]) });
    },
  },
];

/** The route for `method` and `pathname`, with its decoded arguments; 404 / 405 otherwise. */
export function matchRoute(method: string, pathname: string): { route: Route; args: string[] } {
  const parts = pathname.split('/');
  let pathMatched = false;
  for (const route of ROUTES) {
    const pat = route.path.split('/');
    if (pat.length !== parts.length) continue;
    const args: string[] = [];
    let ok = true;
    for (let i = 0; i < pat.length && ok; i++) {
      if (pat[i].startsWith(':')) {
        let v: string;
        try {
          v = decodeURIComponent(parts[i]);
        } catch {
          throw new HttpError(400, 'malformed percent-encoding in the path');
        }
        if (v === '') ok = false;
        else args.push(v);
      } else ok = pat[i] === parts[i];
    }
    if (!ok) continue;
    pathMatched = true;
    if (route.method === method) return { route, args };
  }
  if (pathMatched) throw new HttpError(405, `method ${method} not allowed on ${pathname.slice(0, 80)}`);
  throw new HttpError(404, `no route ${pathname.slice(0, 80)}`);
}

export function needsToken(route: Route): boolean {
  return route.method === 'POST';
}

export function checkRouteToken(ctx: UiContext, route: Route, req: IncomingMessage): void {
  if (needsToken(route)) checkToken(req, ctx.token);
}
