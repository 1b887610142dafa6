// The PromQL the Prometheus backend sends: instant queries of increase() over the window summed by
// row, histogram_quantile over the summed bucket increases — what the embedded store computes — so a
// user can paste them into Prometheus or Grafana and see the same numbers.
import type { LabelMatch, TrafficSelector } from './stat-query.js';

/** `{a="x",b="y"}` with PromQL string escapes; `prefixes` become `c=~"prefix.*"`. */
export function selector(pairs: LabelMatch, prefixes: LabelMatch = []): string {
  const matchers = [...pairs.map(([label, value]) => `${label}=${quote(value)}`), ...prefixes.map(([label, prefix]) => `${label}=~${quote(`${regexEscape(prefix)}.*`)}`)];
  return `{${matchers.join(',')}}`;
}

/** A literal for an RE2 regular expression (PromQL anchors it). */
function regexEscape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export function quote(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** A range in whole seconds (windows are 1s..1h), or milliseconds when not whole. */
export function range(windowMs: number): string {
  return windowMs % 1000 === 0 ? `${windowMs / 1000}s` : `${windowMs}ms`;
}

export const QUANTILES = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

type HttpQueryName = 'requests' | 'successes' | keyof typeof QUANTILES;
export type StatQueryName = HttpQueryName | 'tcpConnections' | 'readBytes' | 'writeBytes' | 'retries';
/** Every selector has the HTTP numbers; TCP and retries only where its family has them. */
export type StatQueries = Record<HttpQueryName, string> & Partial<Record<StatQueryName, string>>;

/**
 * One query per number of a stat row, each returning a vector by the selector's row labels (retries
 * also by result). Route families have no TCP queries; only `route_` has retries.
 */
export function statQueries(sel: TrafficSelector, windowMs: number): StatQueries {
  const { peer } = sel.groupBy;
  const by = [...new Set([sel.groupBy.namespace, sel.groupBy.name, ...(peer ? [peer.namespace, peer.name] : [])])].join(', ');
  const matching = (...extra: LabelMatch): string => selector([['direction', sel.direction], ...sel.match, ...extra], sel.prefixes);
  const http = matching();
  const w = range(windowMs);
  const family = sel.family ?? '';
  const quantile = (q: number): string => `histogram_quantile(${q}, sum by (le, ${by}) (increase(${family}response_latency_ms_bucket${http}[${w}])))`;
  const queries: StatQueries = {
    requests: `sum by (${by}) (increase(${family}response_total${http}[${w}]))`,
    successes: `sum by (${by}) (increase(${family}response_total${matching(['classification', 'success'])}[${w}]))`,
    p50: quantile(QUANTILES.p50),
    p95: quantile(QUANTILES.p95),
    p99: quantile(QUANTILES.p99),
  };
  if (family === 'route_') return { ...queries, retries: `sum by (${by}, result) (increase(route_retry_total${http}[${w}]))` };
  if (family !== '') return queries;
  const tcp = matching(['peer', sel.tcpPeer]);
  return {
    ...queries,
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

/** Each proxy's certificate expiry (seconds since the epoch), with the file_sd labels naming its pod. */
export const CERT_EXPIRY_QUERY = 'identity_cert_expiration_timestamp_seconds{namespace!="",pod!=""} > 0';

/** Whether each proxy answered Prometheus' latest scrape, with the file_sd labels naming its pod. */
export const PROXIES_UP_QUERY = 'up{namespace!="",pod!=""}';
