// `loom stat` from the embedded store: golden signals from the inbound proxy metrics of a namespace,
// workload or pod over a window — success rate, requests per second, latency percentiles — plus open
// TCP connections and bytes per second. Undefined means "no data", never a pretend zero.
import { histogramQuantile, type Bucket } from './quantile.js';
import { increase, latest, type Series, type SeriesStore } from './series-store.js';

/** What a row aggregates: every pod of a namespace, of a workload, or one pod. */
export type StatKind = 'namespace' | 'workload' | 'pod';

export interface StatQuery {
  kind: StatKind;
  /** undefined: every namespace. */
  namespace?: string;
  /** undefined: every resource of the kind. */
  name?: string;
  windowMs: number;
  now: number;
}

export interface WorkloadTarget {
  namespace: string;
  workload: string;
  pod: string;
  /** The proxy answered its last scrape. */
  up: boolean;
}

export interface StatRow {
  kind: StatKind;
  namespace: string;
  name: string;
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

export function stat(store: SeriesStore, targets: readonly WorkloadTarget[], q: StatQuery): StatRow[] {
  // The kind is also the label (and WorkloadTarget field) that names the row.
  const label = q.kind;
  const groups = new Map<string, WorkloadTarget[]>();
  for (const t of targets) {
    if ((q.namespace !== undefined && t.namespace !== q.namespace) || (q.name !== undefined && t[label] !== q.name)) continue;
    const key = `${t.namespace}/${t[label]}`;
    groups.set(key, [...(groups.get(key) ?? []), t]);
  }
  return [...groups.values()]
    .map((pods) => statRow(store, pods, q))
    .sort((a, b) => a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name));
}

function statRow(store: SeriesStore, pods: WorkloadTarget[], q: StatQuery): StatRow {
  const label = q.kind;
  const first = pods[0] as WorkloadTarget;
  const { namespace } = first;
  const name = first[label];
  const ofWorkload = (extra: Record<string, string>) => (l: Readonly<Record<string, string>>) =>
    l.namespace === namespace && l[label] === name && Object.entries(extra).every(([k, v]) => l[k] === v);
  const sum = (series: Series[]): number => series.reduce((n, s) => n + (increase(s, q.windowMs, q.now) ?? 0), 0);
  const seconds = q.windowMs / 1000;
  const responses = store.select('response_total', ofWorkload({ direction: 'inbound' }));
  const requests = sum(responses);
  const row: StatRow = { kind: q.kind, namespace, name, meshed: { up: pods.filter((p) => p.up).length, total: pods.length }, requests };
  const tcp = store.select('tcp_open_connections', ofWorkload({ direction: 'inbound', peer: 'src' }));
  const open = tcp.map((s) => latest(s, q.windowMs, q.now)).filter((v) => v !== undefined);
  if (open.length > 0) row.tcpConnections = open.reduce((a, b) => a + b, 0);
  const read = store.select('tcp_read_bytes_total', ofWorkload({ direction: 'inbound', peer: 'src' }));
  const written = store.select('tcp_write_bytes_total', ofWorkload({ direction: 'inbound', peer: 'src' }));
  if (read.length > 0) row.readBytesPerSec = sum(read) / seconds;
  if (written.length > 0) row.writeBytesPerSec = sum(written) / seconds;
  if (requests === 0) return row;
  row.successRate = sum(responses.filter((s) => s.labels.classification === 'success')) / requests;
  row.rps = requests / seconds;
  const buckets = latencyBuckets(store.select('response_latency_ms_bucket', ofWorkload({ direction: 'inbound' })), q);
  row.latencyMs = { p50: histogramQuantile(0.5, buckets), p95: histogramQuantile(0.95, buckets), p99: histogramQuantile(0.99, buckets) };
  return row;
}

/** Bucket increases summed over every series by `le`. */
function latencyBuckets(series: Series[], q: StatQuery): Bucket[] {
  const byLe = new Map<number, number>();
  for (const s of series) {
    const le = s.labels.le === '+Inf' ? Infinity : Number(s.labels.le);
    if (Number.isNaN(le)) continue;
    byLe.set(le, (byLe.get(le) ?? 0) + (increase(s, q.windowMs, q.now) ?? 0));
  }
  return [...byLe].map(([le, count]) => ({ le, count }));
}
