// The proxy's metrics, with Linkerd's names, labels and latency buckets so existing dashboards work.
import { labelKey, type Labels } from './exposition.js';
import { HttpMetrics, type HttpFamilies } from './http-metrics.js';
import { LATENCY_BUCKETS_MS } from './latency-buckets.js';
import { ProcessMetrics } from './process.js';
import { RouteMetricsFamilies, type RouteMetrics } from './route-metrics.js';
import { Registry, type CounterChild, type GaugeChild } from './registry.js';
import { TcpMetrics, type TcpFamilies } from './tcp-metrics.js';

export { LATENCY_BUCKETS_MS } from './latency-buckets.js';

export class ProxyMetrics {
  readonly registry = new Registry();
  private readonly process = new ProcessMetrics();
  private readonly httpFamilies: HttpFamilies;
  private readonly tcpFamilies: TcpFamilies;
  private readonly tlsFailures;
  private readonly httpHandles = new Map<string, HttpMetrics>();
  private readonly tcpHandles = new Map<string, TcpMetrics>();
  private routes: RouteMetricsFamilies | undefined;

  constructor() {
    const r = this.registry;
    this.httpFamilies = {
      requestTotal: r.counter({ name: 'request_total', help: 'Total count of HTTP requests.' }),
      responseTotal: r.counter({ name: 'response_total', help: 'Total count of HTTP responses.' }),
      responseLatencyMs: r.histogram({
        name: 'response_latency_ms',
        help: 'Elapsed times between a request being received and its response, in milliseconds.',
        buckets: LATENCY_BUCKETS_MS,
      }),
    };
    this.tlsFailures = r.counter({ name: 'tls_handshake_failure_total', help: 'Total count of failed mTLS handshakes, by reason (identity_mismatch, untrusted, expired ...).' });
    this.tcpFamilies = {
      openTotal: r.counter({ name: 'tcp_open_total', help: 'Total count of opened connections.' }),
      closeTotal: r.counter({ name: 'tcp_close_total', help: 'Total count of closed connections.' }),
      openConnections: r.gauge({ name: 'tcp_open_connections', help: 'Number of currently-open connections.' }),
      readBytesTotal: r.counter({ name: 'tcp_read_bytes_total', help: 'Total count of bytes read from peers.' }),
      writeBytesTotal: r.counter({ name: 'tcp_write_bytes_total', help: 'Total count of bytes written to peers.' }),
      connectionDurationMs: r.histogram({
        name: 'tcp_connection_duration_ms',
        help: 'Connection lifetimes, in milliseconds.',
        buckets: LATENCY_BUCKETS_MS,
      }),
    };
  }

  /** The HTTP handle for a label set (direction, authority, target_*, tls, dst_* ...); equal sets share one. */
  http(labels: Labels): HttpMetrics {
    const key = labelKey(labels);
    let handle = this.httpHandles.get(key);
    if (handle === undefined) {
      handle = new HttpMetrics(this.httpFamilies, { ...labels });
      this.httpHandles.set(key, handle);
    }
    return handle;
  }

  /** The TCP handle for a label set, which should include `peer` (src or dst); equal sets share one. */
  tcp(labels: Labels): TcpMetrics {
    const key = labelKey(labels);
    let handle = this.tcpHandles.get(key);
    if (handle === undefined) {
      handle = new TcpMetrics(this.tcpFamilies, { ...labels });
      this.tcpHandles.set(key, handle);
    }
    return handle;
  }

  /** Per-route metrics (direction, dst, rt_route); the families appear once a route is used. */
  route(labels: Labels): RouteMetrics {
    this.routes ??= new RouteMetricsFamilies(this.registry);
    return this.routes.route(labels);
  }

  /** The counter of failed mTLS handshakes for a label set (direction, reason, server_id ...). */
  tlsFailure(labels: Labels): CounterChild {
    return this.tlsFailures.labels(labels);
  }

  /** The proxy's certificate: expiry time and renewals, as Linkerd names them. */
  identity(): { expirationSeconds: GaugeChild; refreshes: CounterChild } {
    const r = this.registry;
    return {
      expirationSeconds: r.gauge({ name: 'identity_cert_expiration_timestamp_seconds', help: 'Time when this proxy\'s current certificate expires, in seconds since the epoch.' }).labels({}),
      refreshes: r.counter({ name: 'identity_cert_refresh_count', help: 'Times this proxy\'s certificate has been renewed.' }).labels({}),
    };
  }

  render(): string {
    return this.registry.render() + this.process.render();
  }

  /** loom_proxy_build_info{version} 1, so `loom check` can tell every proxy runs the same build. */
  setBuildInfo(version: string): void {
    this.registry.gauge({ name: 'loom_proxy_build_info', help: 'The proxy build, as labels; always 1.' }).labels({ version }).set(1);
  }

  /** Stops the process sampler. */
  close(): void {
    this.process.close();
  }
}
