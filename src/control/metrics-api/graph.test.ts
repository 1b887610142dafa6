import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Inventory } from './inventory.js';
import { serviceGraph } from './graph.js';
import { statQueries } from './promql.js';
import { emojivotoStore, storeBackend } from './emojivoto-store.test-helper.js';
import { workloadEdgeSelector } from './stat-query.js';

const INVENTORY: Inventory = {
  pods: () => [
    { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' },
    { namespace: 'emojivoto', workload: 'web', pod: 'web-0' },
    { namespace: 'books', workload: 'reviews', pod: 'reviews-0' },
  ],
  services: () => [],
};

test("the graph's nodes are workloads with their signals; its edges are caller > callee as the caller saw them", async () => {
  const graph = await serviceGraph(storeBackend(emojivotoStore(), 60_000), INVENTORY, { windowMs: 60_000 });
  assert.deepEqual(graph.nodes.map((n) => `${n.namespace}/${n.name}`), ['books/reviews', 'emojivoto/voting', 'emojivoto/web']);
  assert.equal(graph.nodes.find((n) => n.name === 'voting')?.successRate, 0.9);
  assert.deepEqual(graph.edges.map(({ latencyMs: _l, ...e }) => e), [
    // No edge-samples in this store, so no verified client identity: not counted as secured.
    { srcNamespace: 'emojivoto', src: 'web', dstNamespace: 'emojivoto', dst: 'voting', secured: false, requests: 100, successRate: 0.9, rps: 100 / 60 },
  ]);
});

test("a namespace's graph keeps its own workloads and those its edges reach, and drops the rest", async () => {
  const graph = await serviceGraph(storeBackend(emojivotoStore(), 60_000), INVENTORY, { namespace: 'emojivoto', windowMs: 60_000 });
  assert.deepEqual(graph.nodes.map((n) => n.name), ['voting', 'web']);
  const other = await serviceGraph(storeBackend(emojivotoStore(), 60_000), INVENTORY, { namespace: 'books', windowMs: 60_000 });
  assert.deepEqual([other.nodes.map((n) => n.name), other.edges], [['reviews'], []]);
});

test('with Prometheus, the edge query groups by both ends', () => {
  const q = statQueries(workloadEdgeSelector(undefined), 60_000);
  assert.match(q.requests, /^sum by \(namespace, workload, dst_namespace, dst_deployment\) \(increase\(response_total\{direction="outbound"\}\[60s\]\)\)$/);
});
