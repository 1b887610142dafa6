// The control plane's view of which addresses serve each logical service. Platforms (the local
// supervisor now, Kubernetes later) set whole endpoint sets; watchers receive incremental updates,
// the current state first. Watchers know nothing of gRPC; the Destination API translates for them.

export interface IndexedEndpoint {
  /** host:port, the endpoint's key. */
  readonly addr: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  /** A Loom proxy's inbound listener (speak HTTP/2 to it) rather than the bare app. */
  readonly meshed: boolean;
  /** The identity the endpoint's proxy proves over mTLS; absent when it has none. */
  readonly identity?: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface EndpointWatcher {
  add(endpoints: readonly IndexedEndpoint[]): void;
  remove(addrs: readonly string[]): void;
  noEndpoints(exists: boolean): void;
}

interface ServiceEntry {
  endpoints: Map<string, IndexedEndpoint>;
  watchers: Set<EndpointWatcher>;
  exists: boolean;
}

export class EndpointIndex {
  private readonly services = new Map<string, ServiceEntry>();

  /** Replaces the endpoints of `name` (host:port); watchers get only what changed. */
  setEndpoints(name: string, endpoints: readonly IndexedEndpoint[]): void {
    const entry = this.entry(name);
    const next = new Map(endpoints.map((e) => [e.addr, e]));
    const added = endpoints.filter((e) => !sameEndpoint(entry.endpoints.get(e.addr), e));
    const removed = [...entry.endpoints.keys()].filter((addr) => !next.has(addr));
    const wasKnown = entry.exists;
    entry.endpoints = next;
    entry.exists = true;
    for (const watcher of entry.watchers) {
      if (added.length > 0) watcher.add(added);
      if (removed.length > 0) watcher.remove(removed);
      if (next.size === 0 && (removed.length > 0 || !wasKnown)) watcher.noEndpoints(true);
    }
  }

  /** The service no longer exists. */
  deleteService(name: string): void {
    const entry = this.services.get(name);
    if (!entry) return;
    entry.endpoints.clear();
    entry.exists = false;
    for (const watcher of entry.watchers) watcher.noEndpoints(false);
    if (entry.watchers.size === 0) this.services.delete(name);
  }

  /** Sends the current state of `name` to `watcher`, then every change until unsubscribed. */
  watch(name: string, watcher: EndpointWatcher): () => void {
    const entry = this.entry(name);
    entry.watchers.add(watcher);
    if (entry.endpoints.size > 0) watcher.add([...entry.endpoints.values()]);
    else watcher.noEndpoints(entry.exists);
    return () => {
      entry.watchers.delete(watcher);
      if (entry.watchers.size === 0 && !entry.exists) this.services.delete(name);
    };
  }

  endpoints(name: string): IndexedEndpoint[] {
    return [...(this.services.get(name)?.endpoints.values() ?? [])];
  }

  /** Logical names that currently exist. */
  serviceNames(): string[] {
    return [...this.services].filter(([, e]) => e.exists).map(([name]) => name);
  }

  get watcherCount(): number {
    let n = 0;
    for (const entry of this.services.values()) n += entry.watchers.size;
    return n;
  }

  private entry(name: string): ServiceEntry {
    let entry = this.services.get(name);
    if (!entry) {
      entry = { endpoints: new Map(), watchers: new Set(), exists: false };
      this.services.set(name, entry);
    }
    return entry;
  }
}

function sameEndpoint(a: IndexedEndpoint | undefined, b: IndexedEndpoint): boolean {
  if (a === undefined) return false;
  if (a.host !== b.host || a.port !== b.port || a.weight !== b.weight || a.meshed !== b.meshed || a.identity !== b.identity) return false;
  const ak = Object.keys(a.labels);
  return ak.length === Object.keys(b.labels).length && ak.every((k) => a.labels[k] === b.labels[k]);
}
