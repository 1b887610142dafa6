// The control plane's Destination API with real proxies: discovery streamed over gRPC, last-known
// endpoints kept while the control plane is down, reconciled when it is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { EndpointIndex, type IndexedEndpoint } from '../src/control/index/endpoint-index.js';
import { GrpcApiServer } from '../src/control/destination/server.js';
import { DestinationDiscovery } from '../src/proxy/discovery/destination-client.js';
import type { EndpointListener } from '../src/proxy/discovery/types.js';
import { loadProxyConfig } from '../src/proxy/env.js';
import { createLogger } from '../src/proxy/log.js';
import { Proxy } from '../src/proxy/proxy.js';
import { httpUpstream, eventually } from './support/upstreams.js';

function ep(addr: string, meshed = false, labels: Record<string, string> = {}): IndexedEndpoint {
  const [host = '', port = '0'] = addr.split(':');
  return { addr, host, port: Number(port), weight: 1, meshed, labels };
}

function recorder(): EndpointListener & { events: string[] } {
  const events: string[] = [];
  return {
    events,
    add: (eps) => events.push(`add ${eps.map((e) => `${e.addr}${e.meshed ? '*' : ''}${e.labels.pod ? `(${e.labels.pod})` : ''}`).join(',')}`),
    remove: (addrs) => events.push(`remove ${addrs.join(',')}`),
    noEndpoints: (exists) => events.push(`none ${exists}`),
  };
}

test('updates stream incrementally; a control-plane restart keeps and then reconciles endpoints', async () => {
  const index = new EndpointIndex();
  index.setEndpoints('web.test:80', [ep('127.0.0.1:7001', true, { pod: 'web-1' })]);
  let server = new GrpcApiServer(index);
  const { port } = await server.listen('127.0.0.1', 0);
  const discovery = new DestinationDiscovery({ addr: `127.0.0.1:${port}`, contextToken: 'test', minBackoffMs: 50, maxBackoffMs: 200 });
  const w = recorder();
  const sub = discovery.watch('web.test:80', w);
  try {
    await eventually(() => w.events.length === 1, 3000, 'the initial state');
    assert.deepEqual(w.events, ['add 127.0.0.1:7001*(web-1)']);
    index.setEndpoints('web.test:80', [ep('127.0.0.1:7001', true, { pod: 'web-1' }), ep('127.0.0.1:7002')]);
    await eventually(() => w.events.length === 2, 3000, 'an incremental add');
    assert.equal(w.events[1], 'add 127.0.0.1:7002');

    // The control plane goes away: nothing is removed on the proxy side.
    await server.close();
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(w.events.length, 2, 'last-known endpoints kept while the control plane is down');

    // It comes back with a changed world: the proxy converges on it.
    const fresh = new EndpointIndex();
    fresh.setEndpoints('web.test:80', [ep('127.0.0.1:7002'), ep('127.0.0.1:7003')]);
    server = new GrpcApiServer(fresh);
    await server.listen('127.0.0.1', port);
    await eventually(() => w.events.length >= 4, 5000, 'reconciliation after reconnect');
    assert.deepEqual(w.events.slice(2), ['add 127.0.0.1:7002,127.0.0.1:7003', 'remove 127.0.0.1:7001']);
    fresh.deleteService('web.test:80');
    await eventually(() => w.events.at(-1) === 'none false', 3000, 'the service to be deleted');
  } finally {
    sub.unsubscribe();
    discovery.close();
    await server.close();
  }
});

test('a proxy routes by the control plane and keeps serving while it restarts', async () => {
  const app = await httpUpstream('app');
  const index = new EndpointIndex();
  let server = new GrpcApiServer(index);
  const { port } = await server.listen('127.0.0.1', 0);
  const config = loadProxyConfig({
    LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
    LOOM_PROXY_LOG_LEVEL: 'silent',
    LOOM_PROXY_QUEUE_TIMEOUT: '2s',
    LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '1s',
  });
  const discovery = new DestinationDiscovery({ addr: `127.0.0.1:${port}`, contextToken: 'client', minBackoffMs: 50, maxBackoffMs: 200 });
  const proxy = await Proxy.create(config, createLogger({ level: 'silent' }), discovery);
  const addrs = await proxy.start();
  const get = async (): Promise<number> => {
    const res = await request(`http://127.0.0.1:${addrs.outbound.port}/`, { headers: { host: 'app.test' } });
    await res.body.dump();
    return res.statusCode;
  };
  try {
    // The request waits in the queue until the platform registers the endpoint.
    const first = get();
    setTimeout(() => index.setEndpoints('app.test:80', [ep(app.addr)]), 200);
    assert.equal(await first, 200);
    await server.close();
    const during = await Promise.all(Array.from({ length: 20 }, () => get()));
    assert.deepEqual(new Set(during), new Set([200]), 'no request lost while the control plane is down');
    server = new GrpcApiServer(index);
    await server.listen('127.0.0.1', port);
    assert.equal(await get(), 200);
  } finally {
    await proxy.shutdown();
    await server.close();
    await app.close();
  }
});
