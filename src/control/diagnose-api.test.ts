// The diagnose API over a real server on 127.0.0.1, with indexes filled as a platform would fill them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResource, type HTTPRouteResource } from '../resources/index.js';
import type { Diagnosis } from '../routing/diagnose.js';
import { DiagnoseApi } from './diagnose-api.js';
import { EndpointIndex, type IndexedEndpoint } from './index/endpoint-index.js';
import { PolicyIndex } from './index/policy-index.js';
import { withServed } from './serve.test-helper.js';

function endpoint(addr: string, labels: Record<string, string> = {}): IndexedEndpoint {
  const [host = '', port = '0'] = addr.split(':');
  return { addr, host, port: Number(port), weight: 1, meshed: true, labels };
}

function canaryRoute(): HTTPRouteResource {
  const r = parseResource({
    apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'world-canary', namespace: 'hello' },
    spec: { parentRefs: [{ kind: 'Service', name: 'world', port: 80 }], rules: [{ matches: [{ path: { value: '/api' } }], backendRefs: [{ name: 'world-v1', port: 80, weight: 3 }, { name: 'world-v2', port: 80, weight: 1 }] }] },
  });
  assert.ok(r.ok);
  return r.resource as HTTPRouteResource;
}

async function withApi(body: (get: (query: string) => Promise<{ status: number; json: Record<string, unknown> }>, policies: PolicyIndex) => Promise<void>): Promise<void> {
  const policies = new PolicyIndex();
  const index = new EndpointIndex();
  policies.replaceResources({ httpRoutes: [canaryRoute()], grpcRoutes: [], profiles: [] });
  index.setEndpoints('world-v1.hello.svc:80', [endpoint('127.0.0.1:4001', { version: 'v1' })]);
  index.setEndpoints('world-v2.hello.svc:80', [endpoint('127.0.0.1:4002', { version: 'v2' })]);
  const api = new DiagnoseApi(policies, index);
  await withServed((req, res) => api.handle(req, res), (base) =>
    body(async (query) => {
      const res = await fetch(`${base}${query}`);
      const text = await res.text();
      return { status: res.status, json: (text === '' ? {} : JSON.parse(text)) as Record<string, unknown> };
    }, policies),
  );
}

test('a URL names the service and the path; the answer is the route\'s split with each backend\'s endpoints', async () => {
  await withApi(async (get) => {
    const { status, json } = await get(`/api/diagnose?name=${encodeURIComponent('http://World.Hello.svc/api/users?page=2')}`);
    assert.equal(status, 200);
    const d = json as unknown as Diagnosis;
    assert.equal(d.name, 'world.hello.svc:80');
    assert.deepEqual(d.request, { method: 'GET', path: '/api/users?page=2', headers: {} });
    assert.equal(d.route.matched && d.route.name, 'world-canary');
    assert.deepEqual(d.outcomes, [{ percent: 75, authority: 'world-v1.hello.svc:80', endpoints: 1 }, { percent: 25, authority: 'world-v2.hello.svc:80', endpoints: 1 }]);
    const leaf = d.backends[0]?.tree;
    assert.deepEqual(leaf?.kind === 'leaf' && leaf.endpoints, [{ addr: '127.0.0.1:4001', labels: { version: 'v1' } }]);
  });
});

test('host:port with method, path, headers, the dtab namespace and an override', async () => {
  await withApi(async (get, policies) => {
    policies.setDtab('canary', { namespace: 'canary', text: '/svc/hello/80/world-v1 => /svc/hello/80/world-v2', version: '7' });
    const pin = encodeURIComponent('/svc/hello/80/world-v2 => /$/inet/127.0.0.1/9000');
    const query = `name=world.hello.svc:80&method=POST&path=/api&dtabNamespace=canary&dtab=${pin}&header=x-a:1&header=${encodeURIComponent('X-A: 2')}`;
    const { status, json } = await get(`/api/diagnose?${query}`);
    assert.equal(status, 200);
    const d = json as unknown as Diagnosis;
    assert.deepEqual(d.request, { method: 'POST', path: '/api', headers: { 'x-a': '1, 2' } });
    assert.deepEqual(d.backends[0]?.dtab.map((l) => l.source), ['base', 'policy', 'override']);
    assert.deepEqual(d.outcomes, [{ percent: 100, authority: '127.0.0.1:9000', endpoints: 1 }]);

    const other = (await get('/api/diagnose?name=world.hello.svc:80&path=/api')).json as unknown as Diagnosis;
    assert.deepEqual(other.backends[0]?.dtab.map((l) => l.source), ['base'], 'the default namespace has no dtab');
    const noRoute = (await get('/api/diagnose?name=world.hello.svc:80&path=/x')).json as unknown as Diagnosis;
    assert.deepEqual(noRoute.outcomes, [{ percent: 100, error: '404 LOOM_ERR_NO_ROUTE' }]);
  });
});

test('bad input is 400 with what to write instead; other paths are not this API\'s', async () => {
  await withApi(async (get) => {
    const cases: Array<[string, RegExp]> = [
      ['', /^name is missing; give name=<host>:<port>, e\.g\. world\.hello\.svc:80, or a URL/],
      ['name=world.hello.svc', /^"world\.hello\.svc" has no port; write world\.hello\.svc:80 \(the port the app calls\), or a URL such as http:\/\/world\.hello\.svc\/$/],
      ['name=world.hello.svc:0', /has port "0"; write a port from 1 to 65535/],
      [`name=${encodeURIComponent('ftp://world.hello.svc/')}`, /is not an http or https URL/],
      [`name=${encodeURIComponent('http://[zz/')}`, /is not a URL/],
      ['name=w:80&method=G%20T', /^method="G T" is not an HTTP method/],
      ['name=w:80&path=api', /^path="api" does not start with \/; write e\.g\. path=\/api/],
      ['name=w:80&header=novalue', /^header="novalue" is not name:value; write e\.g\. header=x-canary:1$/],
      ['name=w:80&dtabNamespace=a/b', /^"a\/b" is not a dtab namespace/],
    ];
    for (const [query, message] of cases) {
      const { status, json } = await get(`/api/diagnose?${query}`);
      assert.equal(status, 400, query);
      assert.match(String(json.error), message, query);
    }
    assert.equal((await get('/api/other')).status, 418);
  });
});
