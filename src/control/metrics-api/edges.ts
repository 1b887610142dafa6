// `loom edges`: who calls whom among workloads over a window, and with which verified identities.
// The caller's outbound metrics name the destination (dst_* labels from discovery) and the identity
// the server proved (server_id); the callee's inbound metrics confirm the client's identity.
import type { Inventory } from './inventory.js';

/** What edges are computed from, whichever backend holds the metrics. */
export interface EdgeSamples {
  /** Outbound responses in the window by label set (the caller's namespace and workload, dst_*, tls, server_id ...). */
  outbound: Array<{ labels: Readonly<Record<string, string>>; requests: number }>;
  /** Verified client identities the workloads' inbound proxies recorded in the window. */
  clients: Array<{ namespace: string; workload: string; clientId: string }>;
}

export interface EdgeTarget {
  namespace: string;
  workload: string;
  identity?: string;
}

export interface Edge {
  srcNamespace: string;
  src: string;
  dstNamespace: string;
  dst: string;
  /** Both ends proved their identities over mTLS. */
  secured: boolean;
  clientId?: string;
  serverId?: string;
  /** Why the edge is not secured (Linkerd's no_tls_reason). */
  notSecuredReason?: string;
  requests: number;
}

/** Who each meshed workload is: the pods' workloads and the identities their proxies prove. */
export function edgeTargets(inventory: Inventory): EdgeTarget[] {
  return inventory.pods().map((p) => ({ namespace: p.namespace, workload: p.workload, ...(p.identity ? { identity: p.identity } : {}) }));
}

export function edges(samples: EdgeSamples, targets: readonly EdgeTarget[], q: { namespace?: string }): Edge[] {
  const identityOf = new Map(targets.map((t) => [`${t.namespace}/${t.workload}`, t.identity]));
  const seen = new Set(samples.clients.map((c) => `${c.namespace}/${c.workload}/${c.clientId}`));
  const found = new Map<string, Edge>();
  for (const { labels, requests } of samples.outbound) {
    if (requests <= 0) continue;
    const srcNamespace = labels.namespace ?? '';
    const dstNamespace = labels.dst_namespace ?? srcNamespace;
    const dst = labels.dst_deployment ?? labels.authority ?? '';
    if (q.namespace !== undefined && srcNamespace !== q.namespace && dstNamespace !== q.namespace) continue;
    const src = labels.workload ?? '';
    const key = `${srcNamespace}/${src}>${dstNamespace}/${dst}`;
    const secured = labels.tls === 'true';
    const identity = identityOf.get(`${srcNamespace}/${src}`);
    // The caller's identity counts once the destination's inbound metrics recorded it as a verified client.
    const clientId = secured && identity !== undefined && seen.has(`${dstNamespace}/${dst}/${identity}`) ? identity : undefined;
    const edge = found.get(key) ?? {
      srcNamespace,
      src,
      dstNamespace,
      dst,
      secured: secured && clientId !== undefined,
      ...(clientId ? { clientId } : {}),
      ...(labels.server_id ? { serverId: labels.server_id } : {}),
      ...(secured ? (clientId ? {} : { notSecuredReason: 'client identity not seen at the destination' }) : { notSecuredReason: labels.no_tls_reason ?? 'no_identity' }),
      requests: 0,
    };
    edge.requests += requests;
    found.set(key, edge);
  }
  return [...found.values()].sort((a, b) => `${a.srcNamespace}/${a.src}/${a.dst}`.localeCompare(`${b.srcNamespace}/${b.src}/${b.dst}`));
}
