// Calls one proxy's Tap API over mTLS: the controller proves its own identity and requires the proxy
// to prove the identity the platform says it has.
import type { MessageInitShape } from '@bufbuild/protobuf';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport, Http2SessionManager } from '@connectrpc/connect-node';
import { Tap, type ObserveRequestSchema, type TapEvent } from '../../api/gen/loom/tap/v1/tap_pb.js';
import { dnsNames } from '../../identity/certificates.js';
import type { ClientCredentials } from './controller-credentials.js';

export interface TapTarget {
  namespace: string;
  workload: string;
  pod: string;
  /** host:port of the proxy's tap listener. */
  tap: string;
  /** The identity the proxy must prove. */
  identity: string;
}

export type ObserveInit = MessageInitShape<typeof ObserveRequestSchema>;

export async function* tapProxy(target: TapTarget, request: ObserveInit, credentials: ClientCredentials, signal: AbortSignal): AsyncGenerator<TapEvent> {
  const url = `https://${target.tap}`;
  const sessions = new Http2SessionManager(url, undefined, {
    ca: credentials.anchorsPem,
    cert: credentials.certPem,
    key: credentials.keyPem,
    servername: target.identity,
    checkServerIdentity: (_host, cert) =>
      dnsNames(cert.subjectaltname).includes(target.identity)
        ? undefined
        : new Error(`the proxy at ${target.tap} proved ${dnsNames(cert.subjectaltname).join(', ') || 'no identity'}, not ${target.identity}`),
  });
  try {
    const client = createClient(Tap, createGrpcTransport({ baseUrl: url, sessionManager: sessions }));
    for await (const batch of client.observe(request, { signal })) yield* batch.events;
  } finally {
    sessions.abort();
  }
}
