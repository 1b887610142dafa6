// The sidecar: wires discovery, the inbound and outbound stacks, telemetry and the admin server
// together from one ProxyConfig, and drains them on shutdown.
import { VERSION } from '../version.js';
import { AccessLog } from './access-log.js';
import { AdminServer } from './admin/admin-server.js';
import { formatHostPort, normalizeName } from '../lib/host-port.js';
import { StaticDiscovery } from './discovery/static-source.js';
import type { Discovery } from './discovery/types.js';
import { EndpointClients } from './endpoint/endpoint-client.js';
import { formatAddr, type ProxyConfig, type SocketAddr } from './env.js';
import type { LocalIdentity } from './identity/local-identity.js';
import type { Mtls } from './identity/mtls.js';
import { InboundProxy } from './inbound/server.js';
import type { Listener } from './listener.js';
import type { Logger } from './log.js';
import { ProxyMetrics } from './metrics/proxy-metrics.js';
import { OutboundProxy } from './outbound/server.js';
import { TapHub } from './tap/tap-hub.js';
import type { TapServer } from './tap/tap-server.js';

export interface ProxyAddrs {
  inbound: SocketAddr;
  outbound: SocketAddr;
  admin: SocketAddr;
  forwards: SocketAddr[];
  /** Absent when tap is off. */
  tap?: SocketAddr;
}

const DRAIN_POLL_MS = 100;

export class Proxy {
  private readonly discovery: Discovery;
  private readonly clients: EndpointClients;
  private readonly inbound: InboundProxy;
  private readonly outbound: OutboundProxy;
  private readonly listeners: Listener[] = [];
  private readonly admin: AdminServer;
  private readonly tap: TapHub;
  private readonly tapServer: TapServer | null;
  private readonly selfAddrs = new Set<string>();
  /** null when mTLS is off (no LOOM_PROXY_IDENTITY_LOCAL_NAME). */
  readonly identity: LocalIdentity | null;
  private ready = false;
  private shutdownPromise: Promise<void> | null = null;
  private resolveClosed: () => void = () => undefined;
  /** Settles once the proxy has shut down, whatever asked it to (signal, /shutdown, a test). */
  readonly closed = new Promise<void>((resolve) => {
    this.resolveClosed = resolve;
  });

  /** A proxy for `config`; loads the mTLS machinery only when the config gives it an identity. */
  static async create(config: ProxyConfig, logger: Logger, discovery?: Discovery): Promise<Proxy> {
    const metrics = new ProxyMetrics();
    const mtls = config.identityLocalName === undefined ? null : (await import('./identity/mtls.js')).createMtls(config, metrics, logger);
    const tapServer = mtls && config.tapSvcName !== undefined ? (await import('./tap/tap-server.js')).TapServer : null;
    return new Proxy(config, logger, discovery, metrics, mtls, tapServer);
  }

  private constructor(
    readonly config: ProxyConfig,
    private readonly logger: Logger,
    discovery: Discovery | undefined,
    readonly metrics: ProxyMetrics,
    mtls: Mtls | null,
    tapServer: typeof TapServer | null,
  ) {
    this.metrics.setBuildInfo(VERSION);
    this.discovery =
      discovery ??
      new StaticDiscovery({
        file: config.discoveryFile,
        inline: config.discoveryInline,
        onError: (err) => logger.error({ err: err.message }, 'discovery: keeping the last good table'),
        onReload: () => logger.info('discovery: table reloaded'),
      });
    this.identity = mtls?.identity ?? null;
    this.tap = new TapHub(config.identityLocalName ?? '');
    this.tapServer =
      tapServer && mtls && config.tapSvcName !== undefined
        ? new tapServer({ hub: this.tap, identity: mtls.identity, authorized: config.tapSvcName, handshakeTimeoutMs: config.detectTimeoutMs, logger })
        : null;
    this.clients = new EndpointClients(
      {
        connectTimeoutMs: config.connectTimeoutMs,
        responseTimeoutMs: config.responseTimeoutMs,
        upstreamIdleTimeoutMs: config.upstreamIdleTimeoutMs,
      },
      mtls?.connect ?? null,
    );
    const accessLog = config.accessLog === 'off' ? null : new AccessLog(config.accessLog);
    this.inbound = new InboundProxy({ config, metrics: this.metrics, accessLog, tap: this.tap, logger, mtls: mtls?.terminator ?? null });
    this.outbound = new OutboundProxy({
      config,
      discovery: this.discovery,
      clients: this.clients,
      metrics: this.metrics,
      accessLog,
      tap: this.tap,
      logger,
      selfAddrs: this.selfAddrs,
    });
    this.admin = new AdminServer({
      metrics: {
        render: () => {
          for (const l of this.listeners) l.countBytes();
          return this.metrics.render();
        },
      },
      logger,
      isReady: () => this.ready,
      onShutdown: () => void this.shutdown(),
      config: () => config,
      ...(this.identity ? { certificate: () => certificatePem(this.identity) } : {}),
    });
  }

