// Retries under a budget, timeouts and deadlines, and circuit breaking, through a real proxy and a
// real Destination API, read back from the proxy's own metrics.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startPolicyMesh, type PolicyMesh } from './support/policy-mesh.js';
import { sample } from './support/proxy.js';
import { eventually, httpUpstream, type Upstream } from './support/upstreams.js';

let mesh: PolicyMesh;
const apps: Upstream[] = [];
let deadlineSeen = '';
let badHealed = false;
/** What the `once` backend received, per x-id: one body per attempt. */
const bodiesSeen = new Map<string, string[]>();

before(async () => {
  mesh = await startPolicyMesh({ LOOM_PROXY_FAILURE_ACCRUAL_MIN_BACKOFF: '300ms', LOOM_PROXY_FAILURE_ACCRUAL_MAX_BACKOFF: '600ms' });
  const flaky = await httpUpstream('flaky', (req, res) => {
    res.statusCode = req.method === 'HEAD' && Math.random() < 0.5 ? 500 : 200;
    res.end();
  });
  const slow = await httpUpstream('slow', (req, res) => {
    deadlineSeen = String(req.headers['loom-ctx-deadline'] ?? '');
    const timer = setTimeout(() => res.end('late'), 2000);
    res.on('close', () => clearTimeout(timer));
  });
  // The good endpoint is the slower one, so the balancer's latency preference alone would favour the bad.
  const good = await httpUpstream('good', (_req, res) => setTimeout(() => res.end('good'), 5));
  const bad = await httpUpstream('bad', (_req, res) => {
    res.statusCode = badHealed ? 200 : 500;
    res.end('bad');
  });
  // Fails each request's first attempt after reading its whole body, then answers with what it read.
  const failsOnce = await httpUpstream('once', async (req, res) => {
    const body = Buffer.concat(await req.toArray()).toString();
    const id = String(req.headers['x-id']);
    const seen = bodiesSeen.get(id) ?? [];
    bodiesSeen.set(id, [...seen, body]);
    res.statusCode = seen.length === 0 ? 503 : 200;
    res.end(`${body.length}`);
  });
  apps.push(flaky, slow, good, bad, failsOnce);
  mesh.serve('once.test.svc:80', [failsOnce.addr]);
  mesh.serve('flaky.test.svc:80', [flaky.addr]);
  mesh.serve('slow.test.svc:80', [slow.addr]);
  mesh.serve('pool.test.svc:80', [good.addr, bad.addr]);
});

after(async () => {
  await mesh.close();
  for (const app of apps) await app.close();
});

async function call(host: string, method = 'GET', headers: Record<string, string> = {}): Promise<{ status: number; text: string; error: unknown }> {
  const res = await request(`http://${mesh.outbound}/`, { method: method as 'GET', headers: { host, ...headers } });
  const text = await res.body.text();
  return { status: res.statusCode, text, error: res.headers['loom-proxy-error'] };
}

function profile(service: string, spec: string): string {
  return `apiVersion: loom.io/v1alpha2
kind: ServiceProfile
metadata: {name: ${service}.test.svc.cluster.local, namespace: test}
spec:
${spec}`;
}

const RETRYABLE_HEAD = `  routes:
    - name: HEAD /
      condition: {method: HEAD, pathRegex: /}
      isRetryable: true
`;

test('a retryable route lifts a 50% failing HEAD above 95% success, and the budget bounds the retries', async () => {
  const before = await call('flaky.test.svc', 'HEAD');
  assert.ok([200, 500].includes(before.status));
  mesh.apply(profile('flaky', `${RETRYABLE_HEAD}  retryBudget: {retryRatio: 1.0, minRetriesPerSecond: 10, ttl: 10s}\n`));
  await eventually(async () => sample(await mesh.metrics(), 'route_request_total', { rt_route: 'HEAD /' }) > 0 || (await call('flaky.test.svc', 'HEAD'), false), 3000, 'the profile');
  const m0 = await mesh.metrics();
  const n = 400;
  let ok = 0;
  for (let i = 0; i < n; i++) if ((await call('flaky.test.svc', 'HEAD')).status === 200) ok++;
  assert.ok(ok / n > 0.95, `success with retries: ${ok}/${n}`);
  const m1 = await mesh.metrics();
  const delta = (name: string, labels: Record<string, string>) => sample(m1, name, labels) - sample(m0, name, labels);
  const requests = delta('route_request_total', { rt_route: 'HEAD /' });
  const retried = delta('route_retry_total', { rt_route: 'HEAD /', result: 'retried' });
  const attempts = delta('route_actual_request_total', { rt_route: 'HEAD /' });
  assert.equal(requests, n);
  assert.equal(attempts, n + retried, 'every retry is an attempt the metrics count');
  assert.ok(retried > n * 0.5, `retries happened: ${retried}`);
  assert.ok(retried <= 1.0 * requests + 10 * 10, `retries within the budget: ${retried} for ${requests} requests`);
  const effectiveFailures = delta('route_response_total', { rt_route: 'HEAD /', classification: 'failure' });
  assert.ok(effectiveFailures <= n * 0.05, `failures the caller saw: ${effectiveFailures}`);
});

