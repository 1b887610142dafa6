// Outbound mTLS to a peer proxy: present this proxy's certificate, ask for the peer's identity by
// SNI, and accept the peer only if its certificate chains to the trust anchors AND names exactly
// the identity discovery gave for the endpoint.
import net from 'node:net';
import tls, { type PeerCertificate } from 'node:tls';
import { NoIdentityError, PeerIdentityError } from '../errors.js';
import type { LocalIdentity } from '../identity/local-identity.js';
import type { PeerProtocol, Transport, TransportFactory } from '../endpoint/transport.js';
import { dnsIdentity } from './peer-identity.js';
import { tlsFailureReason, type TlsFailureReason } from './tls-failure.js';

export interface MtlsPeer {
  identity: LocalIdentity;
  /** The identity the endpoint must prove. */
  serverId: string;
  /** Counts a failed handshake by reason. */
  onFailure(reason: TlsFailureReason): void;
}

export function mtlsTransport(host: string, port: number, peer: MtlsPeer): TransportFactory {
  return (protocol: PeerProtocol, allowHalfOpen: boolean): Transport => {
    const credentials = peer.identity.credentials;
    if (credentials === null) {
      const socket = new net.Socket();
      process.nextTick(() => socket.destroy(new NoIdentityError(peer.identity.name)));
      return { socket, readyEvent: 'secureConnect' };
    }
    // allowHalfOpen reaches the TLSSocket (opaque TCP passes half-close on) though the typings omit it.
    const options: tls.ConnectionOptions & { allowHalfOpen: boolean } = {
      host,
      port,
      allowHalfOpen,
      secureContext: credentials.context,
      servername: peer.serverId,
      ALPNProtocols: [protocol],
      checkServerIdentity: (_host: string, cert: PeerCertificate) => checkPeer(cert, peer.serverId),
    };
    const socket = tls.connect(options);
    socket.setNoDelay(true);
    const onError = (err: Error): void => {
      const reason = tlsFailureReason(err);
      if (reason !== undefined) peer.onFailure(reason);
    };
    socket.once('error', onError);
    socket.once('secureConnect', () => socket.off('error', onError));
    return { socket, readyEvent: 'secureConnect' };
  };
}

function checkPeer(cert: PeerCertificate, expected: string): Error | undefined {
  const presented = dnsIdentity(cert.subjectaltname);
  return presented === expected ? undefined : new PeerIdentityError(expected, presented);
}
