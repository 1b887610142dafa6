import { expect, test } from 'vitest';
import type { ServiceGraph } from '../api/types.js';
import { graphElements } from './graph-elements.js';

const row = (namespace: string, name: string, successRate?: number, rps?: number) => ({ kind: 'workload' as const, namespace, name, meshed: { up: 1, total: 1 }, requests: rps ? 10 : 0, ...(successRate !== undefined ? { successRate } : {}), ...(rps !== undefined ? { rps } : {}) });

test('workloads become nodes coloured by success, calls become labelled edges', () => {
  const graph: ServiceGraph = {
    nodes: [row('emojivoto', 'web', 0.9, 20), row('emojivoto', 'voting', 0.8, 10), row('emojivoto', 'emoji', 1, 5)],
    edges: [{ srcNamespace: 'emojivoto', src: 'web', dstNamespace: 'emojivoto', dst: 'voting', secured: true, requests: 100, rps: 10, successRate: 0.8, latencyMs: { p50: 1, p95: 2, p99: 3.5 } }],
  };
  const elements = graphElements(graph, 'emojivoto');
  expect(elements.filter((e) => e.group === 'nodes').map((e) => [e.data.id, e.data.health])).toEqual([
    ['emojivoto/web', 'bad'],
    ['emojivoto/voting', 'bad'],
    ['emojivoto/emoji', 'good'],
  ]);
  const edge = elements.find((e) => e.group === 'edges');
  expect(edge?.data).toEqual({ id: 'emojivoto/web>emojivoto/voting', source: 'emojivoto/web', target: 'emojivoto/voting', label: '10.0 rps · 80.00% · p99 3.5 ms', health: 'bad', secured: true });
  expect(elements.find((e) => e.data.id === 'emojivoto/web')?.data).toMatchObject({ weight: 1, label: 'web' });
});

test('an edge to a workload the graph does not list still gets a node, named with its namespace', () => {
  const graph: ServiceGraph = { nodes: [row('a', 'x', 1, 1)], edges: [{ srcNamespace: 'a', src: 'x', dstNamespace: 'b', dst: 'y', secured: false, requests: 1 }] };
  const nodes = graphElements(graph, 'a').filter((e) => e.group === 'nodes');
  expect(nodes.map((n) => n.data.label)).toEqual(['x', 'b/y']);
});
