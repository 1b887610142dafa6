// The services API over a real server: the policy in force per service, namespace filtering, and
// resources that name no existing service.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResource, type Resource } from '../resources/index.js';
import { EndpointIndex } from './index/endpoint-index.js';
import { PolicyIndex } from './index/policy-index.js';
import { withServed } from './serve.test-helper.js';
import { ServicesApi, type ServicesAnswer } from './services-api.js';

function resource<R extends Resource>(doc: unknown): R {
  const parsed = parseResource(doc);
  assert.ok(parsed.ok, JSON.stringify(parsed));
  return parsed.resource as R;
}

const route = (name: string, namespace: string, parent: { name: string; namespace?: string; port?: number }) =>
  resource<Extract<Resource, { kind: 'HTTPRoute' }>>({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name, namespace },
    spec: { parentRefs: [{ kind: 'Service', ...parent }], rules: [{ backendRefs: [{ name: 'world', port: 80, weight: 70 }, { name: 'world-v2', port: 80, weight: 30 }] }] },
  });

const profile = (name: string) =>
  resource<Extract<Resource, { kind: 'ServiceProfile' }>>({ apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name, namespace: 'hello' }, spec: { routes: [{ name: 'GET /', condition: { method: 'GET' }, isRetryable: true }] } });

function mesh(): ServicesApi {
  const index = new EndpointIndex();
  const endpoint = (port: number, meshed: boolean) => ({ addr: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1, meshed, labels: {} });
  index.setEndpoints('world.hello.svc:80', [endpoint(4001, true), endpoint(4002, false)]);
  index.setEndpoints('world-v2.hello.svc:80', [endpoint(4003, true)]);
  index.setEndpoints('web.emojivoto.svc:80', [endpoint(4004, true)]);
  index.setEndpoints('gone.hello.svc:80', []);
  index.deleteService('gone.hello.svc:80');
  const policies = new PolicyIndex();
  policies.replaceResources({
    httpRoutes: [route('world-split', 'hello', { name: 'world', port: 80 }), route('typo', 'hello', { name: 'wrold' }), route('from-afar', 'other', { name: 'world', namespace: 'hello' })],
    grpcRoutes: [],
    profiles: [profile('world.hello.svc.cluster.local'), profile('nobody.hello.svc.cluster.local')],
  });
  return new ServicesApi(policies, index, 50);
}

test('each existing service lists its endpoints and the routes and profile in force for it', () => {
  const { services } = mesh().answer(undefined);
  assert.deepEqual(services.map((s) => s.name), ['web.emojivoto.svc:80', 'world-v2.hello.svc:80', 'world.hello.svc:80']);
  const world = services[2];
  assert.equal(world?.endpoints, 2);
  assert.equal(world?.meshedEndpoints, 1);
  assert.deepEqual(world?.httpRoutes.map((r) => r.metadata.name), ['world-split', 'from-afar']);
  assert.deepEqual(world?.httpRoutes[0]?.spec.rules[0]?.backendRefs.map((b) => [b.name, b.weight]), [['world', 70], ['world-v2', 30]]);
  assert.equal(world?.profile?.metadata.name, 'world.hello.svc.cluster.local');
  assert.equal(services[1]?.httpRoutes.length, 0);
  assert.equal(services[1]?.profile, undefined);
});

test('a route or profile naming no existing service is listed as unattached, with what it names', () => {
  const { unattached } = mesh().answer(undefined);
  assert.deepEqual(unattached, [
    { kind: 'HTTPRoute', namespace: 'hello', name: 'typo', names: 'wrold.hello.svc' },
    { kind: 'ServiceProfile', namespace: 'hello', name: 'nobody.hello.svc.cluster.local', names: 'nobody.hello.svc.cluster.local' },
  ]);
});

test('a namespace filter keeps its services, and a route from another namespace still counts as attached', () => {
  const api = mesh();
  assert.deepEqual(api.answer('emojivoto').services.map((s) => s.name), ['web.emojivoto.svc:80']);
  assert.deepEqual(api.answer('other'), { services: [], unattached: [] });
});

test('GET /api/services answers JSON; other methods get 405 and other paths are left alone', async () => {
  const api = mesh();
  await withServed((req, res) => api.handle(req, res), async (base) => {
    const res = await fetch(`${base}/api/services?namespace=hello`);
    assert.equal(res.status, 200);
    const body = (await res.json()) as ServicesAnswer;
    assert.deepEqual(body.services.map((s) => s.name), ['world-v2.hello.svc:80', 'world.hello.svc:80']);
    const post = await fetch(`${base}/api/services`, { method: 'POST' });
    assert.equal(post.status, 405);
    assert.match(((await post.json()) as { error: string }).error, /use GET/);
    assert.equal((await fetch(`${base}/api/servicesx`)).status, 418);
    const live = await fetch(`${base}/api/services?namespace=emojivoto`, { headers: { accept: 'text/event-stream' } });
    assert.equal(live.headers.get('content-type'), 'text/event-stream');
    const reader = live.body?.getReader();
    let text = '';
    while (reader && (text.match(/event: update/g) ?? []).length < 2) text += new TextDecoder().decode((await reader.read()).value);
    await reader?.cancel();
    assert.match(text, /event: update\ndata: \{"services":\[\{"name":"web\.emojivoto\.svc:80"/);
  });
});
