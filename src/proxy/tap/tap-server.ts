// The tap port: gRPC over mTLS with this proxy's certificate, answering the control plane's identity
// only. Any other client completes the handshake and is told, in gRPC terms, that it may not tap.
// Loaded only when tap is on, so a proxy without it never loads the gRPC server.
import http2 from 'node:http2';
import net, { type AddressInfo, type Socket } from 'node:net';
import type { SocketAddr } from '../env.js';
import type { LocalIdentity } from '../identity/local-identity.js';
import type { Logger } from '../log.js';
import { MtlsTerminator } from '../tls/mtls-accept.js';
import type { TapHub } from './tap-hub.js';
import { GrpcStatus, refuse, serveTap } from './tap-grpc.js';

export interface TapServerOptions {
  hub: TapHub;
  identity: LocalIdentity;
  /** The only client identity allowed to tap. */
  authorized: string;
  handshakeTimeoutMs: number;
  logger: Logger;
}

export class TapServer {
  private readonly listener: net.Server;
  private readonly sockets = new Set<Socket>();
  private readonly hub: TapHub;

  constructor(opts: TapServerOptions) {
    this.hub = opts.hub;
    const { authorized, logger } = opts;
    const serve = http2.createServer();
    serve.on('stream', (stream, headers) => serveTap(opts.hub, stream, String(headers[':path'])));
    serve.on('sessionError', () => undefined);
    const terminator = new MtlsTerminator(opts.identity, {
      handshakeTimeoutMs: opts.handshakeTimeoutMs,
      onFailure: (reason, err, client) => logger.info({ client, reason, err: err.message }, 'tap: mTLS handshake failed'),
    });
    terminator.serveWith(({ socket, clientId }) => {
      if (clientId === authorized) {
        serve.emit('connection', socket);
        return;
      }
      logger.info({ client: socket.remoteAddress, clientId }, 'tap: refused a client that is not the control plane');
      refusal(`only ${authorized} may tap this proxy, not ${clientId}`).emit('connection', socket);
    });
    this.listener = net.createServer((socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => socket.destroy());
      terminator.accept(socket);
    });
  }

  listen(addr: SocketAddr): Promise<SocketAddr> {
    return new Promise((resolve, reject) => {
      this.listener.once('error', reject);
      this.listener.listen(addr.port, addr.host, () => {
        const bound = this.listener.address() as AddressInfo;
        resolve({ host: bound.address, port: bound.port });
      });
    });
  }

  close(): Promise<void> {
    this.hub.closeAll();
    for (const socket of this.sockets) socket.destroy();
    return new Promise((resolve) => this.listener.close(() => resolve()));
  }
}

/** An HTTP/2 server for one refused connection: every call ends with gRPC PERMISSION_DENIED. */
function refusal(message: string): http2.Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream) => refuse(stream, GrpcStatus.PERMISSION_DENIED, message));
  server.on('sessionError', () => undefined);
  return server;
}
