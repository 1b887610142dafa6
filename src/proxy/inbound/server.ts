// The inbound side: traffic for the local app, from peer proxies (mTLS terminated here; HTTP/2,
// HTTP/1 restored from loom-orig-proto) or from unmeshed clients. accept -> detect (unless the app
// port is opaque) -> [mTLS -> detect] -> identity check -> telemetry -> the app, over a pooled
// HTTP/1 connection, an HTTP/2 session, or a byte copy.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../access-log.js';
import { formatHostPort } from '../../lib/host-port.js';
import { EndpointClient } from '../endpoint/endpoint-client.js';
import type { ProxyConfig } from '../env.js';
import { IdentityRequiredError } from '../errors.js';
import { createH1Server } from '../http/h1-server.js';
import { createH2Server } from '../http/h2-server.js';
import { ObservedSink, type ObserveContext } from '../http/observe.js';
import type { ProxyRequest, RequestTarget, ResponseSink } from '../http/types.js';
import { rejectUpgrade, tunnelUpgrade } from '../http/upgrade.js';
import { Listener } from '../listener.js';
import type { Logger } from '../log.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { TcpMetrics } from '../metrics/tcp-metrics.js';
import type { TapHub } from '../tap/tap-hub.js';
import { forwardTcp } from '../tcp/forward.js';
import type { MtlsTerminator } from '../tls/mtls-accept.js';
import { peerIdentity } from '../tls/peer-identity.js';

export interface InboundDeps {
  config: ProxyConfig;
  metrics: ProxyMetrics;
  accessLog: AccessLog | null;
  tap: TapHub;
  logger: Logger;
  /** null: the proxy has no identity; TLS passes through to the app and clients are never verified. */
  mtls: MtlsTerminator | null;
}

/** Most distinct authorities tracked per metrics label before they share one catch-all label. */
const MAX_AUTHORITIES = 1000;

export class InboundProxy {
  private readonly app: EndpointClient;
  private readonly appAddr: string;
  private readonly observe: ObserveContext;
  private readonly appTarget: RequestTarget;
  /** By client identity, then authority: no key is built per request. */
  private readonly httpByClient = new Map<string, Map<string, HttpMetrics>>();
  private authorities = 0;
  private readonly accepted: TcpMetrics;
  /** The app port accepts only clients with a verified identity. */
  private readonly requireIdentity: boolean;

  constructor(private readonly deps: InboundDeps) {
    const { config } = deps;
    this.app = new EndpointClient({ host: config.appAddr.host, port: config.appAddr.port, meshed: false }, {
      connectTimeoutMs: config.connectTimeoutMs,
      responseTimeoutMs: config.responseTimeoutMs,
      upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
    });
    this.appAddr = formatHostPort(config.appAddr.host, config.appAddr.port);
    this.observe = { direction: 'inbound', accessLog: deps.accessLog, tap: deps.tap };
    this.appTarget = { addr: this.appAddr, identity: '', labels: {} };
    // Counted at accept, before any handshake: no tls labels.
    this.accepted = deps.metrics.tcp({ direction: 'inbound', target_addr: this.appAddr, peer: 'src' });
    this.requireIdentity = config.inboundPortsRequireIdentity.has(config.appAddr.port);
  }

  listener(): Listener {
    const { config } = this.deps;
    const handle = (req: ProxyRequest, sink: ResponseSink): void => {
      const observed = new ObservedSink(sink, req, this.httpMetrics(req.clientId, req.authority), null, this.observe, this.appTarget);
      if (this.requireIdentity && req.clientId === '') observed.error(new IdentityRequiredError(config.appAddr.port));
      else this.app.dispatch(req, observed);
    };
    return new Listener('inbound', {
      opaque: config.opaquePorts.has(config.appAddr.port),
      detectTimeoutMs: config.detectTimeoutMs,
      http1: createH1Server(
        { headerReadTimeoutMs: config.headerReadTimeoutMs, idleTimeoutMs: config.clientIdleTimeoutMs, maxHeaderBytes: config.maxHeaderBytes },
        handle,
        (req: IncomingMessage, socket: Duplex, head: Buffer) =>
          this.requireIdentity && peerIdentity(req.socket) === ''
            ? rejectUpgrade(socket, new IdentityRequiredError(config.appAddr.port))
            : tunnelUpgrade(req, socket, head, this.app.transport, this.appAddr, config.connectTimeoutMs),
      ),
      h2: () => createH2Server({ maxHeaderBytes: config.maxHeaderBytes, idleTimeoutMs: config.clientIdleTimeoutMs }, handle),
      loomH2: handle,
      maxHeaderBytes: config.maxHeaderBytes,
      tcp: (socket: Socket, final?: Buffer) => this.forwardTcp(socket, final),
      accepted: this.accepted,
      ...(this.deps.mtls ? { mtls: this.deps.mtls } : {}),
    });
  }

  private forwardTcp(socket: Socket, final?: Buffer): void {
    const { config } = this.deps;
    const clientId = peerIdentity(socket);
    if (this.requireIdentity && clientId === '') {
      this.deps.logger.info({ client: socket.remoteAddress, port: config.appAddr.port }, 'inbound: refused a plaintext connection to a port that requires identity');
      socket.destroy();
      return;
    }
    // Per connection, not per request: the client's identity is part of the labels.
    const tcp = this.deps.metrics.tcp({ ...this.labels(clientId, ''), peer: 'dst' });
    const openedAt = tcp.open();
    forwardTcp(socket, this.app.transport('loom.io/opaque', true), this.appAddr, {
      connectTimeoutMs: config.connectTimeoutMs,
      final,
      onClose: (r) => {
        tcp.read(r.bytesFromClient);
        tcp.write(r.bytesToClient);
        tcp.close(openedAt, r.errno);
      },
    });
  }

  private httpMetrics(clientId: string, authority: string): HttpMetrics {
    let byAuthority = this.httpByClient.get(clientId);
    if (byAuthority === undefined) {
      byAuthority = new Map();
      this.httpByClient.set(clientId, byAuthority);
    }
    let metrics = byAuthority.get(authority);
    if (metrics === undefined) {
      if (this.authorities >= MAX_AUTHORITIES) return this.deps.metrics.http(this.labels(clientId, 'other'));
      metrics = this.deps.metrics.http(this.labels(clientId, authority));
      byAuthority.set(authority, metrics);
      this.authorities++;
    }
    return metrics;
  }

  private labels(clientId: string, authority: string): Record<string, string> {
    const { appAddr } = this.deps.config;
    const tls: Record<string, string> =
      clientId !== ''
        ? { tls: 'true', client_id: clientId }
        : { tls: 'no_identity', no_tls_reason: this.deps.mtls ? 'no_tls_from_remote' : 'disabled' };
    return {
      direction: 'inbound',
      authority,
      target_addr: this.appAddr,
      target_ip: appAddr.host,
      target_port: String(appAddr.port),
      ...tls,
    };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
