/**
 * `oe ui`: a local web workbench over the sessions folders (docs/UI.md). node:http, loopback by
 * default; the page and its bundled script come from the package (dist/web, built by
 * `npm run build:web`), nothing from the internet. Every request is checked before it is routed (URL
 * length, Host, method, path), POSTs carry the run's token, and no error takes the server down.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { errorMessage, isOeError, OeError } from '../../errors.js';
import { listenOn } from '../../serve/listen.js';
import { packageRoot } from '../../util/paths.js';
import { SessionFolders } from './folders.js';
import { checkHost, HttpError, MAX_URL_LENGTH, SECURITY_HEADERS, sendError } from './http.js';
import { JobRegistry } from './jobs.js';
import { LiveStreams } from './live.js';
import { Recordings } from './recordings.js';
import { checkRouteToken, matchRoute, type UiContext } from './routes.js';

export interface UiServerOptions {
  /** Sessions folders (`--dir`, repeatable); recordings started from the page go to the first. */
  dirs: readonly string[];
  host?: string;
  port?: number;
  /** Folder of the built front end (default: the package's dist/web). */
  webDir?: string;
  /** The run's token (default: 24 random bytes). */
  token?: string;
}

export interface UiServer {
  server: Server;
  url: string;
  host: string;
  port: number;
  token: string;
  /** Why the page cannot be served (front end not built), or null; the API works either way. */
  frontEnd: string | null;
  /** Stops live streams and recordings, waits for a running analysis, closes the server. */
  close(): Promise<void>;
}

/** The files of the built front end; nothing else is served as a static file. */
const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'favicon.svg': 'image/svg+xml',
};

export function defaultWebDir(): string {
  return join(packageRoot(), 'dist', 'web');
}

type Assets = { index: string; files: Map<string, Buffer> } | { missing: string };

/** The built front end, or why it is missing (the API still works without it). */
function loadAssets(webDir: string): Assets {
  const files = new Map<string, Buffer>();
  for (const name of ['index.html', ...Object.keys(ASSETS)]) {
    const p = join(webDir, name);
    if (!existsSync(p)) return { missing: `the web front end is not built (${p} missing): run "npm run build:web"` };
    files.set(name, readFileSync(p));
  }
  return { index: (files.get('index.html') as Buffer).toString('utf8'), files };
}

function sendStatic(res: ServerResponse, type: string, body: Buffer | string, head: boolean): void {
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-cache',
  });
  res.end(head ? undefined : body);
}

export function createUiServer(options: UiServerOptions & { port: number; host: string }): {
  server: Server;
  ctx: UiContext;
  frontEnd: string | null;
} {
  if (options.dirs.length === 0) throw new OeError('USAGE', 'oe ui needs at least one sessions folder (--dir)');
  const assets = loadAssets(options.webDir ?? defaultWebDir());
  const token = options.token ?? randomBytes(24).toString('base64url');
  const folders = new SessionFolders(options.dirs);
  const ctx: UiContext = {
    folders,
    jobs: new JobRegistry(),
    live: new LiveStreams(),
    recordings: new Recordings(folders.dirs),
    token,
  };
  const index = 'missing' in assets ? '' : assets.index.replace('__OE_TOKEN__', token);
  let boundPort = options.port;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const target = req.url ?? '/';
    if (target.length > MAX_URL_LENGTH) throw new HttpError(414, `request target longer than ${MAX_URL_LENGTH}`);
    checkHost(req, options.host, boundPort);
    let url: URL;
    try {
      url = new URL(target, 'http://localhost');
    } catch {
      throw new HttpError(400, 'malformed request URL');
    }
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith('/api/')) {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpError(405, `method ${method} not allowed`);
      if ('missing' in assets) throw new HttpError(503, assets.missing);
      if (url.pathname === '/' || url.pathname === '/index.html') {
        if (url.search.length > 0) throw new HttpError(400, 'the page takes no query (its state is in the #fragment)');
        sendStatic(res, 'text/html; charset=utf-8', index, method === 'HEAD');
        return;
      }
      const m = /^\/assets\/([a-z.]+)$/.exec(url.pathname);
      const file = m ? assets.files.get(m[1]) : undefined;
      if (!m || !file) throw new HttpError(404, `no file ${url.pathname.slice(0, 80)}`);
      sendStatic(res, ASSETS[m[1]], file, method === 'HEAD');
      return;
    }
    const { route, args } = matchRoute(method, url.pathname);
    checkRouteToken(ctx, route, req);
    await route.handle(ctx, { req, res, url, args });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e) => {
      const status = e instanceof HttpError ? e.status : isOeError(e) ? oeStatus(e) : 500;
      const message = e instanceof HttpError || isOeError(e) ? e.message : `internal error: ${errorMessage(e)}`;
      if (!res.headersSent) sendError(res, status, message);
      else res.destroy();
      // Drain what the client still sends so the connection can close cleanly.
      req.resume();
    });
  });
  // Bounded time for slow or stalled clients; the live stream has no overall limit.
  server.headersTimeout = 20_000;
  server.requestTimeout = 0;
  server.on('listening', () => {
    boundPort = (server.address() as AddressInfo).port;
  });
  // A request Node cannot parse (or whose head exceeds its 16 KiB limit) gets its status and the socket closes.
  server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
    const status = e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
    if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
    else socket.destroy();
  });
  return { server, ctx, frontEnd: 'missing' in assets ? assets.missing : null };
}

function oeStatus(e: OeError): number {
  switch (e.code) {
    case 'NOT_FOUND':
      return 404;
    case 'USAGE':
    case 'BAD_INPUT':
      return 400;
    case 'UNAVAILABLE':
    case 'HEALTH':
    case 'TIMEOUT':
      return 503;
    default:
      return 500;
  }
}

/**
 * Starts `oe ui` on host:port (default 127.0.0.1:8043; port 0 picks a free one). A port in use or an
 * address that cannot be bound is one OeError('UNAVAILABLE').
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8043;
  const { server, ctx, frontEnd } = createUiServer({ ...options, host, port });
  const bound = await listenOn(server, host, port);
  return {
    server,
    ...bound,
    token: ctx.token,
    frontEnd,
    close: async () => {
      await ctx.live.close();
      await ctx.recordings.close();
      await ctx.jobs.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
