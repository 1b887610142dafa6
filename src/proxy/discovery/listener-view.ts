// What one listener last saw of one name, so each table change reaches it as just the difference.

import type { Endpoint, EndpointListener } from './types.js';

export class ListenerView {
  private seen = new Map<string, Endpoint>();
  // undefined until the first update: the first update always reaches the listener.
  private lastExists: boolean | undefined;

  constructor(readonly listener: EndpointListener) {}

  /** Sends add (new or changed), then remove (gone); or noEndpoints when the set is now empty. */
  update(endpoints: readonly Endpoint[], exists: boolean): void {
    if (endpoints.length === 0) {
      if (this.seen.size === 0 && this.lastExists === exists) return;
      this.seen = new Map();
      this.lastExists = exists;
      this.listener.noEndpoints(exists);
      return;
    }
    const next = new Map(endpoints.map((e) => [e.addr, e] as const));
    const added = endpoints.filter((e) => {
      const old = this.seen.get(e.addr);
      return old === undefined || !sameEndpoint(old, e);
    });
    const removed = [...this.seen.keys()].filter((addr) => !next.has(addr));
    // Recorded before calling out, so a throwing listener is not sent the same diff again.
    this.seen = next;
    this.lastExists = true;
    // Adds first: a balancer never passes through an empty set while endpoints are swapped.
    if (added.length > 0) this.listener.add(added);
    if (removed.length > 0) this.listener.remove(removed);
  }
}

export function sameEndpoint(a: Endpoint, b: Endpoint): boolean {
  if (a.host !== b.host || a.port !== b.port || a.meshed !== b.meshed || a.weight !== b.weight || a.identity !== b.identity) return false;
  const keys = Object.keys(a.labels);
  if (keys.length !== Object.keys(b.labels).length) return false;
  return keys.every((k) => Object.hasOwn(b.labels, k) && a.labels[k] === b.labels[k]);
}
