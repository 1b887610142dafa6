// Client policies through a real proxy and a real Destination API: weighted splits changed live,
// dtabs and per-request overrides, header modifiers, redirects, faults, and routes to nowhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startPolicyMesh, type PolicyMesh } from './support/policy-mesh.js';
import { eventually, httpUpstream, type Upstream } from './support/upstreams.js';

let mesh: PolicyMesh;
const apps: Upstream[] = [];

async function textApp(text: string): Promise<Upstream> {
  const app = await httpUpstream(text, (req, res) => {
    res.setHeader('x-seen-canary', String(req.headers['x-canary'] ?? ''));
    res.end(text);
  });
  apps.push(app);
  return app;
}

before(async () => {
  mesh = await startPolicyMesh();
  mesh.serve('world.hello.svc:80', [(await textApp('world')).addr]);
  mesh.serve('world-v1.hello.svc:80', [(await textApp('world')).addr]);
  mesh.serve('world-v2.hello.svc:80', [(await textApp('earth')).addr]);
});

after(async () => {
  await mesh.close();
  for (const app of apps) await app.close();
});

async function get(path = '/', headers: Record<string, string> = {}, host = 'world.hello.svc'): Promise<{ status: number; text: string; headers: Record<string, unknown> }> {
  const res = await request(`http://${mesh.outbound}${path}`, { headers: { host, ...headers } });
  return { status: res.statusCode, text: await res.body.text(), headers: res.headers };
}

async function share(n: number, text: string, headers: Record<string, string> = {}): Promise<number> {
  let hits = 0;
  for (let i = 0; i < n; i++) if ((await get('/', headers)).text === text) hits++;
  return hits / n;
}

function split(v2: number): string {
  return `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: world-split, namespace: hello}
spec:
  parentRefs: [{kind: Service, name: world, port: 80}]
  rules:
    - backendRefs:
        - {name: world-v1, port: 80, weight: ${100 - v2}}
        - {name: world-v2, port: 80, weight: ${v2}}
`;
}

test('a weighted split sends its share and changes live; the override header pins a request to v2', async () => {
  assert.equal((await get()).text, 'world', 'no policy: the service itself');
  mesh.apply(split(30));
  await eventually(async () => (await share(40, 'earth')) > 0, 3000, 'the split to take effect');
  const at30 = await share(1000, 'earth');
  assert.ok(Math.abs(at30 - 0.3) <= 0.05, `30% split: ${at30}`);

  mesh.apply(split(10));
  await new Promise((r) => setTimeout(r, 300));
  const at10 = await share(1000, 'earth');
  assert.ok(Math.abs(at10 - 0.1) <= 0.05, `10% split: ${at10}`);

  const pinned = await share(100, 'earth', { 'loom-dtab': '/svc/hello/80/world-v1 => /svc/hello/80/world-v2' });
  assert.equal(pinned, 1, 'every request with the override reaches v2');
  const l5d = await share(20, 'earth', { 'l5d-dtab': '/svc/hello/80/world-v1=>/#/loom.svc/hello/80/world-v2' });
  assert.equal(l5d, 1, 'l5d-dtab is accepted too');

  const met = await mesh.metrics();
  assert.match(met, /route_request_total\{direction="outbound",dst="world.hello.svc:80",rt_route="world-split"\} \d+/);
  mesh.apply();
});

test('a dtab in force delegates the service; a malformed override is reported and ignored', async () => {
  mesh.setDtab('/svc/hello/80/world => 1 * /svc/hello/80/world-v1 & 1 * /svc/hello/80/world-v2');
  await eventually(async () => (await share(40, 'earth')) > 0, 3000, 'the dtab to take effect');
  const half = await share(400, 'earth');
  assert.ok(Math.abs(half - 0.5) <= 0.08, `weighted union 1:1: ${half}`);

  const bad = await get('/', { 'loom-dtab': '/svc/hello/80/world => ' });
  assert.equal(bad.status, 200, 'routed by the dtab in force');
  assert.match(String(bad.headers['loom-dtab-error']), /expected/, 'the parse error is reported in a response header');

  mesh.setDtab('/svc/hello/80/world => !');
  await eventually(async () => (await get()).status === 503, 3000, 'the failing dtab');
  const failed = await get();
  assert.equal(failed.headers['loom-proxy-error'], 'LOOM_ERR_DTAB');
  mesh.setDtab('');
});

test('header modifiers, redirects, injected faults, no matching rule and a route to nowhere', async () => {
  mesh.apply(`apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: world-rules, namespace: hello}
spec:
  parentRefs: [{kind: Service, name: world}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /canary}}]
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: {set: [{name: x-canary, value: "yes"}]}
        - type: ResponseHeaderModifier
          responseHeaderModifier: {add: [{name: x-route, value: canary}]}
      backendRefs: [{name: world-v2, port: 80}]
    - matches: [{path: {type: PathPrefix, value: /old}}]
      filters: [{type: RequestRedirect, requestRedirect: {path: {type: ReplacePrefixMatch, replacePrefixMatch: /new}, statusCode: 301}}]
    - matches: [{path: {type: Exact, value: /broken}}]
      loom: {fault: {abort: {status: 418, percent: 100}}}
    - matches: [{path: {type: Exact, value: /nowhere}}]
      backendRefs: [{name: missing, port: 80}]
    - matches: [{path: {type: Exact, value: /zero}}]
      backendRefs: [{name: world-v2, port: 80, weight: 0}]
    - matches: [{path: {type: PathPrefix, value: /app}}]
`);
  await eventually(async () => (await get('/canary')).text === 'earth', 3000, 'the rules to take effect');
  const canary = await get('/canary/x');
  assert.equal(canary.headers['x-seen-canary'], 'yes');
  assert.equal(canary.headers['x-route'], 'canary');

  const moved = await get('/old/page?q=1');
  assert.equal(moved.status, 301);
  assert.equal(moved.headers['location'], 'http://world.hello.svc/new/page?q=1');

  const teapot = await get('/broken');
  assert.equal(teapot.status, 418);
  assert.equal(teapot.headers['loom-proxy-error'], 'LOOM_ERR_FAULT_INJECTED');

  const nowhere = await get('/nowhere');
  assert.equal(nowhere.status, 503);
  assert.equal(nowhere.headers['loom-proxy-error'], 'LOOM_ERR_NO_ENDPOINTS');
  const zero = await get('/zero');
  assert.equal(zero.status, 503);
  assert.equal(zero.headers['loom-proxy-error'], 'LOOM_ERR_NO_BACKEND');

  const unmatched = await get('/elsewhere');
  assert.equal(unmatched.status, 404);
  assert.equal(unmatched.headers['loom-proxy-error'], 'LOOM_ERR_NO_ROUTE');
  assert.equal((await get('/app/1')).text, 'world');
  mesh.apply();
});
