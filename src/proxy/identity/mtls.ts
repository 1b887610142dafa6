// Everything mutual TLS adds to a proxy, built in one place and loaded only when the proxy has an
// identity, so a proxy without one never loads node:tls or node:crypto.
import { formatAddr, type ProxyConfig } from '../env.js';
import type { MtlsConnector } from '../endpoint/endpoint-client.js';
import type { Logger } from '../log.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import { MtlsTerminator } from '../tls/mtls-accept.js';
import { mtlsTransport } from '../tls/mtls-connect.js';
import { LocalIdentity } from './local-identity.js';

export interface Mtls {
  identity: LocalIdentity;
  /** Outbound: connections to an endpoint that must prove an identity. */
  connect: MtlsConnector;
  /** Inbound: terminates peers' mTLS with this proxy's certificate. */
  terminator: MtlsTerminator;
}

/** null when the config gives the proxy no identity. */
export function createMtls(config: ProxyConfig, metrics: ProxyMetrics, logger: Logger): Mtls | null {
  const { identityLocalName: name, identityTrustAnchors, identityTokenFile, identitySvcAddr } = config;
  if (name === undefined || identityTrustAnchors === undefined || identityTokenFile === undefined || identitySvcAddr === undefined) return null;
  const identity = new LocalIdentity(
    { name, trustAnchorsPem: identityTrustAnchors, tokenFile: identityTokenFile, svcAddr: formatAddr(identitySvcAddr) },
    metrics.identity(),
    logger,
  );
  return {
    identity,
    connect: (host, port, serverId) =>
      mtlsTransport(host, port, {
        identity,
        serverId,
        onFailure: (reason) => metrics.tlsFailure({ direction: 'outbound', server_id: serverId, reason }).inc(),
      }),
    terminator: new MtlsTerminator(identity, {
      handshakeTimeoutMs: config.detectTimeoutMs,
      onFailure: (reason, err, client) => {
        metrics.tlsFailure({ direction: 'inbound', reason }).inc();
        logger.info({ client, reason, err: err.message }, 'inbound: mTLS handshake failed');
      },
    }),
  };
}
