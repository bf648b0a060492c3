/**
 * The entropy HTTP server (`oe server`), with openentropy's endpoints and JSON fields (docs/API.md).
 * Generation is asynchronous (sampling runs in worker threads), so concurrent requests never block
 * the event loop; the pool serialises only the short conditioning step.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type Conditioning, parseConditioning } from '../collect/conditioning/index.js';
import type { EntropyPool, PoolHealthReport, PoolSourceReport } from '../collect/entropy-pool.js';
import { errorMessage, isOeError, optionError } from '../errors.js';
import { VERSION } from '../version.js';
import { listenOn } from './listen.js';

/** Largest `length` one request may ask for (bytes). Larger requests get 400, never a silent clamp. */
export const MAX_HTTP_LENGTH = 65536;
export const DEFAULT_HTTP_LENGTH = 1024;
export const RANDOM_TYPES = ['uint8', 'uint16', 'hex16', 'hex', 'base64'] as const;
export type RandomType = (typeof RANDOM_TYPES)[number];

export interface ServerOptions {
  /** Serve `raw` and `vonneumann` output (default false: only sha256). */
  allowRaw?: boolean;
  /** Serves GET /metrics from this exposition (the metrics module's; absent: no /metrics). */
  metrics?: MetricsExposition;
  /** Called when each response has been sent (the metrics module counts requests and their latency). */
  onRequest?: (e: HttpRequestEvent) => void;
}

/** A text exposition of metrics (Prometheus' format) and its content type. */
export interface MetricsExposition {
  contentType: string;
  text(): Promise<string>;
}

/** The endpoints a request can be counted under; any other path is `other` (so labels stay few). */
export const HTTP_ROUTES = ['/', '/api/v1/random', '/health', '/sources', '/pool/status', '/metrics'] as const;

export interface HttpRequestEvent {
  route: (typeof HTTP_ROUTES)[number] | 'other';
  method: string;
  status: number;
  seconds: number;
}

export interface ListenOptions extends ServerOptions {
  host?: string;
  port?: number;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(text);
}

/** Query parameters, each at most once and only from `allowed`. */
function params(url: URL, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (!allowed.includes(k)) {
      throw new HttpError(400, `unknown parameter "${k}" (allowed: ${allowed.join(', ') || 'none'})`);
    }
    if (out.has(k)) throw new HttpError(400, `parameter "${k}" given more than once`);
    out.set(k, v);
  }
  return out;
}

function parseLength(v: string | undefined): number {
  if (v === undefined) return DEFAULT_HTTP_LENGTH;
  if (!/^[0-9]{1,10}$/.test(v))
    throw new HttpError(400, `length must be an integer from 1 to ${MAX_HTTP_LENGTH}, got "${v.slice(0, 40)}"`);
  const n = Number(v);
  if (n < 1 || n > MAX_HTTP_LENGTH)
    throw new HttpError(400, `length must be an integer from 1 to ${MAX_HTTP_LENGTH}, got ${n}`);
  return n;
}

function parseType(v: string | undefined): RandomType {
  if (v === undefined) return 'hex16';
  if ((RANDOM_TYPES as readonly string[]).includes(v)) return v as RandomType;
  throw new HttpError(400, `unknown type "${v.slice(0, 40)}" (use ${RANDOM_TYPES.join(', ')})`);
}

function parseBool(name: string, v: string): boolean {
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw new HttpError(400, `${name} must be true or false`);
}

/** Encodes bytes as openentropy's response types. Returns the data and its element count. */
export function encodeRandom(
  bytes: Uint8Array,
  type: RandomType,
): { data: number[] | string[] | string; length: number } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  switch (type) {
    case 'uint8':
      return { data: Array.from(b), length: b.length };
    case 'uint16': {
      const out: number[] = [];
      for (let i = 0; i + 1 < b.length; i += 2) out.push(b.readUInt16LE(i));
      return { data: out, length: out.length };
    }
    case 'hex16': {
      const out: string[] = [];
      for (let i = 0; i + 1 < b.length; i += 2) out.push(b.subarray(i, i + 2).toString('hex'));
      return { data: out, length: out.length };
    }
    case 'hex':
      return { data: b.toString('hex'), length: b.length };
    case 'base64':
      return { data: b.toString('base64'), length: b.length };
  }
}