  /** Binds every listener; rejects (having closed what it opened) if any address is unusable. */
  async start(): Promise<ProxyAddrs> {
    const { config } = this;
    try {
      const inbound = await this.bind(this.inbound.listener(), config.inboundAddr);
      const outbound = await this.bind(this.outbound.listener('outbound'), config.outboundAddr);
      const forwards: SocketAddr[] = [];
      for (const fwd of config.outboundTcpForwards) {
        forwards.push(await this.bind(this.outbound.listener(`tcp-forward ${fwd.target}`, normalizeName(fwd.target)), fwd.listen));
      }
      const admin = await this.admin.listen(config.adminAddr).catch((err: unknown) => {
        throw bindError('admin', config.adminAddr, err);
      });
      const tap = await this.tapServer?.listen(config.tapAddr).catch((err: unknown) => {
        throw bindError('tap', config.tapAddr, err);
      });
      if (this.identity) {
        // Not ready without a certificate: the app must not start sending before mTLS can work.
        void this.identity.start();
        const certified = await Promise.race([this.identity.ready.then(() => true), this.closed.then(() => false)]);
        if (!certified) throw new Error('stopped before the Identity API issued a certificate');
      }
      this.ready = true;
      this.logger.info({ inbound: formatAddr(inbound), outbound: formatAddr(outbound), admin: formatAddr(admin), ...(tap ? { tap: formatAddr(tap) } : {}) }, 'proxy ready');
      return { inbound, outbound, admin, forwards, ...(tap ? { tap } : {}) };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  private async bind(listener: Listener, addr: SocketAddr): Promise<SocketAddr> {
    this.listeners.push(listener);
    let bound: SocketAddr;
    try {
      bound = await listener.listen(addr);
    } catch (err) {
      throw bindError(listener.name, addr, err);
    }
    for (const host of bound.host === '0.0.0.0' || bound.host === '::' ? ['127.0.0.1', 'localhost', '::1', bound.host] : [bound.host]) {
      this.selfAddrs.add(formatHostPort(host, bound.port));
    }
    return bound;
  }

  /**
   * Graceful shutdown: stop accepting, let in-flight requests and connections finish for up to the
   * grace period, then close whatever is left. Safe to call more than once.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= this.drain().finally(() => this.resolveClosed());
    return this.shutdownPromise;
  }

  private async drain(): Promise<void> {
    this.ready = false;
    const grace = this.config.shutdownGracePeriodMs;
    this.logger.info({ gracePeriodMs: grace }, 'draining');
    for (const l of this.listeners) l.drain();
    const deadline = Date.now() + grace;
    while (Date.now() < deadline && this.listeners.some((l) => l.connections > 0)) {
      await new Promise((r) => setTimeout(r, DRAIN_POLL_MS));
      for (const l of this.listeners) l.closeIdle();
    }
    const left = this.listeners.reduce((n, l) => n + l.connections, 0);
    if (left > 0) this.logger.warn({ connections: left }, 'grace period over; closing remaining connections');
    await this.stop();
    this.logger.info('shutdown complete');
  }

  private async stop(): Promise<void> {
    for (const l of this.listeners) {
      l.drain();
      l.destroyAll();
    }
    this.outbound.close();
    this.discovery.close();
    this.identity?.stop();
    await Promise.allSettled([this.clients.closeAll(), this.inbound.close(), this.admin.close(), this.tapServer?.close()]);
  }
}

function certificatePem(identity: LocalIdentity | null): string | null {
  const credentials = identity?.credentials;
  return credentials ? credentials.leafPem + credentials.chainPem : null;
}

function bindError(name: string, addr: SocketAddr, err: unknown): Error {
  const code = (err as NodeJS.ErrnoException).code ?? '';
  return new Error(`${name} listener cannot bind ${formatAddr(addr)}: ${code} ${(err as Error).message}`, { cause: err });
}
