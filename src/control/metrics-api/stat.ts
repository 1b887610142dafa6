// `loom stat`: golden signals per namespace, workload, pod or service over a window — success rate,
// requests per second, latency percentiles — plus open TCP connections and bytes per second, from
// whichever backend holds the metrics. Undefined means "no data", never a pretend zero.
import { coveredSeconds, type MetricsBackend, type Traffic } from './backend.js';
import { resources, type Inventory, type Resource } from './inventory.js';
import { trafficSelector, type StatKind, type StatQuery } from './stat-query.js';

export interface StatRow {
  kind: StatKind;
  namespace: string;
  name: string;
  /** A pod's workload. */
  workload?: string;
  /** Pods whose proxy answered its latest scrape, of the pods behind the resource. */
  meshed: { up: number; total: number };
  /** Responses in the window; 0 means no traffic, and the fields below are then undefined. */
  requests: number;
  successRate?: number;
  rps?: number;
  latencyMs?: { p50: number | undefined; p95: number | undefined; p99: number | undefined };
  tcpConnections?: number;
  readBytesPerSec?: number;
  writeBytesPerSec?: number;
}

export async function stat(backend: MetricsBackend, inventory: Inventory, q: StatQuery): Promise<StatRow[]> {
  const found = resources(inventory, q.kind, q.namespace, q.name);
  // Asked even with nothing to show, so a backend that cannot answer says so rather than "no such resource".
  const [traffic, up] = await Promise.all([found.length > 0 ? backend.traffic(trafficSelector(q), q.windowMs, q.at) : new Map<string, Traffic>(), backend.proxiesUp()]);
  return found.map((r) => statRow(r, traffic.get(`${r.namespace}/${r.name}`), up, q.windowMs));
}

function statRow(resource: Resource, traffic: Traffic | undefined, up: ReadonlyMap<string, boolean>, windowMs: number): StatRow {
  const { kind, namespace, name, pods } = resource;
  const meshed = { up: pods.filter((p) => up.get(`${p.namespace}/${p.pod}`) === true).length, total: pods.length };
  const workload = kind === 'pod' ? pods[0]?.workload : undefined;
  const row: StatRow = { kind, namespace, name, ...(workload !== undefined ? { workload } : {}), meshed, requests: traffic?.requests ?? 0 };
  if (traffic === undefined) return row;
  const seconds = coveredSeconds(traffic, windowMs);
  if (traffic.tcpConnections !== undefined) row.tcpConnections = traffic.tcpConnections;
  if (traffic.readBytes !== undefined) row.readBytesPerSec = traffic.readBytes / seconds;
  if (traffic.writeBytes !== undefined) row.writeBytesPerSec = traffic.writeBytes / seconds;
  if (traffic.requests <= 0) return row;
  // Prometheus extrapolates each series on its own, so a share can land a hair above 1.
  row.successRate = Math.min(1, traffic.successes / traffic.requests);
  row.rps = traffic.requests / seconds;
  if (traffic.latencyMs) row.latencyMs = traffic.latencyMs;
  return row;
}
