// One accepting socket: detects each connection's protocol and hands it to the HTTP/1 server, the
// HTTP/2 server or the opaque TCP handler. Tracks connections so shutdown can drain them.
import net, { type Server, type Socket } from 'node:net';
import type http from 'node:http';
import type { Http2Server, ServerHttp2Session } from 'node:http2';
import { detectProtocol, type Detection } from './detect.js';
import { serveLoomH2, type LoomH2ServerConnection } from './h2/server.js';
import type { HttpHandler } from './http/h1-server.js';
import type { SocketAddr } from './env.js';
import type { TcpMetrics } from './metrics/tcp-metrics.js';
import type { AcceptedTls, MtlsTerminator } from './tls/mtls-accept.js';
import { isMeshIdentity } from './tls/peer-identity.js';

export interface ListenerProtocols {
  /** Skip detection: every connection is opaque TCP (configured opaque port). */
  opaque: boolean;
  detectTimeoutMs: number;
  http1: http.Server;
  /** Builds the HTTP/2 server; called when the first plain HTTP/2 client connects. */
  h2: () => Http2Server;
  /** Serves HTTP/2 from peer Loom proxies on the lean implementation in h2/. */
  loomH2: HttpHandler;
  /** The request header limit, applied to peer proxies' HTTP/2 as to everyone's. */
  maxHeaderBytes: number;
  tcp(socket: Socket, final?: Buffer): void;
  /** Counts every accepted connection (Linkerd's peer="src" TCP metrics). */
  accepted: TcpMetrics;
  /** Absent when the proxy has no identity: TLS then passes through as opaque bytes. */
  mtls?: MtlsTerminator;
}

export class Listener {
  private readonly server: Server;
  /** Open connections, with the bytes already counted for each. */
  private readonly sockets = new Map<Socket, { read: number; written: number }>();
  private h2Server: Http2Server | null = null;
  private readonly h2Sessions = new Set<ServerHttp2Session>();
  private readonly loomSessions = new Set<LoomH2ServerConnection>();
  private draining = false;

  constructor(
    readonly name: string,
    private readonly protocols: ListenerProtocols,
  ) {
    protocols.mtls?.serveWith((accepted) => void this.serveDecrypted(accepted));
    this.server = net.createServer({ noDelay: true, allowHalfOpen: true, pauseOnConnect: false }, (socket) =>
      this.accept(socket),
    );
  }

  private h2(): Http2Server {
    if (this.h2Server === null) {
      const server = this.protocols.h2();
      server.on('session', (session: ServerHttp2Session) => {
        this.h2Sessions.add(session);
        session.once('close', () => this.h2Sessions.delete(session));
        if (this.draining) session.close();
      });
      this.h2Server = server;
    }
    return this.h2Server;
  }

  /**
   * Adds the bytes moved since the last count to the accepted-connection counters, so long-lived
   * connections show their traffic while they are open (called before each scrape), not at close.
   */
  countBytes(only?: Socket): void {
    const { accepted } = this.protocols;
    for (const [socket, counted] of only ? [[only, this.sockets.get(only)] as const] : this.sockets) {
      if (counted === undefined) continue;
      accepted.read(socket.bytesRead - counted.read);
      accepted.write(socket.bytesWritten - counted.written);
      counted.read = socket.bytesRead;
      counted.written = socket.bytesWritten;
    }
  }

  listen(addr: SocketAddr): Promise<SocketAddr> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(addr.port, addr.host, () => {
        this.server.off('error', reject);
        const bound = this.server.address() as net.AddressInfo;
        resolve({ host: bound.address, port: bound.port });
      });
    });
  }

  private accept(socket: Socket): void {
    this.sockets.set(socket, { read: 0, written: 0 });
    const { accepted } = this.protocols;
    const openedAt = accepted.open();
    let errno: string | undefined;
    socket.once('close', () => {
      this.countBytes(socket);
      this.sockets.delete(socket);
      accepted.close(openedAt, errno);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      errno ??= err.code ?? 'EIO';
      socket.destroy();
    });
    if (this.protocols.opaque) {
      this.protocols.tcp(socket);
      return;
    }
    void detectProtocol(socket, this.protocols.detectTimeoutMs).then((detection) => this.serve(socket, detection));
  }

  private serve(socket: Socket, { protocol, final, serverName }: Detection): void {
    if (socket.destroyed) return;
    switch (protocol) {
      case 'http1':
        this.protocols.http1.emit('connection', socket);
        socket.resume();
        break;
      case 'loom-h2': {
        const conn = serveLoomH2(socket, this.protocols.loomH2, { settings: { maxHeaderListSize: this.protocols.maxHeaderBytes * 2 } });
        this.loomSessions.add(conn);
        socket.once('close', () => this.loomSessions.delete(conn));
        if (this.draining) conn.close();
        break;
      }
      case 'h2':
        // No resume: the HTTP/2 session reads the unshifted preface from the socket buffer itself.
        this.h2().emit('connection', socket);
        break;
      case 'tls': {
        const { mtls } = this.protocols;
        // Another mesh identity is terminated too, so the client proxy sees and reports the mismatch;
        // TLS for any other name is the app's own TLS and passes through untouched.
        if (mtls !== undefined && serverName !== undefined && (serverName === mtls.name || isMeshIdentity(serverName))) mtls.accept(socket);
        else this.protocols.tcp(socket, final);
        break;
      }
      case 'opaque':
        this.protocols.tcp(socket, final);
        break;
      case 'closed':
        socket.destroy();
        break;
    }
  }

  /** A peer proxy's mTLS connection: ALPN or detection says what it carries. */
  private async serveDecrypted(accepted: AcceptedTls): Promise<void> {
    if (accepted.protocol === 'loom.io/opaque') {
      this.protocols.tcp(accepted.socket);
      return;
    }
    const inner = await detectProtocol(accepted.socket, this.protocols.detectTimeoutMs);
    // HTTP/2 inside TLS goes to our own server (node:http2 cannot take a TLS socket this way);
    // TLS inside TLS is not for this proxy to open.
    const protocol = inner.protocol === 'h2' ? 'loom-h2' : inner.protocol === 'tls' ? 'opaque' : inner.protocol;
    this.serve(accepted.socket, { ...inner, protocol });
  }

  get connections(): number {
    return this.sockets.size;
  }

  /** Stops accepting; asks HTTP clients to go away once their in-flight requests finish. */
  drain(): void {
    if (!this.draining) this.server.close();
    this.draining = true;
    for (const session of this.h2Sessions) session.close();
    for (const conn of this.loomSessions) conn.close();
    this.protocols.http1.closeIdleConnections();
  }

  /** Idle HTTP/1 connections are closed as they become idle during a drain. */
  closeIdle(): void {
    this.protocols.http1.closeIdleConnections();
  }

  /** Closes every connection and the servers' timers; the listener is finished after this. */
  destroyAll(): void {
    for (const socket of this.sockets.keys()) socket.destroy();
    this.protocols.http1.closeAllConnections();
    // Clears the header-timeout interval started at creation; the server was never listening.
    this.protocols.http1.close(() => undefined);
    this.h2Server?.close(() => undefined);
  }

  get isDraining(): boolean {
    return this.draining;
  }
}
