// How the proxy opens a connection to an endpoint: plain TCP, or mTLS to a peer proxy. Callers
// write at once (both buffer until ready) and wait for `readyEvent` before counting it connected.
import net, { type Socket } from 'node:net';

export interface Transport {
  readonly socket: Socket;
  readonly readyEvent: 'connect' | 'secureConnect';
}

/** What a connection to a peer proxy carries, told to it by ALPN so it needs no detection. */
export type PeerProtocol = 'h2' | 'http/1.1' | 'loom.io/opaque';

export type TransportFactory = (protocol: PeerProtocol, allowHalfOpen: boolean) => Transport;

export function plainTransport(host: string, port: number): TransportFactory {
  return (_protocol, allowHalfOpen) => ({ socket: net.connect({ host, port, noDelay: true, allowHalfOpen }), readyEvent: 'connect' });
}
