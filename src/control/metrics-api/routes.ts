// `loom routes`: golden signals per route of a workload or pod, as Linkerd's `viz routes` shows them.
// Routes are taken, and measured, at the caller's outbound proxy (route_* by dst and rt_route), so:
// - without --to, what the workload served: one [DEFAULT] row per authority its inbound proxies
//   answered, replaced by that authority's routes wherever meshed clients report them;
// - with --to svc/S, the routes the workload's own outbound proxies took to S.
import { DEFAULT_ROUTE } from '../../routing/route-plan.js';
import { coveredSeconds, type MetricsBackend, type Traffic } from './backend.js';
import { resources, type Inventory } from './inventory.js';
import type { HttpFamily, LabelMatch, TrafficSelector } from './stat-query.js';


export interface RoutesQuery {
  kind: 'workload' | 'pod';
  namespace: string;
  name: string;
  /** Only the routes the workload's own proxies took to this service. */
  to?: { namespace: string; service: string };
  windowMs: number;
}

/** Success, RPS and latency of some requests; undefined where there were none. */
export interface Signals {
  requests: number;
  successRate?: number;
  rps?: number;
  latencyMs?: Traffic['latencyMs'];
}

/** A route's effective signals (each request once, as its caller saw it after retries) and, from route metrics, more. */
export interface RouteRow extends Signals {
  route: string;
  /** The service the requests addressed (host[:port]): the route metrics' dst, or the authority inbound proxies saw. */
  authority: string;
  /** Every attempt, retries included; only rows from route metrics have it. */
  actual?: Signals;
  /** Chances to retry by result (retried, budget_exhausted, limit_reached, not_replayable); only rows from route metrics. */
  retries?: Record<string, number>;
}

/** The rows, or undefined when the workload or pod does not exist. */
export async function routes(backend: MetricsBackend, inventory: Inventory, q: RoutesQuery): Promise<RouteRow[] | undefined> {
  if (resources(inventory, q.kind, q.namespace, q.name).length === 0) return undefined;
  const self: LabelMatch = [['namespace', q.namespace], [q.kind, q.name]];
  if (q.to) return sorted(await measuredRoutes(backend, self, [['dst', `${q.to.service}.${q.to.namespace}.svc`]], q.windowMs));
  const [served, measured] = await Promise.all([servedAuthorities(backend, self, q.windowMs), measuredRoutes(backend, [], [], q.windowMs)]);
  const byService = new Map<string, RouteRow[]>();
  for (const row of measured) byService.set(serviceKey(row.authority), [...(byService.get(serviceKey(row.authority)) ?? []), row]);
  const replaced = new Set<string>();
  const rows = served.flatMap((row) => {
    const key = serviceKey(row.authority);
    const measuredRows = byService.get(key);
    if (measuredRows === undefined) return [row];
    // Two spellings of one service (with and without the port) take its routes once.
    if (replaced.has(key)) return [];
    replaced.add(key);
    return measuredRows;
  });
  return sorted(rows);
}

/** One [DEFAULT] row per authority the workload's inbound proxies answered in the window. */
async function servedAuthorities(backend: MetricsBackend, self: LabelMatch, windowMs: number): Promise<RouteRow[]> {
  const selector: TrafficSelector = { direction: 'inbound', match: self, groupBy: { namespace: 'namespace', name: 'authority' }, tcpPeer: 'src' };
  const traffic = await backend.traffic(selector, windowMs);
  return [...traffic]
    .map(([key, t]) => ({ route: DEFAULT_ROUTE, authority: key.slice(key.indexOf('/') + 1), ...signals(t, windowMs) }))
    .filter((r) => r.requests > 0);
}

/** Rows from the route metrics of the outbound proxies `match` picks, per dst and rt_route. */
async function measuredRoutes(backend: MetricsBackend, match: LabelMatch, prefixes: LabelMatch, windowMs: number): Promise<RouteRow[]> {
  const selector = (family: HttpFamily): TrafficSelector => ({ direction: 'outbound', match, prefixes, groupBy: { namespace: 'dst', name: 'rt_route' }, tcpPeer: 'dst', family });
  const [effective, actual] = await Promise.all([backend.traffic(selector('route_'), windowMs), backend.traffic(selector('route_actual_'), windowMs)]);
  return [...new Set([...effective.keys(), ...actual.keys()])]
    .map((key) => {
      // The key is `<dst>/<rt_route>`; an authority has no slash, a route name may ("GET /books").
      const slash = key.indexOf('/');
      const e = effective.get(key);
      const a = actual.get(key);
      const row: RouteRow = { route: key.slice(slash + 1), authority: key.slice(0, slash), ...signals(e ?? { requests: 0, successes: 0 }, windowMs) };
      row.actual = signals(a ?? { requests: 0, successes: 0 }, windowMs);
      if (e?.retries) row.retries = e.retries;
      return row;
    })
    .filter((r) => r.requests > 0 || (r.actual?.requests ?? 0) > 0);
}

export function signals(t: Traffic, windowMs: number): Signals {
  const s: Signals = { requests: t.requests };
  if (t.requests <= 0) return s;
  // Prometheus extrapolates each series on its own, so a share can land a hair above 1.
  s.successRate = Math.min(1, t.successes / t.requests);
  s.rps = t.requests / coveredSeconds(t, windowMs);
  if (t.latencyMs) s.latencyMs = t.latencyMs;
  return s;
}

/** By service, its routes by name with [DEFAULT] last, as Linkerd prints them. */
function sorted(rows: RouteRow[]): RouteRow[] {
  const rank = (r: RouteRow): number => (r.route === DEFAULT_ROUTE ? 1 : 0);
  return rows.sort((a, b) => a.authority.localeCompare(b.authority) || rank(a) - rank(b) || a.route.localeCompare(b.route));
}

/**
 * One spelling per service: clients may name it with or without the cluster domain and the default
 * port (`web.shop.svc`, `web.shop.svc.cluster.local:80`), inbound proxies see whatever they sent.
 */
export function serviceKey(authority: string): string {
  const m = /^(.*?)(?::(\d+))?$/.exec(authority.trim().toLowerCase());
  const host = (m?.[1] ?? '').replace(/\.$/, '').replace(/\.cluster\.local$/, '');
  const port = m?.[2];
  return port === undefined || port === '80' ? host : `${host}:${port}`;
}
