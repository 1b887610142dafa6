// `loom routes`: golden signals per route of a workload or pod, as its inbound proxies served them.
// Until routes are declared (ServiceProfiles, HTTPRoutes), every request of an authority takes its
// default route, so a row is one authority the workload answers under, named [DEFAULT] as in Linkerd.
import { coveredSeconds, type MetricsBackend, type Traffic } from './backend.js';
import { resources, type Inventory } from './inventory.js';
import type { TrafficSelector } from './stat-query.js';

export const DEFAULT_ROUTE = '[DEFAULT]';

export interface RoutesQuery {
  kind: 'workload' | 'pod';
  namespace: string;
  name: string;
  windowMs: number;
}

export interface RouteRow {
  route: string;
  /** The authority the requests addressed (host[:port]). */
  authority: string;
  requests: number;
  successRate?: number;
  rps?: number;
  latencyMs?: Traffic['latencyMs'];
}

/** The rows, or undefined when the workload or pod does not exist. */
export async function routes(backend: MetricsBackend, inventory: Inventory, q: RoutesQuery): Promise<RouteRow[] | undefined> {
  if (resources(inventory, q.kind, q.namespace, q.name).length === 0) return undefined;
  const selector: TrafficSelector = {
    direction: 'inbound',
    match: [['namespace', q.namespace], [q.kind, q.name]],
    groupBy: { namespace: 'namespace', name: 'authority' },
    tcpPeer: 'src',
  };
  const traffic = await backend.traffic(selector, q.windowMs);
  return [...traffic]
    .map(([key, t]) => routeRow(key.slice(q.namespace.length + 1), t, q.windowMs))
    .filter((r) => r.requests > 0)
    .sort((a, b) => a.authority.localeCompare(b.authority));
}

function routeRow(authority: string, t: Traffic, windowMs: number): RouteRow {
  const row: RouteRow = { route: DEFAULT_ROUTE, authority, requests: t.requests };
  if (t.requests <= 0) return row;
  row.successRate = Math.min(1, t.successes / t.requests);
  row.rps = t.requests / coveredSeconds(t, windowMs);
  if (t.latencyMs) row.latencyMs = t.latencyMs;
  return row;
}
