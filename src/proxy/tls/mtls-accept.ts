// Inbound mTLS: terminate a peer proxy's TLS with this proxy's certificate, require a client
// certificate that chains to the trust anchors, and record the client's identity on the socket.
// A tls.Server that never listens does the handshakes: it is what enforces rejectUnauthorized.
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Credentials, LocalIdentity } from '../identity/local-identity.js';
import { dnsIdentity, setPeerIdentity } from './peer-identity.js';
import { tlsFailureReason, type TlsFailureReason } from './tls-failure.js';

const SERVER_ALPN = ['h2', 'http/1.1', 'loom.io/opaque'];

export interface AcceptedTls {
  socket: TLSSocket;
  clientId: string;
  /** The protocol the client announced by ALPN ('' when none). */
  protocol: string;
}

export interface MtlsTerminatorOptions {
  handshakeTimeoutMs: number;
  onFailure(reason: TlsFailureReason, err: Error, remote: string): void;
}

export class MtlsTerminator {
  private server: tls.Server | null = null;
  private installed: Credentials | null = null;
  private onSecure: (accepted: AcceptedTls) => void = (accepted) => accepted.socket.destroy();

  constructor(
    private readonly identity: LocalIdentity,
    private readonly opts: MtlsTerminatorOptions,
  ) {}

  /** The identity peers ask for by SNI. */
  get name(): string {
    return this.identity.name;
  }

  /** Where decrypted connections go; the listener sets it once. */
  serveWith(onSecure: (accepted: AcceptedTls) => void): void {
    this.onSecure = onSecure;
  }

  /** Takes a connection whose ClientHello asked for this proxy's identity. */
  accept(socket: Socket): void {
    const server = this.current();
    if (server === null) {
      // Asked for our identity before we hold a certificate: there is nothing to present.
      socket.destroy();
      return;
    }
    server.emit('connection', socket);
  }

  /** The handshake server, its context swapped when the identity's certificate was renewed. */
  private current(): tls.Server | null {
    const credentials = this.identity.credentials;
    if (credentials === null) return null;
    if (this.server === null) {
      this.server = tls.createServer({
        ...credentials.options,
        requestCert: true,
        rejectUnauthorized: true,
        ALPNProtocols: SERVER_ALPN,
        handshakeTimeout: this.opts.handshakeTimeoutMs,
      });
      this.server.on('secureConnection', (socket: TLSSocket) => this.secured(socket));
      this.server.on('tlsClientError', (err: Error, socket: TLSSocket) => {
        this.opts.onFailure(tlsFailureReason(err) ?? 'handshake', err, socket.remoteAddress ?? '');
      });
    } else if (this.installed !== credentials) {
      this.server.setSecureContext(credentials.options);
    }
    this.installed = credentials;
    return this.server;
  }

  private secured(socket: TLSSocket): void {
    // Later errors (a reset mid-stream) belong to whoever serves the connection; never unhandled.
    socket.on('error', () => socket.destroy());
    const clientId = dnsIdentity(socket.getPeerCertificate().subjectaltname);
    setPeerIdentity(socket, clientId);
    this.onSecure({ socket, clientId, protocol: typeof socket.alpnProtocol === 'string' ? socket.alpnProtocol : '' });
  }
}
