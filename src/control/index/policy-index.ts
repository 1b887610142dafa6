// The resources that shape client policies (HTTPRoutes, GRPCRoutes, ServiceProfiles) and the dtabs in
// force, with watchers per (logical name, dtab namespace): what GetProfile streams. Platforms replace
// whole sets; a watcher hears only when its own policy's JSON changed.
import { clientPolicyFor, isEmptyPolicy, type ClientPolicy, type PolicyDtab, type PolicySources } from '../../routing/client-policy.js';
import { parseServiceName } from '../../routing/service-name.js';

export interface PolicyUpdate {
  /** '' when nothing applies to the name. */
  readonly json: string;
  readonly policy: ClientPolicy;
  readonly opaque: boolean;
}

export type PolicyWatcher = (update: PolicyUpdate) => void;

interface Watch {
  readonly name: string;
  readonly dtabNamespace: string;
  readonly watcher: PolicyWatcher;
  last: string | undefined;
}

const NO_SOURCES: PolicySources = { httpRoutes: [], grpcRoutes: [], profiles: [] };

export class PolicyIndex {
  private sources: PolicySources = NO_SOURCES;
  private readonly dtabs = new Map<string, PolicyDtab>();
  private readonly watches = new Set<Watch>();

  replaceResources(sources: PolicySources): void {
    this.sources = sources;
    this.notify();
  }

  /** Sets (or, with undefined, removes) the dtab of a dtab namespace. */
  setDtab(namespace: string, dtab: PolicyDtab | undefined): void {
    if (dtab) this.dtabs.set(namespace, dtab);
    else this.dtabs.delete(namespace);
    this.notify();
  }

  policy(name: string, dtabNamespace: string): PolicyUpdate {
    const policy = clientPolicyFor(name, this.sources, this.dtabs.get(dtabNamespace));
    const service = parseServiceName(name);
    const profile = policy.profile;
    const opaque = service !== undefined && profile !== undefined && profile.spec.opaquePorts.includes(service.port);
    return { policy, opaque, json: isEmptyPolicy(policy) ? '' : JSON.stringify(policy) };
  }

  get sourcesInForce(): PolicySources {
    return this.sources;
  }

  /** Sends the current policy now, then each change, until the returned function is called. */
  watch(name: string, dtabNamespace: string, watcher: PolicyWatcher): () => void {
    const watch: Watch = { name, dtabNamespace, watcher, last: undefined };
    this.watches.add(watch);
    this.send(watch);
    return () => this.watches.delete(watch);
  }

  private notify(): void {
    for (const watch of this.watches) this.send(watch);
  }

  private send(watch: Watch): void {
    const update = this.policy(watch.name, watch.dtabNamespace);
    const key = `${update.opaque ? 1 : 0}${update.json}`;
    if (key === watch.last) return;
    watch.last = key;
    watch.watcher(update);
  }
}
