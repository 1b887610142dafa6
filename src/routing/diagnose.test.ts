// diagnose(): the route, the split, each backend's delegation and bound tree, as the proxy would take them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseResource, type HTTPRouteResource, type ServiceProfileResource } from '../resources/index.js';
import type { ClientPolicy } from './client-policy.js';
import { formatDiagnosis } from './diagnose-format.js';
import { diagnose, type BoundNode, type DiagnoseInput, type DiagnosedEndpoint, type Diagnosis } from './diagnose.js';
import { parseDtab, pickBound, resolve } from './dtab/index.js';
import { BASE_DENTRY, boundToAuthority } from './service-name.js';

const WORLD = 'world.hello.svc:80';
const V1 = 'world-v1.hello.svc:80';
const V2 = 'world-v2.hello.svc:80';
const ENDPOINTS: Record<string, DiagnosedEndpoint[]> = {
  [WORLD]: [{ addr: '127.0.0.1:4000', labels: { app: 'world' } }],
  [V1]: [{ addr: '127.0.0.1:4001', labels: { app: 'world', version: 'v1' } }, { addr: '127.0.0.1:4002', labels: {} }],
  [V2]: [{ addr: '127.0.0.1:4003', labels: { version: 'v2' } }],
};
const lookup = (authority: string): DiagnosedEndpoint[] => ENDPOINTS[authority] ?? [];

function httpRoute(rules: unknown[]): HTTPRouteResource {
  const r = parseResource({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'world-canary', namespace: 'hello' }, spec: { parentRefs: [{ kind: 'Service', name: 'world', port: 80 }], rules } });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  return r.resource as HTTPRouteResource;
}

function policy(extra: Partial<ClientPolicy> = {}, dtab?: string): ClientPolicy {
  return { name: WORLD, httpRoutes: [], grpcRoutes: [], ...(dtab !== undefined ? { dtab: { namespace: 'default', text: dtab, version: '3' } } : {}), ...extra };
}

function run(p: ClientPolicy, o: { path?: string; headers?: Record<string, string>; override?: string } = {}): Diagnosis {
  const input: DiagnoseInput = { policy: p, request: { method: 'GET', path: o.path ?? '/', headers: o.headers ?? {} }, ...(o.override !== undefined ? { override: o.override } : {}) };
  const d = diagnose(input, lookup);
  JSON.stringify(d); // it must be plain JSON
  formatDiagnosis(d);
  return d;
}

/** Bound leaves as `path -> authority share%`, left to right. */
function leaves(node: BoundNode, out: string[] = []): string[] {
  if (node.kind === 'leaf') out.push(`${node.path ?? ''} -> ${node.authority ?? node.problem ?? ''} ${node.sharePercent}%`);
  else if (node.kind === 'alt') for (const b of node.branches) leaves(b, out);
  else if (node.kind === 'union') for (const m of node.members) leaves(m.node, out);
  else out.push(`${node.kind} ${node.sharePercent}%`);
  return out;
}

const CANARY_DTAB = '/svc/hello/80/world => 9 * /svc/hello/80/world-v1 & 1 * /svc/hello/80/world-v2';

test('a route with no policy takes [DEFAULT] to the name itself, delegated by the base dentry alone', () => {
  const d = run(policy());
  assert.equal(d.dtabPath, '/svc/hello/80/world');
  assert.deepEqual(d.route, { matched: true, name: '[DEFAULT]', source: 'default', retryBudget: { retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 } });
  assert.equal(d.backends.length, 1);
  const [b] = d.backends;
  assert.deepEqual(b?.dtab, [{ index: 0, source: 'base', dentry: '/svc => /#/loom.svc' }]);
  assert.deepEqual(b?.trace.map((t) => [t.kind, t.depth, t.path]), [['match', 0, '/svc/hello/80/world'], ['bound', 1, '/#/loom.svc/hello/80/world']]);
  assert.deepEqual(b?.tree, { kind: 'leaf', sharePercent: 100, path: '/#/loom.svc/hello/80/world', authority: WORLD, endpoints: ENDPOINTS[WORLD] });
  assert.deepEqual(d.outcomes, [{ percent: 100, authority: WORLD, endpoints: 1 }]);
});

