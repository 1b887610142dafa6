// What a `loom stat` query measures, the same for every metrics backend: which proxy metrics it reads
// (inbound or outbound, which labels must match) and which labels name its rows. Linkerd's semantics:
// - a namespace, workload or pod: what its own inbound proxies served;
// - a service: what meshed clients' outbound proxies sent to it (a service has no proxy of its own);
// - --to R: what the stat'd resources sent to R, from their own outbound proxies;
// - --from R: what the stat'd resources received from R, from R's outbound proxies (the inbound side
//   knows the caller only by identity), so the rows are named by the dst_* labels discovery adds.

/** What a row aggregates: every pod of a namespace, of a workload, one pod, or the pods behind a service. */
export type StatKind = 'namespace' | 'workload' | 'pod' | 'service';

export const STAT_KINDS: readonly StatKind[] = ['namespace', 'workload', 'pod', 'service'];

/** A resource named by --to or --from; without a name, every resource of the kind in the namespace. */
export interface ResourceRef {
  kind: StatKind;
  namespace: string;
  name?: string;
}

export interface StatQuery {
  kind: StatKind;
  /** undefined: every namespace. */
  namespace?: string;
  /** undefined: every resource of the kind. */
  name?: string;
  /** Only what the stat'd resources sent to this one. */
  to?: ResourceRef;
  /** Only what the stat'd resources received from this one (never a service: it sends nothing). */
  from?: ResourceRef;
  windowMs: number;
  /** The window ends here (ms since the epoch) rather than now: a chart's past points. */
  at?: number;
}

/** Label equalities, all of which a series must carry; a label may repeat, and then nothing matches unless the values agree. */
export type LabelMatch = ReadonlyArray<readonly [label: string, value: string]>;

/** Which HTTP metrics a selector reads: the proxy's (`response_total` ...) or a route's, per request or per attempt. */
export type HttpFamily = '' | 'route_' | 'route_actual_';

export interface TrafficSelector {
  direction: 'inbound' | 'outbound';
  match: LabelMatch;
  /** Label values that must start with the given text (a service's `dst` with any cluster domain and port). */
  prefixes?: LabelMatch;
  /**
   * The labels naming a row's namespace and name (the same label for namespaces); routes use dst and
   * rt_route. With `peer`, a row is a pair: the service graph's edges are source workload > destination.
   */
  groupBy: { namespace: string; name: string; peer?: { namespace: string; name: string } };
  /** Open connections and bytes: the peer this side of the proxy talks to. Route families have no TCP metrics. */
  tcpPeer: 'src' | 'dst';
  /** The metric-name prefix of the HTTP families; '' (the default) for the proxy-wide ones. */
  family?: HttpFamily;
}

type KindLabels = Record<StatKind, string | undefined>;

/** How a reporting proxy's own labels (added by the scraper or Prometheus' file_sd) name each kind. */
const SOURCE: KindLabels = { namespace: 'namespace', workload: 'workload', pod: 'pod', service: undefined };
/** How outbound metrics name the destination (discovery's endpoint labels, prefixed dst_). */
const DESTINATION: KindLabels = { namespace: 'dst_namespace', workload: 'dst_deployment', pod: 'dst_pod', service: 'dst_service' };

export function trafficSelector(q: StatQuery): TrafficSelector {
  const self = { kind: q.kind, namespace: q.namespace, name: q.name };
  if (q.from) {
    if (q.from.kind === 'service') throw new Error('a service sends no traffic: --from takes a namespace, workload or pod');
    return outbound([...match(SOURCE, q.from), ...match(DESTINATION, self)], group(DESTINATION, q.kind));
  }
  if (q.kind === 'service') return outbound([...match(DESTINATION, self), ...(q.to ? match(DESTINATION, q.to) : [])], group(DESTINATION, 'service'));
  if (q.to) return outbound([...match(SOURCE, self), ...match(DESTINATION, q.to)], group(SOURCE, q.kind));
  return { direction: 'inbound', match: match(SOURCE, self), groupBy: group(SOURCE, q.kind), tcpPeer: 'src' };
}

function outbound(labels: LabelMatch, groupBy: TrafficSelector['groupBy']): TrafficSelector {
  return { direction: 'outbound', match: labels, groupBy, tcpPeer: 'dst' };
}

function match(table: KindLabels, r: { kind: StatKind; namespace?: string | undefined; name?: string | undefined }): LabelMatch {
  const pairs: Array<readonly [string, string]> = [];
  if (r.namespace !== undefined) pairs.push([table.namespace as string, r.namespace]);
  if (r.name !== undefined) pairs.push([labelOf(table, r.kind), r.name]);
  return pairs;
}

function group(table: KindLabels, kind: StatKind): TrafficSelector['groupBy'] {
  return { namespace: table.namespace as string, name: labelOf(table, kind) };
}

function labelOf(table: KindLabels, kind: StatKind): string {
  const label = table[kind];
  if (label === undefined) throw new Error(`no proxy reports as a ${kind}`);
  return label;
}

/** Whether a series' labels pass the selector's direction, every equality and every prefix. */
export function selects(sel: TrafficSelector, labels: Readonly<Record<string, string>>): boolean {
  return (
    labels.direction === sel.direction &&
    sel.match.every(([label, value]) => labels[label] === value) &&
    (sel.prefixes ?? []).every(([label, prefix]) => labels[label]?.startsWith(prefix) === true)
  );
}

/** The row a series belongs to: `namespace/name`, or undefined when it lacks either label. */
export function rowKey(sel: TrafficSelector, labels: Readonly<Record<string, string>>): string | undefined {
  const namespace = labels[sel.groupBy.namespace];
  const name = labels[sel.groupBy.name];
  if (namespace === undefined || name === undefined) return undefined;
  const { peer } = sel.groupBy;
  if (peer === undefined) return `${namespace}/${name}`;
  const peerNamespace = labels[peer.namespace];
  const peerName = labels[peer.name];
  return peerNamespace === undefined || peerName === undefined ? undefined : `${namespace}/${name}>${peerNamespace}/${peerName}`;
}

/** Source workload > destination workload, from the sources' outbound proxies: the service graph's edges. */
export function workloadEdgeSelector(namespace: string | undefined): TrafficSelector {
  const self = namespace === undefined ? [] : match(SOURCE, { kind: 'namespace', namespace });
  return { direction: 'outbound', match: self, groupBy: { ...group(SOURCE, 'workload'), peer: group(DESTINATION, 'workload') }, tcpPeer: 'dst' };
}