function sourceRow(s: PoolSourceReport) {
  return {
    name: s.name,
    kind: s.kind,
    healthy: s.healthy,
    status: s.status,
    samples: s.samples,
    bytes: s.bytesIn,
    entropy: s.lastBatch?.shannon ?? 0,
    min_entropy: s.lastBatch?.minEntropy ?? 0,
    time: s.lastBatch?.seconds ?? 0,
    failures: s.failures.total,
    credit_per_byte: s.creditPerByte,
    credited_bits: s.creditedBitsIn,
    reason: s.reason,
  };
}

function poolSummary(r: PoolHealthReport) {
  return {
    raw_bytes: r.totals.bytesIn,
    output_bytes: r.totals.outputBytes.total,
    credited_bits_in: r.totals.creditedBitsIn,
    credited_bits_used: r.totals.creditedBitsUsed,
  };
}

function index(pool: EntropyPool, allowRaw: boolean, metrics: boolean) {
  const names = pool.names();
  return {
    name: 'oe entropy server',
    version: VERSION,
    sources: names.length,
    endpoints: {
      '/': { method: 'GET', description: 'This index' },
      '/api/v1/random': {
        method: 'GET',
        description: 'Random bytes from the entropy pool (sha256: full entropy, fails closed with 503)',
        params: {
          length: `bytes to draw, 1..${MAX_HTTP_LENGTH} (default ${DEFAULT_HTTP_LENGTH}; even for uint16/hex16)`,
          type: `${RANDOM_TYPES.join(' | ')} (default hex16)`,
          conditioning: allowRaw
            ? 'sha256 (default) | vonneumann | raw'
            : 'sha256 (raw and vonneumann need --allow-raw)',
          source: `one source only: ${names.join(', ')}`,
        },
      },
      '/sources': { method: 'GET', description: 'Per-source health and accounting' },
      '/pool/status': { method: 'GET', description: 'Pool totals and the full health report' },
      '/health': { method: 'GET', description: 'healthy (200) or degraded/failed (503)' },
      ...(metrics ? { '/metrics': { method: 'GET', description: 'Prometheus metrics (docs/API.md)' } } : {}),
    },
    examples: {
      mixed_pool: '/api/v1/random?length=32&type=hex',
      single_source: `/api/v1/random?length=32&type=uint8&source=${names[0] ?? 'NAME'}`,
      raw_output: '/api/v1/random?length=32&type=hex&conditioning=raw',
      sources: '/sources',
      pool_status: '/pool/status',
    },
  };
}

async function random(pool: EntropyPool, url: URL, allowRaw: boolean) {
  const p = params(url, ['length', 'type', 'conditioning', 'source', 'raw']);
  const type = parseType(p.get('type'));
  const length = parseLength(p.get('length'));
  let mode: Conditioning = 'sha256';
  const c = p.get('conditioning');
  if (c !== undefined) {
    try {
      mode = parseConditioning(c);
    } catch {
      throw new HttpError(400, `unknown conditioning "${c.slice(0, 40)}" (use sha256, vonneumann or raw)`);
    }
  }
  const legacyRaw = p.get('raw');
  if (legacyRaw !== undefined && parseBool('raw', legacyRaw)) {
    if (c !== undefined && mode !== 'raw') throw new HttpError(400, 'raw=true contradicts conditioning');
    mode = 'raw';
  }
  if (mode !== 'sha256' && !allowRaw) {
    throw new HttpError(403, `${mode} output is disabled on this server (start it with --allow-raw)`);
  }
  if ((type === 'uint16' || type === 'hex16') && length % 2 !== 0) {
    throw new HttpError(400, `length must be even for type ${type}, got ${length}`);
  }
  const source = p.get('source');
  if (source !== undefined && !pool.names().includes(source)) {
    throw new HttpError(400, `Unknown source: ${source.slice(0, 64)}. Use /sources to list available sources.`);
  }
  const bytes = source ? await pool.getSourceBytes(source, length, mode) : await pool.getBytes(length, mode);
  const { data, length: elements } = encodeRandom(bytes, type);
  return {
    type,
    length: elements,
    bytes: bytes.length,
    data,
    success: true,
    conditioned: mode !== 'raw',
    conditioning: mode,
    ...(source ? { source } : {}),
  };
}

