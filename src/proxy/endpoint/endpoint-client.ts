// Everything the proxy holds open to one endpoint: an HTTP/1 pool and an HTTP/2 session, each
// created on first use. Meshed endpoints (peer proxies) always get HTTP/2; those with an identity
// are reached over mTLS that verifies it.
import { H1Upstream } from '../http/h1-upstream.js';
import { H2Upstream } from '../http/h2-upstream.js';
import { LoomH2Client } from '../h2/client.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';
import { plainTransport, type TransportFactory } from './transport.js';

export interface UpstreamSettings {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  upstreamIdleTimeoutMs: number;
}

/** Where an endpoint is and who it must prove to be (from discovery). */
export interface EndpointAddress {
  readonly host: string;
  readonly port: number;
  readonly meshed: boolean;
  readonly identity?: string;
}

export class EndpointClient {
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  readonly meshed: boolean;
  readonly identity: string | undefined;
  /** Opens raw connections (opaque TCP, upgrades): mTLS when the endpoint has an identity. */
  readonly transport: TransportFactory;
  /** Linkerd's tls labels for traffic to this endpoint. */
  readonly tlsLabels: Readonly<Record<string, string>>;
  private h1: H1Upstream | null = null;
  private h2: H2Upstream | null = null;
  private plainH2: LoomH2Client | null = null;
  private loom: LoomH2Client | null = null;

  /** Reached over mTLS: the endpoint has an identity and this proxy has one too. */
  private readonly secure: boolean;

  /** `mtls` is null when this proxy has no identity. */
  constructor(
    endpoint: EndpointAddress,
    private readonly settings: UpstreamSettings,
    mtls: MtlsConnector | null = null,
  ) {
    ({ host: this.host, port: this.port, meshed: this.meshed, identity: this.identity } = endpoint);
    this.addr = this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
    const serverId = mtls ? endpoint.identity : undefined;
    this.secure = serverId !== undefined;
    this.transport = mtls && serverId !== undefined ? mtls(this.host, this.port, serverId) : plainTransport(this.host, this.port);
    this.tlsLabels =
      serverId !== undefined
        ? { tls: 'true', server_id: serverId }
        : { tls: 'no_identity', no_tls_reason: endpoint.identity ? 'disabled' : 'not_provided_by_service_discovery' };
  }

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    if (this.meshed || this.secure) this.loomUpstream().dispatch(req, sink);
    else if (req.httpVersion === '2') this.plainH2Upstream().dispatch(req, sink);
    else this.h1Upstream().dispatch(req, sink);
  }

  /** A peer proxy: the lean HTTP/2 link; over plaintext, node:http2 if the peer turns out not to be Loom. */
  private loomUpstream(): LoomH2Client {
    return (this.loom ??= new LoomH2Client(this.host, this.port, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
      transport: this.transport,
      ...(this.secure ? {} : { fallback: this.h2Upstream() }),
    }));
  }

  /**
   * HTTP/2 and gRPC to an unmeshed server (the local app, or a service outside the mesh): the same
   * lean client as the proxy-to-proxy link, without asking for the Loom marker. Profiles put
   * node:http2's client at ~14% of a gRPC hop's CPU, plus the garbage it leaves.
   */
  private plainH2Upstream(): LoomH2Client {
    return (this.plainH2 ??= new LoomH2Client(this.host, this.port, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
      requireLoomPeer: false,
      transport: this.transport,
    }));
  }

  private h1Upstream(): H1Upstream {
    return (this.h1 ??= new H1Upstream(this.addr, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
      idleTimeoutMs: this.settings.upstreamIdleTimeoutMs,
    }));
  }

  private h2Upstream(): H2Upstream {
    return (this.h2 ??= new H2Upstream(this.host, this.port, this.addr, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
    }));
  }

  /** Stops taking requests; in-flight ones finish. */
  async close(): Promise<void> {
    this.loom?.close();
    this.plainH2?.close();
    this.h2?.close();
    await this.h1?.close();
  }
}

/** Opens mTLS to host:port, accepting the peer only if it proves `serverId`. */
export type MtlsConnector = (host: string, port: number, serverId: string) => TransportFactory;

/**
 * Endpoint clients shared by every logical service that resolves to the same address, so a peer
 * proxy serving several services is reached over one connection. Reference counted.
 */
export class EndpointClients {
  private readonly clients = new Map<string, { client: EndpointClient; refs: number }>();

  constructor(
    private readonly settings: UpstreamSettings,
    private readonly mtls: MtlsConnector | null = null,
  ) {}

  acquire(endpoint: EndpointAddress): EndpointClient {
    const key = clientKey(endpoint);
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { client: new EndpointClient(endpoint, this.settings, this.mtls), refs: 0 };
      this.clients.set(key, entry);
    }
    entry.refs++;
    return entry.client;
  }

  release(client: EndpointClient): void {
    const key = clientKey(client);
    const entry = this.clients.get(key);
    if (!entry || entry.client !== client) return;
    if (--entry.refs > 0) return;
    this.clients.delete(key);
    void client.close();
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values()].map((e) => e.client.close());
    this.clients.clear();
    await Promise.allSettled(all);
  }
}

function clientKey(e: EndpointAddress | EndpointClient): string {
  return `${e.meshed ? 'h2' : 'h1'}|${e.host}|${e.port}|${e.identity ?? ''}`;
}
