import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DestinationDiscovery } from '../proxy/discovery/destination-client.js';
import { GrpcApiServer } from './destination/server.js';
import { EndpointIndex } from './index/endpoint-index.js';
import { ControlPlaneMetrics } from './metrics.js';

function value(text: string, line: string): number {
  const found = text.split('\n').find((l) => l.startsWith(line));
  return found === undefined ? NaN : Number(found.slice(found.lastIndexOf(' ') + 1));
}

test('the control plane counts what it holds and what it streams', async () => {
  const index = new EndpointIndex();
  index.setEndpoints('web.test:80', [{ addr: '10.0.0.1:80', host: '10.0.0.1', port: 80, weight: 1, meshed: true, labels: {} }]);
  const metrics = new ControlPlaneMetrics(index);
  const server = new GrpcApiServer(index, metrics);
  const { port } = await server.listen('127.0.0.1', 0);
  const discovery = new DestinationDiscovery({ addr: `127.0.0.1:${port}`, contextToken: 't' });
  let adds = 0;
  const sub = discovery.watch('web.test:80', { add: () => adds++, remove: () => undefined, noEndpoints: () => undefined });
  try {
    const deadline = Date.now() + 3000;
    while (adds === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const text = await metrics.render();
    assert.equal(value(text, 'loom_controller_services '), 1);
    assert.equal(value(text, 'loom_controller_endpoints '), 1);
    assert.equal(value(text, 'loom_controller_destination_streams '), 1);
    assert.equal(value(text, 'loom_controller_destination_updates_total{kind="add"} '), 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  } finally {
    sub.unsubscribe();
    discovery.close();
    await server.close();
  }
});
