import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointIndex } from '../index/endpoint-index.js';
import { indexedServices, platformInventory, resources, unknownRef } from './inventory.js';

function endpoint(port: number, deployment: string, pod: string) {
  return { addr: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1, meshed: true, labels: { namespace: 'shop', service: 'api', deployment, pod } };
}

const target = (workload: string, pod: string, namespace = 'shop') => ({ url: `http://${pod}/metrics`, labels: { namespace, workload, pod }, identity: `${workload}-id` });

test("services come from the index's <name>.<namespace>.svc:<port> names, any port, with their endpoints' workloads", () => {
  const index = new EndpointIndex();
  index.setEndpoints('api.shop.svc:80', [endpoint(1, 'api', 'api-0'), endpoint(2, 'api-canary', 'api-canary-0')]);
  index.setEndpoints('api.shop.svc:9090', [endpoint(3, 'api', 'api-0')]);
  index.setEndpoints('idle.shop.svc:80', []);
  index.setEndpoints('10.0.0.1:80', [endpoint(4, 'x', 'x-0')]);
  assert.deepEqual(indexedServices(index), [
    { namespace: 'shop', name: 'api', workloads: ['api', 'api-canary'] },
    { namespace: 'shop', name: 'idle', workloads: [] },
  ]);
  const inventory = platformInventory(() => [target('api', 'api-0'), target('api', 'api-1'), target('api-canary', 'api-canary-0'), target('web', 'web-0'), target('web', 'web-0', 'other')], index);
  assert.deepEqual(inventory.pods()[0], { namespace: 'shop', workload: 'api', pod: 'api-0', identity: 'api-id' });
  const [api, idle] = resources(inventory, 'service', 'shop');
  assert.deepEqual(api?.pods.map((p) => p.pod), ['api-0', 'api-1', 'api-canary-0'], 'every pod of the workloads behind it');
  assert.deepEqual(idle?.pods, []);
  assert.deepEqual(resources(inventory, 'workload').map((r) => `${r.namespace}/${r.name}:${r.pods.length}`), ['other/web:1', 'shop/api:2', 'shop/api-canary:1', 'shop/web:1']);
  assert.deepEqual(resources(inventory, 'namespace', undefined, 'shop').map((r) => r.pods.length), [4]);
  assert.equal(unknownRef(inventory, 'to', { kind: 'service', namespace: 'shop', name: 'api' }), undefined);
  assert.equal(unknownRef(inventory, 'to', { kind: 'workload', namespace: 'shop', name: 'nope' }), '--to: no workload nope in namespace shop; `loom get workloads` lists what runs');
  assert.equal(unknownRef(inventory, 'from', { kind: 'namespace', namespace: 'gone' }), '--from: no namespace gone; `loom get workloads` lists what runs');
});
