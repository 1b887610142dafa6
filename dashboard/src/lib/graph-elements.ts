// The service graph as cytoscape elements: a node per workload (coloured by its success rate, sized
// by its traffic) and an edge per caller -> callee labelled with RPS, success and p99.
import type { GraphEdge, ServiceGraph, StatRow } from '../api/types.js';
import { ms, percent, rps, successHealth, type Health } from './format.js';

export interface NodeData {
  id: string;
  label: string;
  namespace: string;
  name: string;
  health: Health;
  /** 0 (idle) to 1 (the busiest node). */
  weight: number;
}

export interface EdgeData {
  id: string;
  source: string;
  target: string;
  label: string;
  health: Health;
  secured: boolean;
}

export type Element = { group: 'nodes'; data: NodeData } | { group: 'edges'; data: EdgeData };

export const nodeId = (namespace: string, name: string): string => `${namespace}/${name}`;

export function graphElements(graph: ServiceGraph, focusNamespace?: string): Element[] {
  const busiest = Math.max(0, ...graph.nodes.map((n) => n.rps ?? 0));
  const ids = new Set(graph.nodes.map((n) => nodeId(n.namespace, n.name)));
  const nodes: Element[] = graph.nodes.map((n) => ({ group: 'nodes', data: nodeData(n, busiest, focusNamespace) }));
  // An edge to a workload the graph does not list (gone since) still shows, with a node of its own.
  for (const e of graph.edges) {
    for (const [namespace, name] of [[e.srcNamespace, e.src], [e.dstNamespace, e.dst]] as const) {
      const id = nodeId(namespace, name);
      if (ids.has(id)) continue;
      ids.add(id);
      nodes.push({ group: 'nodes', data: { id, label: label(namespace, name, focusNamespace), namespace, name, health: 'idle', weight: 0 } });
    }
  }
  return [...nodes, ...graph.edges.map((e): Element => ({ group: 'edges', data: edgeData(e) }))];
}

function nodeData(n: StatRow, busiest: number, focusNamespace: string | undefined): NodeData {
  return { id: nodeId(n.namespace, n.name), label: label(n.namespace, n.name, focusNamespace), namespace: n.namespace, name: n.name, health: successHealth(n.successRate), weight: busiest > 0 ? (n.rps ?? 0) / busiest : 0 };
}

function edgeData(e: GraphEdge): EdgeData {
  const source = nodeId(e.srcNamespace, e.src);
  const target = nodeId(e.dstNamespace, e.dst);
  return { id: `${source}>${target}`, source, target, label: edgeLabel(e), health: successHealth(e.successRate), secured: e.secured };
}

export function edgeLabel(e: Pick<GraphEdge, 'rps' | 'successRate' | 'latencyMs'>): string {
  return `${rps(e.rps)} · ${percent(e.successRate)} · p99 ${ms(e.latencyMs?.p99)}`;
}

/** Workloads of other namespaces carry theirs. */
function label(namespace: string, name: string, focusNamespace: string | undefined): string {
  return focusNamespace === undefined || namespace === focusNamespace ? name : `${namespace}/${name}`;
}
