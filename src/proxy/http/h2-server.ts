// The HTTP/2 side of a listener (h2c, prior knowledge): each stream becomes a ProxyRequest + sink.
// Invalid frames are answered by nghttp2 with GOAWAY(PROTOCOL_ERROR); only that session ends.
import type { Http2Server, IncomingHttpHeaders, ServerHttp2Session, ServerHttp2Stream } from 'node:http2';
import { nodeHttp2 } from './node-http2.js';
import { ORIG_PROTO_HEADER, fromHeaderObject, isGrpc } from './headers.js';
import { H2ResponseSink } from './h2-sink.js';
import type { HttpHandler } from './h1-server.js';

export interface H2ServerOptions {
  maxHeaderBytes: number;
  idleTimeoutMs: number;
}

export function createH2Server(opts: H2ServerOptions, handle: HttpHandler): Http2Server {
  const server = nodeHttp2().createServer({
    maxSessionInvalidFrames: 100,
    maxSendHeaderBlockLength: 256 * 1024,
    settings: { maxConcurrentStreams: 1000, maxHeaderListSize: opts.maxHeaderBytes * 2 },
  });
  server.on('stream', (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => {
    stream.on('error', () => {
      // A reset stream is reported to the upstream through the sink's abort hook.
    });
    const list = fromHeaderObject(headers);
    const method = headers[':method'] ?? 'GET';
    const sink = new H2ResponseSink(stream, headers['te'] === 'trailers', isGrpc(list));
    if (method === 'CONNECT') {
      sink.error(new Error('CONNECT is not supported by this proxy'));
      return;
    }
    handle(
      {
        method,
        scheme: headers[':scheme'] ?? 'http',
        authority: headers[':authority'] ?? headers.host ?? '',
        path: headers[':path'] ?? '/',
        headers: list,
        body: stream.endAfterHeaders ? null : stream,
        httpVersion: headers[ORIG_PROTO_HEADER] === 'HTTP/1.1' ? '1.1' : '2',
        clientAddr: stream.session?.socket?.remoteAddress ?? '',
        // Peer proxies use the Loom link; node:http2 serves only plaintext clients.
        clientId: '',
      },
      sink,
    );
  });
  server.on('session', (session: ServerHttp2Session) => {
    // A session with no streams for the idle timeout is closed; this also ends sessions nghttp2 has
    // already sent GOAWAY on, which node:http2 otherwise leaves open.
    let open = 0;
    session.on('stream', (s: ServerHttp2Stream) => {
      open++;
      s.once('close', () => open--);
    });
    if (opts.idleTimeoutMs > 0) session.setTimeout(opts.idleTimeoutMs, () => {
      if (open === 0) session.destroy();
    });
  });
  server.on('sessionError', () => {
    // The session is torn down by node; nothing else is affected.
  });
  return server;
}
