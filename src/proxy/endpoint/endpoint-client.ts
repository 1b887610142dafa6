// Everything the proxy holds open to one endpoint: an HTTP/1 pool and an HTTP/2 session, each
// created on first use. Meshed endpoints (peer proxies) always get HTTP/2.
import { H1Upstream } from '../http/h1-upstream.js';
import { H2Upstream } from '../http/h2-upstream.js';
import { LoomH2Client } from '../h2/client.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';

export interface UpstreamSettings {
  connectTimeoutMs: number;
  responseTimeoutMs: number;
  upstreamIdleTimeoutMs: number;
}

export class EndpointClient {
  readonly addr: string;
  private h1: H1Upstream | null = null;
  private h2: H2Upstream | null = null;
  private loom: LoomH2Client | null = null;

  constructor(
    readonly host: string,
    readonly port: number,
    readonly meshed: boolean,
    private readonly settings: UpstreamSettings,
  ) {
    this.addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }

  dispatch(req: ProxyRequest, sink: ResponseSink): void {
    if (this.meshed) this.loomUpstream().dispatch(req, sink);
    else if (req.httpVersion === '2') this.h2Upstream().dispatch(req, sink);
    else this.h1Upstream().dispatch(req, sink);
  }

  /** A peer proxy: the lean HTTP/2 link, or node:http2 if the peer turns out not to be Loom. */
  private loomUpstream(): LoomH2Client {
    return (this.loom ??= new LoomH2Client(this.host, this.port, {
      connectTimeoutMs: this.settings.connectTimeoutMs,
      responseTimeoutMs: this.settings.responseTimeoutMs,
      fallback: this.h2Upstream(),
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
    this.h2?.close();
    await this.h1?.close();
  }
}

/**
 * Endpoint clients shared by every logical service that resolves to the same address, so a peer
 * proxy serving several services is reached over one connection. Reference counted.
 */
export class EndpointClients {
  private readonly clients = new Map<string, { client: EndpointClient; refs: number }>();

  constructor(private readonly settings: UpstreamSettings) {}

  acquire(host: string, port: number, meshed: boolean): EndpointClient {
    const key = `${meshed ? 'h2' : 'h1'}|${host}|${port}`;
    let entry = this.clients.get(key);
    if (!entry) {
      entry = { client: new EndpointClient(host, port, meshed, this.settings), refs: 0 };
      this.clients.set(key, entry);
    }
    entry.refs++;
    return entry.client;
  }

  release(client: EndpointClient): void {
    const key = `${client.meshed ? 'h2' : 'h1'}|${client.host}|${client.port}`;
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
