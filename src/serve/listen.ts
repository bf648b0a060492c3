/**
 * Binding an HTTP listener (`oe server`, `oe ui`, the `--metrics-port` listener): one set of port errors and
 * one wide-host warning.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OeError, optionError } from '../errors.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '[::1]', 'localhost']);

/** True for the names and addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host.toLowerCase()) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** What the CLI prints when a listener binds beyond loopback; null for loopback. */
export function wideHostWarning(host: string): string | null {
  return isLoopback(host) ? null : `warning: listening on ${host}, reachable from other machines (no auth, no TLS)`;
}

/**
 * Listens on host:port (port 0 picks a free one) and returns the bound address and its URL. A port in
 * use or an address that cannot be bound is one OeError('UNAVAILABLE') naming `what` ("port", "metrics
 * port"); a port outside 0..65535 is a USAGE error for the library option `option` (default "port").
 */
export function listenOn(
  server: Server,
  host: string,
  port: number,
  { what = 'port', option = 'port' }: { what?: string; option?: string } = {},
): Promise<{ host: string; port: number; url: string }> {
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    return Promise.reject(optionError(option, `must be an integer from 0 to 65535, got ${port}`));
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') reject(new OeError('UNAVAILABLE', `${what} ${port} on ${host} is already in use`));
      else if (e.code === 'EACCES') reject(new OeError('UNAVAILABLE', `not allowed to bind ${host}:${port}`));
      else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND')
        reject(new OeError('UNAVAILABLE', `cannot bind ${host}: no such local address`));
      else reject(new OeError('UNAVAILABLE', `cannot listen on ${host}:${port}: ${e.message}`));
    });
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({ host: a.address, port: a.port, url: `http://${shown}:${a.port}` });
    });
  });
}
