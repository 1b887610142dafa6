// A generated mesh of many workloads for scale tests: each workload's proxy is stood in by a metrics
// endpoint that serves what a real proxy would export, with counters that grow with time — inbound
// responses (one workload fails half of them), latency buckets, client identities, and outbound
// calls along a binary tree (workload i calls 2i+1 and 2i+2). A real controller scrapes them all.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScrapeTarget } from '../../src/control/metrics-api/scraper.js';

export interface GeneratedMesh {
  namespace: string;
  workloads: string[];
  /** The workload that fails half its requests. */
  failing: string;
  targets: ScrapeTarget[];
  close(): Promise<void>;
}

const RPS = 2;
const BUCKETS = [1, 2, 3, 4, 5, 10, 20, 30, 40, 50, 100];
const identity = (ns: string, w: string): string => `${w}.${ns}.serviceaccount.identity.loom.cluster.local`;

function metricsOf(ns: string, i: number, count: number, failing: number, seconds: number): string {
  const name = (k: number): string => `w-${k}`;
  const lines: string[] = [];
  const inbound = Math.floor(RPS * seconds);
  const failed = i === failing ? Math.floor(inbound / 2) : 0;
  const base = `direction="inbound",authority="${name(i)}.${ns}.svc:80",tls="true"`;
  lines.push(`response_total{${base},classification="success",status_code="200"} ${inbound - failed}`);
  lines.push(`response_total{${base},classification="failure",status_code="500"} ${failed}`);
  for (const le of BUCKETS) lines.push(`response_latency_ms_bucket{${base},le="${le}"} ${le >= 1 + (i % 5) ? inbound : 0}`);
  lines.push(`response_latency_ms_bucket{${base},le="+Inf"} ${inbound}`);
  const parent = i === 0 ? undefined : Math.floor((i - 1) / 2);
  if (parent !== undefined) lines.push(`request_total{${base},client_id="${identity(ns, name(parent))}"} ${inbound}`);
  for (const child of [2 * i + 1, 2 * i + 2]) {
    if (child >= count) continue;
    const calls = Math.floor(RPS * seconds);
    const lost = child === failing ? Math.floor(calls / 2) : 0;
    const out = `direction="outbound",authority="${name(child)}.${ns}.svc:80",tls="true",server_id="${identity(ns, name(child))}",dst_namespace="${ns}",dst_deployment="${name(child)}",dst_service="${name(child)}",dst_pod="${name(child)}-0"`;
    lines.push(`response_total{${out},classification="success",status_code="200"} ${calls - lost}`);
    lines.push(`response_total{${out},classification="failure",status_code="500"} ${lost}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function serveGeneratedMesh(count: number, namespace = 'big'): Promise<GeneratedMesh> {
  const started = Date.now();
  const failing = 7;
  const server = http.createServer((req, res) => {
    const i = Number(/^\/metrics\/(\d+)$/.exec(req.url ?? '')?.[1] ?? NaN);
    if (!(i >= 0 && i < count)) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' });
    res.end(metricsOf(namespace, i, count, failing, (Date.now() - started) / 1000));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const workloads = Array.from({ length: count }, (_, i) => `w-${i}`);
  return {
    namespace,
    workloads,
    failing: `w-${failing}`,
    targets: workloads.map((w, i) => ({ url: `http://127.0.0.1:${port}/metrics/${i}`, labels: { namespace, workload: w, pod: `${w}-0` }, identity: identity(namespace, w) })),
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
