// The embedded backend's answers, computed from the series store the way the PromQL backend asks
// Prometheus: increases over the window summed by row, quantiles from the summed bucket increases,
// open connections from the newest sample.
import type { Traffic } from './backend.js';
import type { EdgeSamples } from './edges.js';
import { histogramQuantile, type Bucket } from './quantile.js';
import { increase, latest, type Series, type SeriesStore } from './series-store.js';
import { rowKey, selects, type TrafficSelector } from './stat-query.js';

export function storeTraffic(store: SeriesStore, sel: TrafficSelector, windowMs: number, now: number): Map<string, Traffic> {
  const rows = new Map<string, Traffic>();
  const row = (key: string): Traffic => {
    let traffic = rows.get(key);
    if (traffic === undefined) rows.set(key, (traffic = { requests: 0, successes: 0 }));
    return traffic;
  };
  const grow = (s: Series): number => increase(s, windowMs, now) ?? 0;
  const family = sel.family ?? '';
  for (const [s, key] of grouped(store, `${family}response_total`, sel, (l) => selects(sel, l))) {
    const traffic = row(key);
    const n = grow(s);
    traffic.requests += n;
    traffic.coveredMs = Math.max(traffic.coveredMs ?? 0, covered(s, windowMs, now));
    if (s.labels.classification === 'success') traffic.successes += n;
  }
  const buckets = new Map<string, Map<number, number>>();
  for (const [s, key] of grouped(store, `${family}response_latency_ms_bucket`, sel, (l) => selects(sel, l))) {
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    if (Number.isNaN(le)) continue;
    const byLe = buckets.get(key) ?? new Map<number, number>();
    byLe.set(le, (byLe.get(le) ?? 0) + grow(s));
    buckets.set(key, byLe);
  }
  for (const [key, byLe] of buckets) {
    const counts: Bucket[] = [...byLe].map(([le, count]) => ({ le, count }));
    row(key).latencyMs = { p50: histogramQuantile(0.5, counts), p95: histogramQuantile(0.95, counts), p99: histogramQuantile(0.99, counts) };
  }
  if (family === 'route_') {
    for (const [s, key] of grouped(store, 'route_retry_total', sel, (l) => selects(sel, l))) {
      const retries = (row(key).retries ??= {});
      const result = s.labels.result ?? '';
      retries[result] = (retries[result] ?? 0) + grow(s);
    }
  }
  // Connections belong to the proxy, not to a route.
  if (family !== '') return rows;
  const tcp = (l: Readonly<Record<string, string>>): boolean => selects(sel, l) && l.peer === sel.tcpPeer;
  for (const [s, key] of grouped(store, 'tcp_open_connections', sel, tcp)) {
    const open = latest(s, windowMs, now);
    if (open !== undefined) row(key).tcpConnections = (row(key).tcpConnections ?? 0) + open;
  }
  for (const [s, key] of grouped(store, 'tcp_read_bytes_total', sel, tcp)) row(key).readBytes = (row(key).readBytes ?? 0) + grow(s);
  for (const [s, key] of grouped(store, 'tcp_write_bytes_total', sel, tcp)) row(key).writeBytes = (row(key).writeBytes ?? 0) + grow(s);
  return rows;
}

/** Series of `name` passing `match`, each with its row key (those without one left out). */
function grouped(store: SeriesStore, name: string, sel: TrafficSelector, match: (l: Readonly<Record<string, string>>) => boolean): Array<[Series, string]> {
  return store.select(name, match).flatMap((s) => {
    const key = rowKey(sel, s.labels);
    return key === undefined ? [] : [[s, key] as [Series, string]];
  });
}

/** Outbound responses with traffic in the window, and the verified clients inbound proxies saw in it. */
export function storeEdgeSamples(store: SeriesStore, windowMs: number, now: number): EdgeSamples {
  const outbound = store
    .select('response_total', (l) => l.direction === 'outbound')
    .map((s) => ({ labels: s.labels, requests: increase(s, windowMs, now) ?? 0 }))
    .filter((o) => o.requests > 0);
  const clients = store
    .select('request_total', (l) => l.direction === 'inbound' && l.client_id !== undefined && l.client_id !== '')
    .filter((s) => latest(s, windowMs, now) !== undefined)
    .map((s) => ({ namespace: s.labels.namespace ?? '', workload: s.labels.workload ?? '', clientId: s.labels.client_id ?? '' }));
  return { outbound, clients };
}

/** From the first to the last sample inside (now - windowMs, now]: the span an increase() counts over. */
function covered(s: Series, windowMs: number, now: number): number {
  const inWindow = s.times.filter((t) => t >= now - windowMs && t <= now);
  return inWindow.length < 2 ? 0 : (inWindow.at(-1) as number) - (inWindow[0] as number);
}

/** Each pod's proxy certificate expiry (ms since the epoch) from its newest sample within `maxAgeMs`. */
export function storeCertExpiries(store: SeriesStore, maxAgeMs: number, now: number): Map<string, number> {
  const expiries = new Map<string, number>();
  for (const series of store.select('identity_cert_expiration_timestamp_seconds')) {
    const seconds = latest(series, maxAgeMs, now);
    if (seconds !== undefined && seconds > 0) expiries.set(`${series.labels.namespace ?? ''}/${series.labels.pod ?? ''}`, seconds * 1000);
  }
  return expiries;
}
