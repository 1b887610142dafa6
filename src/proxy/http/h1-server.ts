// The HTTP/1.1 side of a listener: a node:http server that never listens itself; the listener hands
// it connections after protocol detection. It turns each request into a ProxyRequest + sink, and
// answers malformed input itself (400, 431, 408) without touching other connections.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { peerIdentity } from '../tls/peer-identity.js';
import { fromRawHeaders } from './headers.js';
import { H1ResponseSink } from './h1-sink.js';
import type { ProxyRequest, ResponseSink } from './types.js';

export interface H1ServerOptions {
  headerReadTimeoutMs: number;
  idleTimeoutMs: number;
  maxHeaderBytes: number;
}

export type HttpHandler = (req: ProxyRequest, sink: ResponseSink) => void;
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

export function createH1Server(opts: H1ServerOptions, handle: HttpHandler, upgrade: UpgradeHandler): http.Server {
  const server = http.createServer({
    keepAliveTimeout: opts.idleTimeoutMs,
    headersTimeout: opts.headerReadTimeoutMs,
    requestTimeout: 0, // bodies may stream for as long as they need
    maxHeaderSize: opts.maxHeaderBytes,
    connectionsCheckingInterval: Math.max(100, Math.min(1000, opts.headerReadTimeoutMs / 4)),
    requireHostHeader: true,
  });
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    handle(toProxyRequest(req), new H1ResponseSink(res));
  });
  server.on('upgrade', upgrade);
  server.on('clientError', onClientError);
  // The server never calls listen(); this starts the timer that enforces headersTimeout.
  server.emit('listening');
  return server;
}

function toProxyRequest(req: IncomingMessage): ProxyRequest {
  let authority = req.headers.host ?? '';
  let path = req.url ?? '/';
  if (path.charCodeAt(0) !== 47 /* '/' */ && path !== '*') {
    // absolute-form (http_proxy style): the target is in the request line.
    try {
      const url = new URL(path);
      authority = url.host;
      path = `${url.pathname}${url.search}`;
    } catch {
      // left as is; routing will reject an unusable authority
    }
  }
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  return {
    method: req.method ?? 'GET',
    scheme: 'http',
    authority,
    path,
    headers: fromRawHeaders(req.rawHeaders, req.headers.connection),
    body: hasBody ? req : null,
    httpVersion: '1.1',
    clientAddr: req.socket.remoteAddress ?? '',
    clientId: peerIdentity(req.socket),
  };
}

const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request headers are larger than LOOM_PROXY_MAX_HEADER_BYTES'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request headers did not arrive within LOOM_PROXY_HEADER_READ_TIMEOUT'],
  HPE_HEADERS_TIMEOUT: [408, 'Request Timeout', 'request headers did not arrive within LOOM_PROXY_HEADER_READ_TIMEOUT'],
};

function onClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  const known = CLIENT_ERRORS[err.code ?? ''];
  const [status, reason, why] = known ?? [400, 'Bad Request', `malformed HTTP/1.1 request (${err.code ?? err.message})`];
  if (err.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${why}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\n` +
      `loom-proxy-error: LOOM_ERR_BAD_REQUEST\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  socket.destroySoon?.();
}

declare module 'node:stream' {
  interface Duplex {
    destroySoon?(): void;
  }
}