test('an HTTPRoute split gives each backend its share of requests, with the route\'s settings', () => {
  const route = httpRoute([{
    backendRefs: [{ name: 'world-v1', port: 80, weight: 70 }, { name: 'world-v2', port: 80, weight: 30 }, { name: 'world-v3', port: 80, weight: 0 }],
    timeouts: { request: '5s', backendRequest: '1s' },
    loom: { retry: { attempts: 2, backoff: '25ms' }, fault: { abort: { status: 503, percent: 10 } } },
  }]);
  const d = run(policy({ httpRoutes: [route] }));
  assert.equal(d.route.matched && d.route.name, 'world-canary');
  assert.ok(d.route.matched);
  assert.equal(d.route.source, 'routes');
  assert.equal(d.route.timeoutMs, 5000);
  assert.equal(d.route.attemptTimeoutMs, 1000);
  assert.deepEqual(d.route.retry, { maxRetries: 2, backoffMs: 25 });
  assert.deepEqual(d.route.fault, { abort: { status: 503, percent: 10 } });
  assert.deepEqual(d.backends.map((b) => [b.authority, b.weight, b.sharePercent]), [[V1, 70, 70], [V2, 30, 30]], 'a weight-0 backend takes nothing');
  assert.deepEqual(d.outcomes, [{ percent: 10, error: '503 LOOM_ERR_FAULT_INJECTED' }, { percent: 63, authority: V1, endpoints: 2 }, { percent: 27, authority: V2, endpoints: 1 }], 'the aborted 10% never reach a backend');
  const text = formatDiagnosis(d);
  assert.match(text, /^GET \/ to world\.hello\.svc:80 \(\/svc\/hello\/80\/world\)\n/);
  assert.match(text, /\n {2}timeout: 5000ms in all, 1000ms per attempt\n {2}retries: up to 2, backoff 25ms, budget 20% of requests \+ 10\/s\n {2}fault: aborts 10% of requests with 503\n/);
  assert.match(text, /\nbackend world-v1\.hello\.svc:80 {2}weight 70 \(70% of requests\)\n/);
});

