// The service graph (application map): workloads as nodes with their golden signals, and each call
// from one workload to another as an edge with its own — what the caller's outbound proxy saw, so an
// edge's success rate is the caller's experience — and whether the hop was mutual TLS.
import type { MetricsBackend } from './backend.js';
import { edges, edgeTargets } from './edges.js';
import type { Inventory } from './inventory.js';
import { signals, type Signals } from './routes.js';
import { stat, type StatRow } from './stat.js';
import { workloadEdgeSelector } from './stat-query.js';

export interface GraphEdge extends Signals {
  srcNamespace: string;
  src: string;
  dstNamespace: string;
  dst: string;
  /** Every request of the edge went over verified mutual TLS. */
  secured: boolean;
}

export interface ServiceGraph {
  nodes: StatRow[];
  edges: GraphEdge[];
}

/** Every workload (of one namespace, or all) and every edge from or to one of them. */
export async function serviceGraph(backend: MetricsBackend, inventory: Inventory, q: { namespace?: string; windowMs: number }): Promise<ServiceGraph> {
  const [nodes, traffic, samples] = await Promise.all([
    stat(backend, inventory, { kind: 'workload', windowMs: q.windowMs }),
    backend.traffic(workloadEdgeSelector(undefined), q.windowMs),
    backend.edgeSamples(q.windowMs),
  ]);
  const secured = new Set(edges(samples, edgeTargets(inventory), {}).filter((e) => e.secured).map((e) => `${e.srcNamespace}/${e.src}>${e.dstNamespace}/${e.dst}`));
  const graphEdges: GraphEdge[] = [];
  for (const [key, t] of traffic) {
    const [src = '', dst = ''] = key.split('>');
    const [srcNamespace = '', srcName = ''] = src.split('/');
    const [dstNamespace = '', dstName = ''] = dst.split('/');
    if (q.namespace !== undefined && srcNamespace !== q.namespace && dstNamespace !== q.namespace) continue;
    if (t.requests <= 0) continue;
    graphEdges.push({ srcNamespace, src: srcName, dstNamespace, dst: dstName, secured: secured.has(key), ...signals(t, q.windowMs) });
  }
  // A namespace's graph keeps the workloads its edges reach in other namespaces.
  const shown = new Set(graphEdges.flatMap((e) => [`${e.srcNamespace}/${e.src}`, `${e.dstNamespace}/${e.dst}`]));
  return {
    nodes: nodes.filter((n) => q.namespace === undefined || n.namespace === q.namespace || shown.has(`${n.namespace}/${n.name}`)),
    edges: graphEdges.sort((a, b) => `${a.srcNamespace}/${a.src}>${a.dstNamespace}/${a.dst}`.localeCompare(`${b.srcNamespace}/${b.src}>${b.dstNamespace}/${b.dst}`)),
  };
}
