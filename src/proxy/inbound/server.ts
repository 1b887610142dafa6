// The inbound side: traffic for the local app, from peer proxies (HTTP/2, HTTP/1 restored from
// loom-orig-proto) or from unmeshed clients. accept -> detect (unless the app port is opaque)
// -> telemetry -> the app, over a pooled HTTP/1 connection, an HTTP/2 session, or a byte copy.
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { AccessLog } from '../access-log.js';
import { formatHostPort } from '../discovery/host-port.js';
import { EndpointClient } from '../endpoint/endpoint-client.js';
import type { ProxyConfig } from '../env.js';
import { createH1Server } from '../http/h1-server.js';
import { createH2Server } from '../http/h2-server.js';
import { ObservedSink, type ObserveContext } from '../http/observe.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';
import { tunnelUpgrade } from '../http/upgrade.js';
import { Listener } from '../listener.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';
import type { TcpMetrics } from '../metrics/tcp-metrics.js';
import { forwardTcp } from '../tcp/forward.js';

export interface InboundDeps {
  config: ProxyConfig;
  metrics: ProxyMetrics;
  accessLog: AccessLog | null;
}

/** Most distinct authorities tracked per metrics label before they share one catch-all label. */
const MAX_AUTHORITIES = 1000;

export class InboundProxy {
  private readonly app: EndpointClient;
  private readonly appAddr: string;
  private readonly observe: ObserveContext;
  private readonly httpByAuthority = new Map<string, HttpMetrics>();
  private readonly tcp: TcpMetrics;
  private readonly accepted: TcpMetrics;

  constructor(private readonly deps: InboundDeps) {
    const { config } = deps;
    this.app = new EndpointClient(config.appAddr.host, config.appAddr.port, false, {
      connectTimeoutMs: config.connectTimeoutMs,
      responseTimeoutMs: config.responseTimeoutMs,
      upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
    });
    this.appAddr = formatHostPort(config.appAddr.host, config.appAddr.port);
    this.observe = { direction: 'inbound', accessLog: deps.accessLog };
    this.tcp = deps.metrics.tcp({ ...this.labels(''), peer: 'dst' });
    this.accepted = deps.metrics.tcp({ ...this.labels(''), peer: 'src' });
  }

  listener(): Listener {
    const { config } = this.deps;
    const handle = (req: ProxyRequest, sink: ResponseSink): void => {
      this.app.dispatch(req, new ObservedSink(sink, req, this.httpMetrics(req.authority), null, this.observe, this.appAddr));
    };
    return new Listener('inbound', {
      opaque: config.opaquePorts.has(config.appAddr.port),
      detectTimeoutMs: config.detectTimeoutMs,
      http1: createH1Server(
        { headerReadTimeoutMs: config.headerReadTimeoutMs, idleTimeoutMs: config.clientIdleTimeoutMs, maxHeaderBytes: config.maxHeaderBytes },
        handle,
        (req: IncomingMessage, socket: Duplex, head: Buffer) =>
          tunnelUpgrade(req, socket, head, config.appAddr.host, config.appAddr.port, config.connectTimeoutMs),
      ),
      h2: () => createH2Server({ maxHeaderBytes: config.maxHeaderBytes, idleTimeoutMs: config.clientIdleTimeoutMs }, handle),
      loomH2: handle,
      maxHeaderBytes: config.maxHeaderBytes,
      tcp: (socket: Socket, final?: Buffer) => this.forwardTcp(socket, final),
      accepted: this.accepted,
    });
  }

  private forwardTcp(socket: Socket, final?: Buffer): void {
    const { config } = this.deps;
    const openedAt = this.tcp.open();
    forwardTcp(socket, config.appAddr.host, config.appAddr.port, {
      connectTimeoutMs: config.connectTimeoutMs,
      final,
      onClose: (r) => {
        this.tcp.read(r.bytesFromClient);
        this.tcp.write(r.bytesToClient);
        this.tcp.close(openedAt, r.errno);
      },
    });
  }

  private httpMetrics(authority: string): HttpMetrics {
    let metrics = this.httpByAuthority.get(authority);
    if (metrics === undefined) {
      if (this.httpByAuthority.size >= MAX_AUTHORITIES) return this.deps.metrics.http(this.labels('other'));
      metrics = this.deps.metrics.http(this.labels(authority));
      this.httpByAuthority.set(authority, metrics);
    }
    return metrics;
  }

  private labels(authority: string): Record<string, string> {
    const { appAddr } = this.deps.config;
    return {
      direction: 'inbound',
      authority,
      target_addr: this.appAddr,
      target_ip: appAddr.host,
      target_port: String(appAddr.port),
      tls: 'no_identity',
    };
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
