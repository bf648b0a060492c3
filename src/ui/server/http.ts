/**
 * HTTP plumbing of `oe ui`: one error type with a status, JSON responses with the security headers,
 * strict query and body parsing, the per-run token and the Host check. Every hostile or malformed
 * request becomes a 4xx with a one-line `error`, never an exception that reaches the socket.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopback } from '../../serve/listen.js';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Nothing but the page's own script, styles, images and API: no inline script or style, no
 * framing, no plugins, no form posts, no other origins (the page works offline).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

/** Longest request target accepted (path and query); longer ones get 414. */
export const MAX_URL_LENGTH = 4096;
/** Longest value of one query parameter. */
export const MAX_PARAM_LENGTH = 512;
/** Largest JSON body of a POST. */
export const MAX_BODY_BYTES = 64 * 1024;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, message: string): void {
  sendJson(res, status, { error: message });
}

/** Shortens untrusted text quoted in an error message. */
export function quote(s: string, max = 60): string {
  const clean = [...s].map((c) => (c.charCodeAt(0) < 32 || c.charCodeAt(0) === 127 ? '?' : c)).join('');
  return JSON.stringify(clean.length > max ? `${clean.slice(0, max)}…` : clean);
}

/**
 * The query parameters of `url`, each at most once, each named in `allowed`, none longer than
 * MAX_PARAM_LENGTH: anything else is 400.
 */
export function queryParams(url: URL, allowed: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of url.searchParams) {
    if (!allowed.includes(k))
      throw new HttpError(400, `unknown parameter ${quote(k)} (allowed: ${allowed.join(', ') || 'none'})`);
    if (out.has(k)) throw new HttpError(400, `parameter ${quote(k)} given more than once`);
    if (v.length > MAX_PARAM_LENGTH)
      throw new HttpError(400, `parameter ${quote(k)} is longer than ${MAX_PARAM_LENGTH} characters`);
    out.set(k, v);
  }
  return out;
}

/** A non-negative integer parameter in [min, max], or `fallback` when absent. */
export function intParam(p: Map<string, string>, name: string, fallback: number, min: number, max: number): number {
  const v = p.get(name);
  if (v === undefined) return fallback;
  if (!/^[0-9]{1,9}$/.test(v)) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}`);
  const n = Number(v);
  if (n < min || n > max) throw new HttpError(400, `${name} must be an integer from ${min} to ${max}, got ${n}`);
  return n;
}

/** Constant-time comparison of the request's `x-oe-token` header with the run's token. */
export function checkToken(req: IncomingMessage, token: string): void {
  const got = req.headers['x-oe-token'];
  if (typeof got !== 'string' || got.length === 0)
    throw new HttpError(403, 'missing x-oe-token header (actions need the token of this oe ui run)');
  const a = Buffer.from(got);
  const b = Buffer.from(token);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new HttpError(403, 'wrong x-oe-token');
}

/**
 * The JSON object of a POST body: `content-type: application/json` (so a cross-site form cannot send
 * it without a CORS preflight, which this server never grants), at most MAX_BODY_BYTES.
 */
export async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]
    .trim()
    .toLowerCase();
  if (type !== 'application/json') throw new HttpError(415, 'the body must be application/json');
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (declared > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  let data: unknown;
  try {
    data = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new HttpError(400, 'the body is not valid JSON');
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data))
    throw new HttpError(400, 'the body must be a JSON object');
  return data as Record<string, unknown>;
}

/** Fails with 400 when `body` has keys outside `allowed`. */
export function onlyKeys(body: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(body))
    if (!allowed.includes(k))
      throw new HttpError(400, `unknown field ${quote(k)} (allowed: ${allowed.join(', ') || 'none'})`);
}

/**
 * Against DNS rebinding: when the server is bound to loopback, a request must name a loopback host
 * (with this port) in its Host header, so that a page of another site whose name resolves to 127.0.0.1
 * can neither read the API nor learn the token.
 */
export function checkHost(req: IncomingMessage, boundHost: string, port: number): void {
  if (!isLoopback(boundHost)) return;
  const h = req.headers.host;
  if (typeof h !== 'string') throw new HttpError(400, 'missing Host header');
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:]+)(?::(\d+))?$/.exec(h);
  if (!m || !isLoopback(m[1].toLowerCase()) || (m[2] !== undefined && Number(m[2]) !== port))
    throw new HttpError(403, `Host ${quote(h)} is not this server (loopback only)`);
}
