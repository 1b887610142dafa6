// The admin endpoints, one handler per method and path; the server does routing and errors.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { isLoopback, readBody, send } from './respond.js';

export interface AdminOptions {
  metrics: { render(): string };
  logger: Logger;
  isReady: () => boolean;
  onShutdown: () => void;
  config: () => unknown;
  /** The PEM chain this proxy presents; null until issued; absent when the proxy has no identity. */
  certificate?: () => string | null;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;
export type Routes = ReadonlyMap<string, Readonly<Partial<Record<string, Handler>>>>;

const MAX_LEVEL_BODY = 1024;

export function adminRoutes(opts: AdminOptions): Routes {
  const { metrics, logger, isReady, onShutdown, config, certificate } = opts;
  return new Map<string, Partial<Record<string, Handler>>>([
    ['/metrics', { GET: (_req, res) => send(res, 200, metrics.render(), 'text/plain; version=0.0.4; charset=utf-8') }],
    ['/ready', { GET: (_req, res) => (isReady() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n')) }],
    ['/live', { GET: (_req, res) => send(res, 200, 'live\n') }],
    ['/shutdown', { POST: (req, res) => shutdown(req, res, logger, onShutdown) }],
    ['/config', { GET: (_req, res) => send(res, 200, `${JSON.stringify(config(), jsonFriendly, 2)}\n`, 'application/json') }],
    ['/identity', { GET: (_req, res) => identity(res, certificate) }],
    ['/log-level', { GET: (_req, res) => send(res, 200, `${logger.level}\n`), PUT: (req, res) => setLevel(req, res, logger) }],
  ]);
}

function shutdown(req: IncomingMessage, res: ServerResponse, logger: Logger, onShutdown: () => void): void {
  const from = req.socket.remoteAddress;
  // Like Linkerd: anything that can reach the admin port must not be able to stop the proxy.
  if (!isLoopback(from)) {
    send(res, 403, `shutdown is only accepted from loopback clients; this request came from ${from ?? 'an unknown address'}\n`);
    return;
  }
  logger.info({ from }, 'shutdown requested on the admin port');
  res.setHeader('connection', 'close');
  res.once('finish', () => setImmediate(onShutdown));
  send(res, 200, 'shutdown\n');
}

function identity(res: ServerResponse, certificate: (() => string | null) | undefined): void {
  if (certificate === undefined) return send(res, 404, 'this proxy has no identity: mTLS is off (LOOM_PROXY_IDENTITY_LOCAL_NAME is not set)\n');
  const pem = certificate();
  if (pem === null) return send(res, 503, 'no certificate yet: the Identity API has not issued one\n');
  send(res, 200, pem, 'application/x-pem-file');
}

async function setLevel(req: IncomingMessage, res: ServerResponse, logger: Logger): Promise<void> {
  const body = await readBody(req, MAX_LEVEL_BODY);
  if (body === undefined) return send(res, 413, `a log level is a single word (at most ${MAX_LEVEL_BODY} bytes)\n`);
  const level = body.trim();
  const valid = [...Object.keys(logger.levels.values), 'silent'];
  if (!valid.includes(level)) return send(res, 400, `"${level}" is not a log level; use one of: ${valid.join(', ')}\n`);
  const previous = logger.level;
  logger.level = level;
  logger.info({ from: previous, to: level }, 'log level changed on the admin port');
  send(res, 200, `${level}\n`);
}

/** JSON.stringify replacer for settings: Sets become arrays, Maps objects, bigints strings. */
function jsonFriendly(_key: string, value: unknown): unknown {
  if (value instanceof Set) return [...(value as Set<unknown>)];
  if (value instanceof Map) return Object.fromEntries(value as Map<unknown, unknown>);
  if (typeof value === 'bigint') return value.toString();
  return value;
}
