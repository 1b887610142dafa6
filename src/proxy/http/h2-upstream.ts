// Sends requests to one endpoint as streams on a single long-lived HTTP/2 connection (h2c),
// reconnecting when the connection goes away. Used for gRPC/HTTP/2 and for proxy-to-proxy hops,
// where HTTP/1 requests ride the same connection marked with loom-orig-proto.
import net from 'node:net';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { ErrorCode } from '../h2/constants.js';
import { nodeHttp2 } from './node-http2.js';
import { ConnectError, ConnectTimeoutError, ResponseTimeoutError, UpstreamError } from '../errors.js';
import { ORIG_PROTO_HEADER, fromHeaderObject, toHeaderObject } from './headers.js';
import { resetStream } from './h2-sink.js';
import type { ProxyRequest, ResponseSink } from './types.js';

const NGHTTP2_CANCEL = ErrorCode.CANCEL;
const NGHTTP2_REFUSED_STREAM = ErrorCode.REFUSED_STREAM;
const END_STREAM = 0x1;

export interface H2UpstreamOptions {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
}

export class H2Upstream {
  private session: ClientHttp2Session | null = null;
  /** Why the last session failed, for the answer given to streams it took down. */
  private sessionError: Error | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    readonly addr: string,
    private readonly opts: H2UpstreamOptions,
  ) {}

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    const head = toHeaderObject(req.headers, {
      ':method': req.method,
      ':scheme': req.scheme,
      ':authority': req.authority,
      ':path': req.path,
    });
    if (req.httpVersion === '1.1') head[ORIG_PROTO_HEADER] = 'HTTP/1.1';
    let stream: ClientHttp2Stream;
    try {
      stream = this.connection().request(head, { endStream: req.body === null });
    } catch (err) {
      sink.error(new UpstreamError(this.addr, err));
      return;
    }
    new H2Exchange(this, stream, sink, this.opts.responseTimeoutMs);
    if (req.body !== null) req.body.pipe(stream);
  }

  /** The live session, opened on first use and again after GOAWAY or an error. */
  private connection(): ClientHttp2Session {
    const current = this.session;
    if (current && !current.closed && !current.destroyed) return current;
    const session = nodeHttp2().connect(`http://${this.addr}`, {
      peerMaxConcurrentStreams: 1000,
      // Many small frames share this connection; Nagle's algorithm would hold them back.
      createConnection: () => net.connect({ host: this.host, port: this.port, noDelay: true }),
    });
    this.session = session;
    const timer = setTimeout(
      () => session.destroy(new ConnectTimeoutError(this.addr, this.opts.connectTimeoutMs)),
      this.opts.connectTimeoutMs,
    );
    session.once('connect', () => clearTimeout(timer));
    session.once('close', () => {
      clearTimeout(timer);
      if (this.session === session) this.session = null;
    });
    session.on('goaway', () => {
      if (this.session === session) this.session = null;
    });
    session.on('error', (err) => {
      // Each stream on it reports its own failure; the next request opens a new session.
      this.sessionError = err;
    });
    session.unref();
    return session;
  }

  mapError(err: Error | undefined, connected: boolean): Error {
    if (!connected) {
      const cause = err ?? this.sessionError;
      return cause instanceof ConnectTimeoutError ? cause : new ConnectError(this.addr, cause ?? 'connection closed');
    }
    return new UpstreamError(this.addr, err ?? 'stream reset');
  }

  responseTimeout(): Error {
    return new ResponseTimeoutError(this.addr, this.opts.responseTimeoutMs);
  }

  close(): void {
    this.session?.close();
    this.session = null;
  }
}

/** One request/response on an upstream HTTP/2 stream, relayed to the sink. */
class H2Exchange {
  private trailers: IncomingHttpHeaders | null = null;
  private timer: NodeJS.Timeout | null = null;
  private responded = false;
  private ended = false;
  private peerReset = false;

  constructor(
    private readonly upstream: H2Upstream,
    private readonly stream: ClientHttp2Stream,
    private readonly sink: ResponseSink,
    responseTimeoutMs: number,
  ) {
    if (responseTimeoutMs > 0) this.timer = setTimeout(() => this.onTimeout(), responseTimeoutMs);
    stream.on('response', (headers, flags) => this.onResponse(headers, flags));
    stream.on('data', (chunk: Buffer) => {
      if (!sink.data(chunk)) stream.pause();
    });
    stream.on('trailers', (trailers) => {
      this.trailers = trailers;
    });
    stream.on('end', () => this.onEnd());
    stream.on('error', (err: NodeJS.ErrnoException) => {
      // A reset from the peer is passed on as a reset; other failures become proxy errors.
      if (err.code === 'ERR_HTTP2_STREAM_ERROR') this.peerReset = true;
    });
    stream.on('close', () => this.onClose());
    sink.onDrain(() => stream.resume());
    sink.onAbort((code) => {
      resetStream(stream, code || NGHTTP2_CANCEL, new Error('client went away'));
    });
  }

  private onResponse(headers: IncomingHttpHeaders, flags: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.responded = true;
    const status = Number(headers[':status']);
    const endStream = (flags & END_STREAM) !== 0;
    if (endStream) this.ended = true;
    this.sink.start(status, fromHeaderObject(headers), endStream);
  }

  private onEnd(): void {
    if (this.ended) return;
    this.ended = true;
    this.sink.end(this.trailers);
  }

  private onTimeout(): void {
    this.timer = null;
    if (this.responded) return;
    this.ended = true;
    this.sink.error(this.upstream.responseTimeout());
    resetStream(this.stream, NGHTTP2_CANCEL, new Error('response timeout'));
  }

  private onClose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.ended) return;
    this.ended = true;
    const code = this.stream.rstCode;
    const session = this.stream.session;
    const connected = session ? !session.connecting : false;
    // A refused stream never reached the application; say so rather than blame it.
    const cause = code === NGHTTP2_REFUSED_STREAM ? new Error('stream refused by peer') : undefined;
    this.sink.error(this.upstream.mapError(cause, connected || this.responded), this.peerReset ? code : undefined);
  }
}