test('a retried POST sends its body again whole; a body over 64 KiB is answered as the backend did, not retried', async () => {
  mesh.apply(profile('once', `  routes:
    - name: POST /orders
      condition: {method: POST, pathRegex: /orders}
      isRetryable: true
  retryBudget: {retryRatio: 1.0, minRetriesPerSecond: 10, ttl: 10s}
`));
  const post = async (id: string, body: string) => {
    const res = await request(`http://${mesh.outbound}/orders`, { method: 'POST', headers: { host: 'once.test.svc', 'x-id': id }, body });
    return { status: res.statusCode, text: await res.body.text() };
  };
  await eventually(async () => sample(await mesh.metrics(), 'route_request_total', { rt_route: 'POST /orders' }) > 0 || (await post(`warm-${Math.random()}`, 'w'), false), 3000, 'the profile');
  const small = 'order-'.repeat(2000); // 12 KB, sent as one or more chunks
  assert.deepEqual(await post('small', small), { status: 200, text: String(small.length) });
  assert.deepEqual(bodiesSeen.get('small'), [small, small], 'the backend read the same body on both attempts');
  const m0 = await mesh.metrics();
  const large = 'x'.repeat(100 * 1024);
  assert.deepEqual(await post('large', large), { status: 503, text: String(large.length) });
  assert.equal(bodiesSeen.get('large')?.length, 1);
  const m1 = await mesh.metrics();
  const notReplayable = sample(m1, 'route_retry_total', { rt_route: 'POST /orders', result: 'not_replayable' }) - sample(m0, 'route_retry_total', { rt_route: 'POST /orders', result: 'not_replayable' });
  assert.equal(notReplayable, 1);
  mesh.apply();
});

test('the default budget (20% + 10/s over 10 s) stops retries when failures outrun it', async () => {
  mesh.apply(profile('flaky', RETRYABLE_HEAD));
  await new Promise((r) => setTimeout(r, 300));
  const m0 = await mesh.metrics();
  const n = 600;
  await Promise.all(Array.from({ length: 4 }, async () => {
    for (let i = 0; i < n / 4; i++) await call('flaky.test.svc', 'HEAD');
  }));
  const m1 = await mesh.metrics();
  const delta = (labels: Record<string, string>) => sample(m1, 'route_retry_total', labels) - sample(m0, 'route_retry_total', labels);
  const retried = delta({ rt_route: 'HEAD /', result: 'retried' });
  assert.ok(retried <= 0.2 * n + 10 * 10 + 1, `retried ${retried} of ${n}`);
  assert.ok(delta({ rt_route: 'HEAD /', result: 'budget_exhausted' }) > 0, 'the budget ran out');
  mesh.apply();
});

test('a route timeout answers 504 on time and propagates its deadline; a request may ask for less', async () => {
  mesh.apply(profile('slow', '  routes:\n    - {name: slow, condition: {pathRegex: "/.*"}, timeout: 300ms}\n'));
  await eventually(async () => (await call('slow.test.svc')).status === 504, 5000, 'the timeout');
  const started = Date.now();
  const answer = await call('slow.test.svc');
  const took = Date.now() - started;
  assert.equal(answer.status, 504);
  assert.equal(answer.error, 'LOOM_ERR_REQUEST_TIMEOUT');
  assert.ok(took >= 280 && took < 1000, `answered after ${took}ms`);
  const deadline = Number(deadlineSeen);
  assert.ok(Math.abs(deadline - (started + 300)) < 200, `the app saw loom-ctx-deadline ${deadlineSeen} (sent at ${started})`);

  const quick = Date.now();
  assert.equal((await call('slow.test.svc', 'GET', { 'loom-request-timeout': '100ms' })).status, 504);
  assert.ok(Date.now() - quick < 280, 'the request\'s own timeout is shorter than the route\'s');
  const expired = await call('slow.test.svc', 'GET', { 'loom-ctx-deadline': String(Date.now() - 1) });
  assert.equal(expired.status, 504, 'a deadline already past is answered at once');
  mesh.apply();
});

test('an endpoint that keeps failing is ejected, success recovers, and it is readmitted once healed', async () => {
  const results: string[] = [];
  for (let i = 0; i < 60; i++) {
    const r = await call('pool.test.svc');
    results.push(`${r.status}`);
  }
  const late = results.slice(30);
  const lateOk = late.filter((s) => s === '200').length;
  assert.ok(lateOk >= 27, `after ejection nearly every request succeeds: ${late.join(',')}`);
  const met = await mesh.metrics();
  assert.ok(sample(met, 'response_total', { authority: 'pool.test.svc:80', classification: 'failure' }) >= 7, 'the bad endpoint failed until ejected');

  badHealed = true;
  await new Promise((r) => setTimeout(r, 700));
  const texts = new Set<string>();
  for (let i = 0; i < 60; i++) texts.add((await call('pool.test.svc')).text);
  assert.ok(texts.has('bad'), 'the healed endpoint takes traffic again');
});
