// Sends requests to one endpoint over pooled keep-alive HTTP/1.1 connections (undici), streaming
// both bodies. Uses undici's raw handler protocol: no per-request stream objects or header parsing
// beyond the hop-by-hop filter.
import { createRequire } from 'node:module';
import type { Dispatcher, Pool } from 'undici';
import { ConnectError, ConnectTimeoutError, ResponseTimeoutError, UpstreamError } from '../errors.js';
import { RequestBody } from './body.js';
import type { ProxyRequest, ResponseSink, Trailers } from './types.js';

export interface H1UpstreamOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  idleTimeoutMs: number;
}

const HOP_BY_HOP_RESPONSE = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade']);

// undici's Pool alone, loaded when the first HTTP/1 upstream is: the package entry point also loads
// fetch, WebSocket and caches, and the pool's HTTP parser is a WebAssembly module (~10 MB resident).
let PoolClass: typeof Pool | undefined;
function loadPool(): typeof Pool {
  return (PoolClass ??= createRequire(import.meta.url)('undici/lib/dispatcher/pool.js') as typeof Pool);
}

export class H1Upstream {
  private readonly pool: Pool;

  constructor(
    readonly addr: string,
    private readonly opts: H1UpstreamOptions,
  ) {
    this.pool = new (loadPool())(`http://${addr}`, {
      connect: { timeout: opts.connectTimeoutMs },
      keepAliveTimeout: opts.idleTimeoutMs,
      headersTimeout: opts.responseTimeoutMs,
      bodyTimeout: 0,
      pipelining: 1,
    });
  }

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    const headers = req.headers.slice();
    headers.push('host', req.authority);
    const handler = new H1ExchangeHandler(sink, this);
    this.pool.dispatch(
      {
        method: req.method,
        path: req.path,
        headers,
        body: req.body === null ? null : new RequestBody(req.body),
        blocking: false,
      } as Dispatcher.DispatchOptions,
      handler as unknown as Dispatcher.DispatchHandler,
    );
  }

  mapError(err: Error): Error {
    const code = (err as { code?: string }).code;
    switch (code) {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new ConnectTimeoutError(this.addr, this.opts.connectTimeoutMs);
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new ResponseTimeoutError(this.addr, this.opts.responseTimeoutMs);
      case 'ECONNREFUSED':
      case 'ECONNRESET':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EADDRNOTAVAIL':
        // A reset after sending the request is an upstream failure, not a connect failure.
        return code === 'ECONNRESET' ? new UpstreamError(this.addr, err) : new ConnectError(this.addr, err);
      default:
        return new UpstreamError(this.addr, err);
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}

/** One exchange on undici's legacy dispatch protocol (onConnect/onHeaders/onData/onComplete). */
class H1ExchangeHandler {
  private abortUpstream: ((err?: Error) => void) | null = null;

  constructor(
    private readonly sink: ResponseSink,
    private readonly upstream: H1Upstream,
  ) {
    sink.onAbort(() => this.abortUpstream?.(new Error('client went away')));
  }

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
  }

  onHeaders(status: number, raw: Buffer[], resume: () => void): boolean {
    if (status < 200) return true; // 1xx: the proxy already answered 100-continue itself
    const headers: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = (raw[i] as Buffer).toString('latin1').toLowerCase();
      if (!HOP_BY_HOP_RESPONSE.has(name)) headers.push(name, (raw[i + 1] as Buffer).toString('latin1'));
    }
    this.sink.onDrain(resume);
    this.sink.start(status, headers, false);
    return true;
  }

  onData(chunk: Buffer): boolean {
    return this.sink.data(chunk);
  }

  onComplete(rawTrailers: Buffer[] | null): void {
    let trailers: Trailers | null = null;
    if (rawTrailers && rawTrailers.length > 0) {
      trailers = {};
      for (let i = 0; i < rawTrailers.length; i += 2) {
        trailers[(rawTrailers[i] as Buffer).toString('latin1').toLowerCase()] = (rawTrailers[i + 1] as Buffer).toString('latin1');
      }
    }
    this.sink.end(trailers);
  }

  onError(err: Error): void {
    this.sink.error(this.upstream.mapError(err));
  }

  onUpgrade(): void {
    // Upgrades never reach the pool: the proxy tunnels them on a raw connection (http/upgrade.ts).
  }
}
