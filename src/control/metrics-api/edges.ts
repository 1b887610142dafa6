// `loom edges`: who calls whom among workloads over a window, and with which verified identities.
// The caller's outbound metrics name the destination (dst_* labels from discovery) and the identity
// the server proved (server_id); the callee's inbound metrics confirm the client's identity.
import { increase, type SeriesStore } from './series-store.js';

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

export function edges(store: SeriesStore, targets: readonly EdgeTarget[], q: { namespace?: string; windowMs: number; now: number }): Edge[] {
  const identityOf = new Map(targets.map((t) => [`${t.namespace}/${t.workload}`, t.identity]));
  const found = new Map<string, Edge>();
  for (const series of store.select('response_total', (l) => l.direction === 'outbound')) {
    const { labels } = series;
    const requests = increase(series, q.windowMs, q.now) ?? 0;
    if (requests === 0) continue;
    const srcNamespace = labels.namespace ?? '';
    const dstNamespace = labels.dst_namespace ?? srcNamespace;
    const dst = labels.dst_deployment ?? labels.authority ?? '';
    if (q.namespace !== undefined && srcNamespace !== q.namespace && dstNamespace !== q.namespace) continue;
    const src = labels.workload ?? '';
    const key = `${srcNamespace}/${src}>${dstNamespace}/${dst}`;
    const secured = labels.tls === 'true';
    const clientId = secured ? confirmedClient(store, identityOf.get(`${srcNamespace}/${src}`), dstNamespace, dst) : undefined;
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

/** The caller's identity, if the destination's inbound metrics recorded it as a verified client. */
function confirmedClient(store: SeriesStore, identity: string | undefined, namespace: string, workload: string): string | undefined {
  if (identity === undefined) return undefined;
  const seen = store.select('request_total', (l) => l.direction === 'inbound' && l.namespace === namespace && l.workload === workload && l.client_id === identity);
  return seen.length > 0 ? identity : undefined;
}