test('a policy dtab\'s weighted union splits one backend 90/10, with the trace through both dentries', () => {
  const d = run(policy({}, CANARY_DTAB));
  const [b] = d.backends;
  assert.deepEqual(b?.dtab.map((l) => l.source), ['base', 'policy']);
  assert.deepEqual(leaves(b?.tree ?? { kind: 'neg', sharePercent: 0 }), [`/#/loom.svc/hello/80/world-v1 -> ${V1} 90%`, `/#/loom.svc/hello/80/world-v2 -> ${V2} 10%`, `/#/loom.svc/hello/80/world -> ${WORLD} 0%`]);
  assert.deepEqual(b?.trace[0], {
    kind: 'match', depth: 0, path: '/svc/hello/80/world', dentryIndex: 1,
    rewrite: '9 * /svc/hello/80/world-v1 & /svc/hello/80/world-v2', result: '9 * /#/loom.svc/hello/80/world-v1 & /#/loom.svc/hello/80/world-v2',
  });
  assert.ok(b?.trace.some((t) => t.depth === 2 && t.kind === 'bound' && t.path === '/#/loom.svc/hello/80/world-v2'));
  assert.deepEqual(d.outcomes, [{ percent: 90, authority: V1, endpoints: 2 }, { percent: 10, authority: V2, endpoints: 1 }]);
  const text = formatDiagnosis(d);
  assert.match(text, /\n {2}bound:\n {8}100% {2}alternation: the first branch that binds\n {10}100% {2}union: by weight\n {13}90% {2}9 \* \/#\/loom\.svc\/hello\/80\/world-v1 -> world-v1\.hello\.svc:80\n {20}127\.0\.0\.1:4001 {2}app=world,version=v1\n {20}127\.0\.0\.1:4002\n/);
  assert.match(text, /\n {12}0% {2}\/#\/loom\.svc\/hello\/80\/world -> world\.hello\.svc:80 {2}\(not reached\)\noutcome:\n {7}90% {2}world-v1\.hello\.svc:80 \(2 endpoints\)\n {7}10% {2}world-v2\.hello\.svc:80 \(1 endpoint\)\n$/);
  assert.match(text, /\n {4}#1 \/svc\/hello\/80\/world => 9 \* \/svc\/hello\/80\/world-v1 & \/svc\/hello\/80\/world-v2 {2}\(policy\)\n/);
});

test('an override pins every request to one backend, from --dtab and from the loom-dtab header alike', () => {
  const pin = '/svc/hello/80/world => /svc/hello/80/world-v2';
  for (const o of [{ override: pin }, { headers: { 'L5D-Dtab': pin } }]) {
    const d = run(policy({}, CANARY_DTAB), o);
    assert.deepEqual(d.backends[0]?.dtab.map((l) => l.source), ['base', 'policy', 'override']);
    assert.deepEqual(d.outcomes, [{ percent: 100, authority: V2, endpoints: 1 }], JSON.stringify(o));
    assert.deepEqual(d.problems, []);
  }
});

test('a malformed override is reported and ignored, as the proxy ignores it', () => {
  const d = run(policy({}, CANARY_DTAB), { override: '/svc/hello/80/world => (' });
  assert.equal(d.problems.length, 1);
  assert.match(d.problems[0] ?? '', /^the dtab override does not parse: expected .* at line 1, column 25 .*; the proxy ignores it for routing/);
  assert.deepEqual(d.backends[0]?.dtab.map((l) => l.source), ['base', 'policy']);
  assert.deepEqual(d.outcomes.map((o) => o.percent), [90, 10]);
});

test('a policy dtab that does not parse is reported and left out', () => {
  const d = run(policy({}, '/svc => '));
  assert.match(d.problems[0] ?? '', /^dtab default \(version 3\) does not parse: .*; the proxy leaves it out until it is fixed$/);
  assert.deepEqual(d.outcomes, [{ percent: 100, authority: WORLD, endpoints: 1 }]);
});

test('a `!` fails the requests that reach it; a union drops it, an alternation stops at it', () => {
  const failed = run(policy({}, '/svc/hello/80/world => !'));
  assert.deepEqual(failed.backends[0]?.tree, { kind: 'fail', sharePercent: 100, reason: 'the dtab says to fail (!)' });
  assert.deepEqual(failed.outcomes, [{ percent: 100, error: '503 LOOM_ERR_DTAB: the dtab says to fail (!)' }]);
  assert.match(formatDiagnosis(failed), /\n {2}bound:\n {8}100% {2}! the dtab says to fail \(!\)\n/);

  const dropped = run(policy({}, '/svc/hello/80/world => 1 * ! & 1 * /svc/hello/80/world-v1'));
  assert.deepEqual(dropped.outcomes, [{ percent: 100, authority: V1, endpoints: 2 }]);

  const stopped = run(policy({}, '/svc/hello/80/world => ! | /svc/hello/80/world-v1'));
  assert.deepEqual(stopped.outcomes, [{ percent: 100, error: '503 LOOM_ERR_DTAB: the dtab says to fail (!)' }]);
  const unreached = run(policy({}, '/svc/hello/80/world => /svc/hello/80/world-v1 | !'));
  assert.deepEqual(leaves(unreached.backends[0]?.tree ?? { kind: 'neg', sharePercent: 0 }), [`/#/loom.svc/hello/80/world-v1 -> ${V1} 100%`, 'fail 0%', `/#/loom.svc/hello/80/world -> ${WORLD} 0%`]);
});

test('a neg branch falls through to the next; a name no dentry binds falls through to the base dentry', () => {
  const d = run(policy({}, '/svc/hello/80/world => /nowhere | /svc/hello/80/world-v2'));
  const [b] = d.backends;
  assert.ok(b?.trace.some((t) => t.kind === 'neg' && t.path === '/nowhere'), 'the trace shows the neg');
  assert.deepEqual(d.outcomes, [{ percent: 100, authority: V2, endpoints: 1 }]);

  const tilde = run(policy({}, '/svc/hello/80/world => ~'));
  assert.deepEqual(tilde.outcomes, [{ percent: 100, authority: WORLD, endpoints: 1 }]);
  assert.equal(tilde.backends[0]?.trace[0]?.result, '~');
});

test('a name that is neither bound nor dialable, an IP address and a name outside the mesh', () => {
  const d = run(policy({}, '/svc/hello/80/world => /#/io.l5d.k8s/hello/80/world & /$/inet/127.0.0.1/9000'));
  const tree = d.backends[0]?.tree;
  assert.deepEqual(leaves(tree ?? { kind: 'neg', sharePercent: 0 }).slice(0, 2), [
    '/#/io.l5d.k8s/hello/80/world -> 503 LOOM_ERR_DTAB: not a name Loom can dial; use /#/loom.svc/<ns>/<port>/<svc> or /$/inet/<host>/<port> 50%',
    '/$/inet/127.0.0.1/9000 -> 127.0.0.1:9000 50%',
  ]);
  assert.deepEqual(d.outcomes, [
    { percent: 50, error: '503 LOOM_ERR_DTAB: not a name Loom can dial; use /#/loom.svc/<ns>/<port>/<svc> or /$/inet/<host>/<port>' },
    { percent: 50, authority: '127.0.0.1:9000', endpoints: 1 },
  ]);

  const outside = run({ name: 'example.com:443', httpRoutes: [], grpcRoutes: [] });
  assert.equal(outside.dtabPath, undefined);
  assert.deepEqual(outside.backends[0]?.tree, { kind: 'leaf', sharePercent: 100, authority: 'example.com:443', problem: 'not a <svc>.<ns>.svc:<port> name: sent as is, without delegation', endpoints: [] });
  assert.match(formatDiagnosis(outside), /no endpoints: requests wait for one, then fail/);
});

test('a request no route matches is the proxy\'s 404 LOOM_ERR_NO_ROUTE, and nothing is delegated', () => {
  const d = run(policy({ httpRoutes: [httpRoute([{ matches: [{ path: { type: 'PathPrefix', value: '/api' } }], backendRefs: [{ name: 'world-v1', port: 80 }] }])] }), { path: '/x' });
  assert.deepEqual(d.route, { matched: false, answer: '404 LOOM_ERR_NO_ROUTE: no route of world.hello.svc:80 matches GET /x; add a rule that matches it or check the route\'s matches' });
  assert.deepEqual(d.backends, []);
  assert.deepEqual(d.outcomes, [{ percent: 100, error: '404 LOOM_ERR_NO_ROUTE' }]);
  assert.match(formatDiagnosis(d), /\nroute: none; 404 LOOM_ERR_NO_ROUTE/);
  assert.equal(run(policy({ httpRoutes: d.route.matched ? [] : [httpRoute([{ matches: [{ path: { value: '/api' } }] }])] }), { path: '/api/x' }).route.matched, true);
});

test('a ServiceProfile route names, times and retries the request; other requests take [DEFAULT]', () => {
  const r = parseResource({
    apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'world.hello.svc.cluster.local', namespace: 'hello' },
    spec: { routes: [{ name: 'GET /books/{id}', condition: { method: 'GET', pathRegex: '/books/\\d+' }, timeout: '300ms', isRetryable: true }] },
  });
  assert.ok(r.ok, JSON.stringify(!r.ok && r.problems));
  const p = policy({ profile: r.resource as ServiceProfileResource });
  const d = run(p, { path: '/books/7' });
  assert.ok(d.route.matched);
  assert.deepEqual([d.route.name, d.route.source, d.route.timeoutMs, d.route.retry?.maxRetries], ['GET /books/{id}', 'profile', 300, 10]);
  assert.deepEqual(d.outcomes, [{ percent: 100, authority: WORLD, endpoints: 1 }]);
  const other = run(p, { path: '/authors' });
  assert.equal(other.route.matched && other.route.name, '[DEFAULT]');
  assert.deepEqual(d.problems, []);
  // With an HTTPRoute as well, the route decides and the profile's routes are set aside: say so.
  const both = run({ ...p, httpRoutes: [httpRoute([{}])] }, { path: '/books/7' });
  assert.equal(both.route.matched && both.route.source, 'routes');
  assert.match(both.problems.join('\n'), /ServiceProfile world\.hello\.svc\.cluster\.local's routes are not used/);
});

test('a redirect answers without asking a backend', () => {
  const d = run(policy({ httpRoutes: [httpRoute([{ filters: [{ type: 'RequestRedirect', requestRedirect: { hostname: 'elsewhere', statusCode: 301 } }] }])] }), { path: '/a?b=1' });
  assert.ok(d.route.matched);
  assert.deepEqual(d.route.redirect, { statusCode: 301, location: 'http://elsewhere:80/a?b=1'.replace(':80', '') });
  assert.deepEqual(d.backends, []);
  assert.match(formatDiagnosis(d), /redirect: answers 301 with Location http:\/\/elsewhere\/a\?b=1; no backend is asked/);
});

test('regression: a union member that binds nothing gives its share to the others by weight, in the picker and the diagnosis alike', () => {
  // The picker once drew again with the same number, so `$ & v1 & v2` sent 2/3 to v1.
  const cases: [string, number, number][] = [
    ['1 * $ & 1 * /svc/hello/80/world-v1 & 1 * /svc/hello/80/world-v2', 50, 50],
    ['2 * /unbound/name & 1 * /svc/hello/80/world-v1 & 3 * /svc/hello/80/world-v2', 25, 75],
  ];
  for (const [rhs, v1Percent, v2Percent] of cases) {
    const text = `/svc/hello/80/world => ${rhs}`;
    const d = run(policy({}, text));
    assert.deepEqual(d.outcomes.map((o) => [o.authority, Math.round(o.percent * 100) / 100]), [[V1, v1Percent], [V2, v2Percent]], rhs);
    const parsed = parseDtab(text);
    assert.ok(parsed.ok);
    const tree = resolve([BASE_DENTRY, ...parsed.value], ['svc', 'hello', '80', 'world']).tree;
    let v1 = 0;
    const N = 4000;
    for (let i = 0; i < N; i++) {
      const p = pickBound(tree, (i + 0.5) / N);
      if (p.kind === 'bound' && boundToAuthority(p.name) === V1) v1++;
    }
    // An evenly spaced grid of numbers: a slot boundary may round either way.
    assert.ok(Math.abs(v1 - (N * v1Percent) / 100) <= 1, `the picker itself: ${rhs}: ${v1} of ${N} to v1`);
  }
});
