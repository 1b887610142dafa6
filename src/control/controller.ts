// `loom controller`: the control plane process. It serves the Destination API from its indexes (and
// the Identity API when given an issuer) and an admin port with /metrics, /ready and /live; a
// platform source keeps the indexes current.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { GrpcApiServer } from './destination/server.js';
import { DiagnoseApi } from './diagnose-api.js';
import { DtabApi } from './dtab/dtab-api.js';
import type { DtabEntry, DtabStore } from './dtab/dtab-store.js';
import { EndpointIndex } from './index/endpoint-index.js';
import { PolicyIndex } from './index/policy-index.js';
import { IdentityMetrics } from './identity/metrics.js';
import { DEFAULT_ISSUANCE_LIFETIME_MS, identityService, type IdentityServiceOptions } from './identity/service.js';
import { ControlPlaneMetrics } from './metrics.js';
import { metricsBackend } from './metrics-api/backends.js';
import { platformInventory } from './metrics-api/inventory.js';
import { MetricsApi } from './metrics-api/metrics-api.js';
import type { ScrapeTarget } from './metrics-api/scraper.js';
import { ControllerCredentials } from './tap/controller-credentials.js';
import { TapApi } from './tap/tap-api.js';
import type { TapTarget } from './tap/proxy-tap.js';
import { ServicesApi } from './services-api.js';
import { HealthApi } from './web/health-api.js';
import { DashboardFiles } from './web/static-files.js';

export interface PlatformSource {
  start(): void;
  stop(): void;
  /** The proxies to scrape for the metrics API; absent when the platform has none to offer. */
  scrapeTargets?(): ScrapeTarget[];
  /** The proxies `loom tap` may reach: where their tap port is and whom they prove to be. */
  tapTargets?(): TapTarget[];
  /** The named dtabs the dtab API serves and edits; absent when the platform keeps none. */
  dtabs?(): DtabStore;
}

/** How often the embedded metrics API scrapes every proxy. */
export const DEFAULT_SCRAPE_INTERVAL_MS = 5000;

export type IdentityConfig = Omit<IdentityServiceOptions, 'metrics'>;

export class Controller {
  readonly index = new EndpointIndex();
  readonly policies = new PolicyIndex();
  readonly metrics = new ControlPlaneMetrics(this.index);
  private readonly grpc: GrpcApiServer;
  private readonly admin: http.Server;
  private source: PlatformSource | undefined;
  private metricsApi: MetricsApi | undefined;
  private tapApi: TapApi | undefined;
  private dtabApi: DtabApi | undefined;
  private diagnoseApi: DiagnoseApi | undefined;
  private servicesApi: ServicesApi | undefined;
  private readonly healthApi: HealthApi;
  private readonly dashboard = new DashboardFiles();
  private stopDtabs: (() => void) | undefined;
  /** The controller's own identity, for tapping proxies; absent without an issuer. */
  private readonly credentials: ControllerCredentials | undefined;

