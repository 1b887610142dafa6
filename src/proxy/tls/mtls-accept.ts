// Inbound mTLS: terminate a peer proxy's TLS with this proxy's certificate, require the client's
// certificate to chain to the trust anchors, and record the client's identity on the socket.
import type { Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import type { Credentials } from '../identity/local-identity.js';
import { dnsIdentity, setPeerIdentity } from './peer-identity.js';
import { tlsFailureReason, type TlsFailureReason } from './tls-failure.js';

export const SERVER_ALPN = ['h2', 'http/1.1', 'loom.io/opaque'];

export interface AcceptedTls {
  socket: TLSSocket;
  clientId: string;
  /** The protocol the client announced by ALPN ('' when none). */
  protocol: string;
}

/** Resolves with the decrypted socket, or null when the handshake failed (the socket is destroyed). */
export function acceptMtls(
  socket: Socket,
  credentials: Credentials,
  handshakeTimeoutMs: number,
  onFailure: (reason: TlsFailureReason, err: Error) => void,
): Promise<AcceptedTls | null> {
  return new Promise((resolve) => {
    const secure = new tls.TLSSocket(socket, {
      isServer: true,
      secureContext: credentials.context,
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: SERVER_ALPN,
    });
    const timer = setTimeout(() => fail(new Error(`no TLS handshake within ${handshakeTimeoutMs}ms`)), handshakeTimeoutMs);
    const fail = (err: Error): void => {
      clearTimeout(timer);
      onFailure(tlsFailureReason(err) ?? 'handshake', err);
      secure.destroy();
      socket.destroy();
      resolve(null);
    };
    secure.once('error', fail);
    secure.once('secure', () => {
      clearTimeout(timer);
      secure.off('error', fail);
      // Later errors (a reset mid-stream) are the connection's to handle; never unhandled.
      secure.on('error', () => secure.destroy());
      const clientId = dnsIdentity(secure.getPeerCertificate().subjectaltname);
      setPeerIdentity(secure, clientId);
      resolve({ socket: secure, clientId, protocol: typeof secure.alpnProtocol === 'string' ? secure.alpnProtocol : '' });
    });
  });
}
