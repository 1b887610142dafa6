// Feeds the control plane's indexes from the local platform's files: the endpoints `loom up`
// publishes and the resources `loom apply` stores. Re-read on every change; the indexes turn whole
// tables into incremental updates for their watchers.
import { mkdirSync, watch } from 'node:fs';
import { join } from 'node:path';
import type { DtabStore } from '../../control/dtab/dtab-store.js';
import type { EndpointIndex } from '../../control/index/endpoint-index.js';
import type { PolicyIndex } from '../../control/index/policy-index.js';
import type { Resource } from '../../resources/index.js';
import type { ScrapeTarget } from '../../control/metrics-api/scraper.js';
import type { TapTarget } from '../../control/tap/proxy-tap.js';
import { FileDtabStore } from './dtab-files.js';
import { ENDPOINTS_FILE, readEndpoints } from './endpoint-file.js';
import { readProxies } from './proxy-file.js';
import { ResourceStore } from './resource-store.js';

export class LocalPlatformSource {
  private readonly store: ResourceStore;
  private known = new Set<string>();
  private closers: (() => void)[] = [];
  private dtabStore: FileDtabStore | undefined;

  constructor(
    private readonly stateDir: string,
    private readonly index: EndpointIndex,
    private readonly policies: PolicyIndex,
  ) {
    this.store = new ResourceStore(join(stateDir, 'resources'));
  }

  start(): void {
    mkdirSync(this.stateDir, { recursive: true });
    this.syncEndpoints();
    this.syncPolicies();
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
    this.closers = [() => watcher.close(), () => clearInterval(poll), () => clearTimeout(timer), this.store.watch(() => this.syncPolicies())];
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

  /** The dtabs `loom dtab` edits, kept in <stateDir>/dtabs; loaded on first use. */
  dtabs(): DtabStore {
    this.dtabStore ??= new FileDtabStore(join(this.stateDir, 'dtabs'));
    return this.dtabStore;
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

  private syncPolicies(): void {
    const of = <K extends Resource['kind']>(kind: K) => this.store.list(kind).filter((r): r is Extract<Resource, { kind: K }> => r.kind === kind);
    this.policies.replaceResources({ httpRoutes: of('HTTPRoute'), grpcRoutes: of('GRPCRoute'), profiles: of('ServiceProfile') });
  }
}
