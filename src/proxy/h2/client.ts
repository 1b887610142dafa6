// Sends requests to one Loom peer over a single long-lived HTTP/2 connection of our own, opened on
// first use and again after GOAWAY or failure. Requests made while connecting wait for the
// handshake; a peer that turns out not to be a Loom proxy gets them through the fallback instead.
import { plainTransport, type TransportFactory } from '../endpoint/transport.js';
import { formatHostPort } from '../../lib/host-port.js';
import { ConnectError, ResponseTimeoutError, UpstreamError } from '../errors.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';
import { LoomH2ClientConnection, type ClientConnectionOwner } from './client-connection.js';
import { ClientStream, type ClientStreamOwner } from './client-stream.js';
import { NotLoomPeerError } from './errors.js';
import type { LocalSettings } from './settings.js';

/** Anything that dispatches like this client does, e.g. the node:http2 based H2Upstream. */
export interface Dispatcher {
  dispatch(req: ProxyRequest, sink: ResponseSink): void;
}

export interface LoomH2ClientOptions {
  connectTimeoutMs: number;
  /** No response head within this many ms fails the request with ResponseTimeoutError; 0 = none. */
  responseTimeoutMs: number;
  /** Fail the connection unless the server's SETTINGS carry the Loom marker (default true). */
  requireLoomPeer?: boolean;
  /** Takes every request once the peer proved not to be a Loom proxy; without it they fail. */
  fallback?: Dispatcher;
  settings?: Partial<LocalSettings>;
  /** How connections are opened: plain TCP by default, mTLS to a peer with an identity. */
  transport?: TransportFactory;
}

export class LoomH2Client implements Dispatcher {
  readonly addr: string;
  private readonly peer: PeerConnections;

  constructor(host: string, port: number, opts: LoomH2ClientOptions) {
    this.addr = formatHostPort(host, port);
    this.peer = new PeerConnections(host, port, this.addr, opts);
  }

  /** undefined until a handshake decided it; false once the peer proved not to be a Loom proxy. */
  get isLoomPeer(): boolean | undefined {
    return this.peer.loomPeer;
  }

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    this.peer.dispatch(req, sink);
  }

  /** Takes no new requests; each connection sends GOAWAY and closes once its streams are done. */
  close(): void {
    this.peer.close();
  }
}

/** The connections to one peer: the current one, and retired ones still finishing their streams. */
class PeerConnections implements ClientConnectionOwner, ClientStreamOwner {
  loomPeer: boolean | undefined = undefined;
  private current: LoomH2ClientConnection | null = null;
  private readonly retired = new Set<LoomH2ClientConnection>();
  private closing = false;
  private readonly transport: TransportFactory;

  constructor(
    host: string,
    port: number,
    readonly addr: string,
    private readonly opts: LoomH2ClientOptions,
  ) {
    this.transport = opts.transport ?? plainTransport(host, port);
  }

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    if (this.loomPeer === false) return this.notLoom(req, sink);
    if (this.closing) {
      sink.error(new UpstreamError(this.addr, 'the client is closed'));
      return;
    }
    this.connection().request(new ClientStream(req, sink, this));
  }

  close(): void {
    this.closing = true;
    this.current?.closeWhenDone();
    for (const conn of this.retired) conn.closeWhenDone();
  }

  connectionRetired(conn: LoomH2ClientConnection): void {
    if (this.current === conn) this.current = null;
    this.retired.add(conn);
  }

  redispatch(stream: ClientStream): void {
    if (stream.ended) return;
    if (this.closing) {
      stream.fail(new UpstreamError(this.addr, 'the client is closed'));
      return;
    }
    this.connection().request(stream);
  }

  handshakeDone(hasMarker: boolean): void {
    if (hasMarker) this.loomPeer = true;
  }

  notLoomPeer(conn: LoomH2ClientConnection, unsent: ClientStream[]): void {
    this.loomPeer = false;
    this.connectionRetired(conn);
    for (const stream of unsent) {
      if (stream.ended) continue;
      // The sink passes to the fallback; this stream's abort hook on it becomes a no-op.
      stream.ended = true;
      this.notLoom(stream.req, stream.sink);
    }
  }

  responseTimeoutError(): Error {
    return new ResponseTimeoutError(this.addr, this.opts.responseTimeoutMs);
  }

  private connection(): LoomH2ClientConnection {
    const current = this.current;
    if (current !== null && current.acceptsRequests) return current;
    const { socket } = this.transport('h2', false);
    const conn = new LoomH2ClientConnection(socket, this, {
      connectTimeoutMs: this.opts.connectTimeoutMs,
      responseTimeoutMs: this.opts.responseTimeoutMs,
      requireLoomPeer: this.opts.requireLoomPeer ?? true,
      ...(this.opts.settings ? { settings: this.opts.settings } : {}),
    });
    socket.once('close', () => this.retired.delete(conn));
    this.current = conn;
    return conn;
  }

  private notLoom(req: ProxyRequest, sink: ResponseSink): void {
    if (this.opts.fallback) this.opts.fallback.dispatch(req, sink);
    else sink.error(new ConnectError(this.addr, new NotLoomPeerError(this.addr)));
  }
}
