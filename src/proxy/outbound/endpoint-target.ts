// The per-endpoint service a concrete target's balancer picks: the shared connection to the endpoint plus the metric
// handles for this (service, endpoint) pair, built once when discovery adds the endpoint.
import type { Endpoint } from '../discovery/types.js';
import type { EndpointClient, EndpointClients } from '../endpoint/endpoint-client.js';
import type { RequestTarget } from '../http/types.js';
import type { HttpMetrics } from '../metrics/http-metrics.js';
import type { TcpMetrics } from '../metrics/tcp-metrics.js';
import type { ProxyMetrics } from '../metrics/proxy-metrics.js';

export class EndpointTarget {
  readonly client: EndpointClient;
  readonly http: HttpMetrics;
  readonly tcp: TcpMetrics;
  /** What telemetry and taps say of this endpoint. */
  readonly target: RequestTarget;

  constructor(
    readonly endpoint: Endpoint,
    authority: string,
    clients: EndpointClients,
    metrics: ProxyMetrics,
  ) {
    this.client = clients.acquire(endpoint);
    const labels = endpointLabels('outbound', authority, endpoint, this.client.tlsLabels);
    this.http = metrics.http(labels);
    this.tcp = metrics.tcp({ ...labels, peer: 'dst' });
    this.target = { addr: endpoint.addr, identity: this.client.tlsLabels.server_id ?? '', labels: endpoint.labels };
  }
}

/** Linkerd's label set for traffic to one endpoint: target_*, tls, and dst_* from discovery. */
export function endpointLabels(
  direction: 'inbound' | 'outbound',
  authority: string,
  endpoint: Endpoint,
  tls: Readonly<Record<string, string>>,
): Record<string, string> {
  const labels: Record<string, string> = {
    direction,
    authority,
    target_addr: endpoint.addr,
    target_ip: endpoint.host,
    target_port: String(endpoint.port),
    ...tls,
  };
  for (const [key, value] of Object.entries(endpoint.labels)) labels[`dst_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`] = value;
  return labels;
}
