// Feeds the control plane's indexes from the local platform's files: the endpoints `loom up`
// publishes and the resources `loom apply` stores. Re-read on every change; the indexes turn whole
// tables into incremental updates for their watchers.
import { mkdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { EndpointIndex } from '../../control/index/endpoint-index.js';
import type { ProfileIndex } from '../../control/index/profile-index.js';
import type { ScrapeTarget } from '../../control/metrics-api/scraper.js';
import type { TapTarget } from '../../control/tap/proxy-tap.js';
import { ENDPOINTS_FILE, readEndpoints } from './endpoint-file.js';
import { readProxies } from './proxy-file.js';
import { ResourceStore } from './resource-store.js';

export class LocalPlatformSource {
  private readonly store: ResourceStore;
  private known = new Set<string>();
  private closers: (() => void)[] = [];

  constructor(
    private readonly stateDir: string,
    private readonly index: EndpointIndex,
    private readonly profiles: ProfileIndex,
  ) {
    this.store = new ResourceStore(join(stateDir, 'resources'));
  }

  start(): void {
    mkdirSync(this.stateDir, { recursive: true });
    this.syncEndpoints();
    this.syncProfiles();
    let timer: NodeJS.Timeout | undefined;
    const watcher = watch(this.stateDir, (_event, file) => {
      if (file !== ENDPOINTS_FILE) return;
      clearTimeout(timer);
      timer = setTimeout(() => this.syncEndpoints(), 10);
    });
    watcher.on('error', () => undefined);
    // A rename-over can be missed by a directory watch on some filesystems: poll as a safety net.
    const poll = setInterval(() => this.syncEndpoints(), 1000);
    poll.unref();
    this.closers = [() => watcher.close(), () => clearInterval(poll), () => clearTimeout(timer), this.store.watch(() => this.syncProfiles())];
  }

  /** Every replica's proxy, for the metrics API; read fresh at each scrape. */
  scrapeTargets(): ScrapeTarget[] {
    return readProxies(this.stateDir).map((p) => ({
      url: `${p.admin}/metrics`,
      labels: { namespace: p.namespace, workload: p.workload, pod: p.pod },
      ...(p.identity ? { identity: p.identity } : {}),
    }));
  }

  /** Every replica's proxy that serves tap (over mTLS, so it must have an identity). */
  tapTargets(): TapTarget[] {
    return readProxies(this.stateDir).flatMap((p) =>
      p.tap !== undefined && p.identity !== undefined ? [{ namespace: p.namespace, workload: p.workload, pod: p.pod, tap: p.tap, identity: p.identity }] : [],
    );
  }

  stop(): void {
    for (const close of this.closers) close();
    this.closers = [];
  }

  private syncEndpoints(): void {
    const table = readEndpoints(this.stateDir);
    if (table === undefined) return;
    for (const [name, endpoints] of Object.entries(table)) this.index.setEndpoints(name, endpoints);
    for (const name of this.known) if (!(name in table)) this.index.deleteService(name);
    this.known = new Set(Object.keys(table));
  }

  private syncProfiles(): void {
    this.profiles.replaceAll(
      this.store.list('ServiceProfile').flatMap((r) =>
        r.kind === 'ServiceProfile'
          ? [{ fullyQualifiedName: r.metadata.name, opaquePorts: r.spec.opaquePorts, routes: r.spec.routes.map((route) => ({ name: route.name, ...route.condition })) }]
          : [],
      ),
    );
  }
}
