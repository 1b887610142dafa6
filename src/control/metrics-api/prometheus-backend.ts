// The Prometheus metrics backend: the user's Prometheus scrapes the proxies (configured by `loom
// prometheus-config`, whose file_sd labels every proxy with namespace, workload and pod) and the
// metrics API asks it with PromQL instead of scraping itself.
import type { MetricsBackend, Traffic } from './backend.js';
import type { EdgeSamples } from './edges.js';
import { PrometheusClient, type VectorSample } from './prometheus-client.js';
import { CERT_EXPIRY_QUERY, edgeQueries, PROXIES_UP_QUERY, statQueries, type StatQueryName } from './promql.js';
import { rowKey, type TrafficSelector } from './stat-query.js';

export class PrometheusBackend implements MetricsBackend {
  readonly description: string;
  /** Prometheus' own scrape interval decides what a short window holds; a window without two samples shows "-". */
  readonly minWindow = { ms: 1000 };
  private readonly client: PrometheusClient;

  constructor(readonly url: string, opts: { timeoutMs?: number } = {}) {
    this.client = new PrometheusClient(url, opts.timeoutMs);
    this.description = `Prometheus at ${url}`;
  }

  start(): void {}

  stop(): void {}

  async traffic(sel: TrafficSelector, windowMs: number, at = Date.now()): Promise<Map<string, Traffic>> {
    const queries = Object.entries(statQueries(sel, windowMs)) as Array<[StatQueryName, string]>;
    // One instant for every query, so a share (successes / requests) compares like with like.
    const answers = await Promise.all(queries.map(async ([name, promql]) => [name, await this.client.query(promql, at)] as const));
    const rows = new Map<string, Traffic>();
    const row = (key: string): Traffic => {
      let traffic = rows.get(key);
      if (traffic === undefined) rows.set(key, (traffic = { requests: 0, successes: 0 }));
      return traffic;
    };
    for (const [name, samples] of answers) {
      for (const { labels, value } of samples) {
        const key = rowKey(sel, labels);
        if (key === undefined) continue;
        if (name === 'retries') row(key).retries = { ...row(key).retries, [labels.result ?? '']: Number.isFinite(value) ? value : 0 };
        else setNumber(row(key), name, value);
      }
    }
    return rows;
  }

  async proxiesUp(): Promise<Map<string, boolean>> {
    const samples = await this.client.query(PROXIES_UP_QUERY);
    return new Map(samples.map((s) => [`${s.labels.namespace ?? ''}/${s.labels.pod ?? ''}`, s.value === 1]));
  }

  async certExpiries(): Promise<Map<string, number>> {
    const samples = await this.client.query(CERT_EXPIRY_QUERY);
    return new Map(samples.map((s) => [`${s.labels.namespace ?? ''}/${s.labels.pod ?? ''}`, s.value * 1000]));
  }

  async edgeSamples(windowMs: number): Promise<EdgeSamples> {
    const q = edgeQueries(windowMs);
    const at = Date.now();
    const [outbound, clients] = await Promise.all([this.client.query(q.outbound, at), this.client.query(q.clients, at)]);
    return {
      outbound: outbound.map((s) => ({ labels: s.labels, requests: s.value })),
      clients: clients.map(({ labels }: VectorSample) => ({ namespace: labels.namespace ?? '', workload: labels.workload ?? '', clientId: labels.client_id ?? '' })),
    };
  }
}

/** One query's answer into its field; NaN (a quantile of no observations) stays "no data". */
function setNumber(traffic: Traffic, name: Exclude<StatQueryName, 'retries'>, value: number): void {
  const known = Number.isFinite(value) ? value : undefined;
  switch (name) {
    case 'requests':
    case 'successes':
      traffic[name] = known ?? 0;
      return;
    case 'p50':
    case 'p95':
    case 'p99':
      traffic.latencyMs = { p50: undefined, p95: undefined, p99: undefined, ...traffic.latencyMs, [name]: known };
      return;
    default:
      if (known !== undefined) traffic[name] = known;
  }
}
