// The verified identity of the peer on an accepted connection, recorded once at the handshake and
// read per request by the servers (empty when the connection is plaintext).
import type { Socket } from 'node:net';
import { dnsNames } from '../../identity/certificates.js';

const identities = new WeakMap<object, string>();

export function setPeerIdentity(socket: Socket, identity: string): void {
  identities.set(socket, identity);
}

export function peerIdentity(socket: Socket | null | undefined): string {
  return socket ? (identities.get(socket) ?? '') : '';
}

/** Whether `name` has the shape of a mesh identity (…serviceaccount.identity.loom.<trust-domain>). */
export function isMeshIdentity(name: string): boolean {
  return name.includes('.serviceaccount.identity.loom.');
}

/** The first DNS name of a certificate's subjectaltname string ("DNS:a, URI:b"). */
export function dnsIdentity(subjectAltName: string | undefined): string {
  return dnsNames(subjectAltName)[0] ?? '';
}