  /** With `identity`, the gRPC listener serves the Identity API too. */
  constructor(
    identity?: IdentityConfig,
    private readonly metricsOptions: { scrapeIntervalMs?: number; prometheusUrl?: string; grafanaUrl?: string } = {},
  ) {
    this.credentials = identity && new ControllerCredentials(identity.issuer);
    const certify = identity && identityService({ ...identity, metrics: new IdentityMetrics(this.metrics.registry) });
    this.grpc = new GrpcApiServer(this.index, this.metrics, this.policies, certify);
    this.healthApi = new HealthApi({
      metrics: () => this.metricsApi,
      startedAt: new Date(),
      liveEveryMs: metricsOptions.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS,
      ...(identity ? { issuerNotAfter: identity.issuer.issuerNotAfter, issuanceLifetimeMs: identity.lifetimeMs ?? DEFAULT_ISSUANCE_LIFETIME_MS } : {}),
      links: {
        ...(metricsOptions.prometheusUrl ? { prometheus: metricsOptions.prometheusUrl } : {}),
        ...(metricsOptions.grafanaUrl ? { grafana: metricsOptions.grafanaUrl } : {}),
      },
    });
    this.admin = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/metrics') {
        void this.metrics.render().then((text) => {
          res.writeHead(200, { 'content-type': this.metrics.registry.contentType });
          res.end(text);
        });
        return;
      }
      if (this.metricsApi?.handle(req, res)) return;
      if (this.tapApi?.handle(req, res)) return;
      if (this.dtabApi?.handle(req, res)) return;
      if (this.diagnoseApi?.handle(req, res)) return;
      if (this.servicesApi?.handle(req, res)) return;
      if (this.healthApi.handle(req, res)) return;
      if (req.method === 'GET' && (req.url === '/ready' || req.url === '/live')) {
        res.end(`${req.url.slice(1)}\n`);
        return;
      }
      if (this.dashboard.handle(req, res)) return;
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify({ error: `not found: ${req.method} ${req.url}; the API is GET /metrics /ready /live /api/stat /api/edges /api/routes /api/graph /api/health /api/tap /api/1/dtabs[/<namespace>] /api/diagnose /api/services (see the README)` })}\n`);
    });
  }

  /** Binds both ports (0 picks one), then starts the platform source. */
  async start(grpcPort: number, adminPort: number, source: (c: Controller) => PlatformSource): Promise<{ grpc: number; admin: number }> {
    const grpc = await this.grpc.listen('127.0.0.1', grpcPort);
    const admin = await new Promise<number>((resolve, reject) => {
      this.admin.once('error', reject);
      this.admin.listen(adminPort, '127.0.0.1', () => resolve((this.admin.address() as AddressInfo).port));
    });
    const platform = source(this);
    this.source = platform;
    platform.start();
    this.diagnoseApi = new DiagnoseApi(this.policies, this.index);
    this.servicesApi = new ServicesApi(this.policies, this.index, this.metricsOptions.scrapeIntervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS);
    const dtabs = platform.dtabs?.();
    if (dtabs) {
      this.dtabApi = new DtabApi(dtabs);
      this.followDtabs(dtabs);
    }
    if (platform.tapTargets) this.tapApi = new TapApi(() => platform.tapTargets?.() ?? [], this.credentials);
    if (platform.scrapeTargets) {
      const targets = (): ScrapeTarget[] => platform.scrapeTargets?.() ?? [];
      const { scrapeIntervalMs = DEFAULT_SCRAPE_INTERVAL_MS, prometheusUrl } = this.metricsOptions;
      const backend = metricsBackend({ scrapeIntervalMs, ...(prometheusUrl ? { prometheusUrl } : {}) }, targets);
      this.metricsApi = new MetricsApi(backend, platformInventory(targets, this.index), scrapeIntervalMs);
      this.metricsApi.start();
    }
    return { grpc: grpc.port, admin };
  }

  /** Every dtab change reaches the policies, and through them the proxies' GetProfile streams. */
  private followDtabs(dtabs: DtabStore): void {
    const publish = (namespace: string, entry: DtabEntry | undefined): void =>
      this.policies.setDtab(namespace, entry && { namespace, text: entry.text, version: entry.version });
    for (const namespace of dtabs.list()) publish(namespace, dtabs.get(namespace));
    this.stopDtabs = dtabs.watch(publish);
  }

  /** Where `loom stat` numbers come from (embedded store or Prometheus); undefined before start(). */
  get metricsBackend(): string | undefined {
    return this.metricsApi?.backend.description;
  }

  /** The platform's named dtabs (served at /api/1/dtabs); undefined before start() or when it keeps none. */
  get dtabs(): DtabStore | undefined {
    return this.dtabApi?.store;
  }

  async stop(): Promise<void> {
    this.source?.stop();
    this.stopDtabs?.();
    this.metricsApi?.stop();
    await this.grpc.close();
    await new Promise<void>((resolve) => {
      this.admin.close(() => resolve());
      this.admin.closeAllConnections();
    });
  }
}