/** The request handler: every response is JSON, every error one line in `error`. */
export function createEntropyServer(pool: EntropyPool, options: ServerOptions = {}): Server {
  const allowRaw = options.allowRaw ?? false;
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      send(res, 400, { success: false, error: 'malformed request URL' });
      return;
    }
    const isRandom = url.pathname === '/api/v1/random';
    try {
      // HEAD is fine for the status endpoints; on /api/v1/random it would spend entropy on nothing.
      if (req.method !== 'GET' && (req.method !== 'HEAD' || isRandom)) {
        throw new HttpError(405, `method ${req.method} not allowed (GET only)`);
      }
      switch (url.pathname) {
        case '/':
          params(url, []);
          send(res, 200, index(pool, allowRaw, options.metrics !== undefined));
          return;
        case '/api/v1/random':
          send(res, 200, await random(pool, url, allowRaw));
          return;
        case '/health': {
          params(url, []);
          const r = pool.healthReport();
          send(res, r.healthy ? 200 : 503, {
            status: r.healthy ? 'healthy' : 'degraded',
            sources_healthy: r.sourcesHealthy,
            sources_total: r.sourcesTotal,
            ...poolSummary(r),
          });
          return;
        }
        case '/sources': {
          params(url, []);
          const r = pool.healthReport();
          send(res, 200, { sources: r.sources.map(sourceRow), total: r.sourcesTotal });
          return;
        }
        case '/pool/status': {
          params(url, []);
          const r = pool.healthReport();
          send(res, 200, {
            healthy: r.healthy,
            status: r.status,
            total: r.sourcesTotal,
            ...poolSummary(r),
            buffer_size: r.sources.reduce((a, s) => a + s.queuedBytes, 0),
            sources: r.sources.map(sourceRow),
            report: r,
          });
          return;
        }
        case '/metrics': {
          if (!options.metrics) throw new HttpError(404, `no endpoint ${url.pathname} (see /)`);
          params(url, []);
          const text = await options.metrics.text();
          res.writeHead(200, { 'content-type': options.metrics.contentType, 'cache-control': 'no-store' });
          res.end(text);
          return;
        }
        default:
          throw new HttpError(404, `no endpoint ${url.pathname.slice(0, 80)} (see /)`);
      }
    } catch (e) {
      let status = 500;
      let message = 'internal error';
      if (e instanceof HttpError) {
        status = e.status;
        message = e.message;
      } else if (isOeError(e)) {
        status =
          e.code === 'HEALTH' || e.code === 'TIMEOUT' || e.code === 'UNAVAILABLE'
            ? 503
            : e.code === 'NOT_FOUND' || e.code === 'USAGE'
              ? 400
              : 500;
        message = e.message;
      } else {
        message = `internal error: ${errorMessage(e)}`;
      }
      send(
        res,
        status,
        isRandom
          ? { type: url.searchParams.get('type') ?? 'hex16', length: 0, data: [], success: false, error: message }
          : { success: false, error: message },
      );
    }
  };
  const onRequest = options.onRequest;
  return createServer((req, res) => {
    if (onRequest) {
      const start = performance.now();
      res.once('finish', () => {
        const path = (req.url ?? '/').split('?')[0];
        const route = (HTTP_ROUTES as readonly string[]).includes(path) ? (path as HttpRequestEvent['route']) : 'other';
        onRequest({
          route,
          method: req.method ?? 'GET',
          status: res.statusCode,
          seconds: (performance.now() - start) / 1000,
        });
      });
    }
    handle(req, res).catch(() => {
      if (!res.headersSent) send(res, 500, { success: false, error: 'internal error' });
      else res.destroy();
    });
  });
}

/**
 * Starts the server on `host:port` (default 127.0.0.1:8042; port 0 picks a free port). A port in
 * use or an address that cannot be bound is one clear OeError('UNAVAILABLE').
 */
export async function startEntropyServer(
  pool: EntropyPool,
  options: ListenOptions = {},
): Promise<{ server: Server; host: string; port: number; url: string }> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 8042;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw optionError('port', `must be an integer from 0 to 65535, got ${port}`);
  const server = createEntropyServer(pool, options);
  return { server, ...(await listenOn(server, host, port)) };
}
