// The PromQL the Prometheus backend sends: instant queries of increase() over the window summed by
// row, histogram_quantile over the summed bucket increases — what the embedded store computes — so a
// user can paste them into Prometheus or Grafana and see the same numbers.
import type { LabelMatch, TrafficSelector } from './stat-query.js';

/** `{a="x",b="y"}` with PromQL string escapes. */
export function selector(pairs: LabelMatch): string {
  return `{${pairs.map(([label, value]) => `${label}=${quote(value)}`).join(',')}}`;
}

export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A range in whole seconds (windows are 1s..1h), or milliseconds when not whole. */
export function range(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`;
}

export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

export type StatQueryName = 'requests' | 'successes' | keyof typeof QUANTILES | 'tcpConnections' | 'readBytes' | 'writeBytes';

/** One query per number of a stat row, each returning a vector by the selector's row labels. */
export function statQueries(sel: TrafficSelector, windowMs: number): Record<StatQueryName, string> {
  const by = [...new Set([sel.groupBy.namespace, sel.groupBy.name])].join(', ');
  const http = selector([['direction', sel.direction], ...sel.match]);
  const success = selector([['direction', sel.direction], ...sel.match, ['classification', 'success']]);
  const tcp = selector([['direction', sel.direction], ...sel.match, ['peer', sel.tcpPeer]]);
  const w = range(windowMs);
  const quantile = (q: number): string => `histogram_quantile(${q}, sum by (le, ${by}) (increase(response_latency_ms_bucket${http}[${w}])))`;
  return {
    requests: `sum by (${by}) (increase(response_total${http}[${w}]))`,
    successes: `sum by (${by}) (increase(response_total${success}[${w}]))`,
    p50: quantile(QUANTILES.p50),
    p95: quantile(QUANTILES.p95),
    p99: quantile(QUANTILES.p99),
    tcpConnections: `sum by (${by}) (tcp_open_connections${tcp})`,
    readBytes: `sum by (${by}) (increase(tcp_read_bytes_total${tcp}[${w}]))`,
    writeBytes: `sum by (${by}) (increase(tcp_write_bytes_total${tcp}[${w}]))`,
  };
}

/** The labels `loom edges` reads from outbound responses (see edges.ts). */
const EDGE_LABELS = ['namespace', 'workload', 'dst_namespace', 'dst_deployment', 'authority', 'tls', 'server_id', 'no_tls_reason'];

export function edgeQueries(windowMs: number): { outbound: string; clients: string } {
  const w = range(windowMs);
  return {
    outbound: `sum by (${EDGE_LABELS.join(', ')}) (increase(response_total{direction="outbound"}[${w}])) > 0`,
    clients: `count by (namespace, workload, client_id) (last_over_time(request_total{direction="inbound",client_id!=""}[${w}]))`,
  };
}

/** Whether each proxy answered Prometheus' latest scrape, with the file_sd labels naming its pod. */
export const PROXIES_UP_QUERY = 'up{namespace!="",pod!=""}';
