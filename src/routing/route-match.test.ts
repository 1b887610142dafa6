import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseResource, type GRPCRouteResource, type HTTPRouteResource } from '../resources/index.js';
import { compileGrpcRoutes, compileHttpRoutes, parseGrpcPath, pickBackend, type RequestHead } from './route-match.js';

/** mulberry32: a tiny seeded PRNG, so failures replay. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function httpRoute(name: string, rules: unknown[]): HTTPRouteResource {
  const result = parseResource({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name },
    spec: { parentRefs: [{ kind: 'Service', name: 'web' }], rules },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.resource as HTTPRouteResource;
}

function grpcRoute(name: string, rules: unknown[]): GRPCRouteResource {
  const result = parseResource({
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'GRPCRoute',
    metadata: { name },
    spec: { parentRefs: [{ kind: 'Service', name: 'emoji' }], rules },
  });
  assert.ok(result.ok, JSON.stringify(!result.ok && result.problems));
  return result.resource as GRPCRouteResource;
}

const head = (path: string, extra: Partial<RequestHead> = {}): RequestHead => ({ method: 'GET', path, headers: {}, ...extra });
const to = (name: string) => ({ backendRefs: [{ name, port: 80 }] });

/** Names the backend of the rule that matched, or undefined. */
function routedTo(routes: HTTPRouteResource[], request: RequestHead): string | undefined {
  return compileHttpRoutes(routes).match(request)?.rule.backendRefs[0]?.name;
}

test('an exact path wins over any prefix, whatever the order', () => {
  const routes = [httpRoute('a', [{ matches: [{ path: { value: '/api/users' } }], ...to('prefix') }, { matches: [{ path: { type: 'Exact', value: '/api/users' } }], ...to('exact') }])];
  assert.equal(routedTo(routes, head('/api/users')), 'exact');
  assert.equal(routedTo(routes, head('/api/users/7')), 'prefix');
});

test('the longer prefix wins, and prefixes match whole segments', () => {
  const routes = [httpRoute('a', [{ matches: [{ path: { value: '/' } }], ...to('root') }, { matches: [{ path: { value: '/api/' } }], ...to('api') }])];
  assert.equal(routedTo(routes, head('/api')), 'api');
  assert.equal(routedTo(routes, head('/api/v1?x=1')), 'api');
  assert.equal(routedTo(routes, head('/apis')), 'root');
});

test('a regex path ranks between exact and prefix, and matches the whole path', () => {
  const routes = [
    httpRoute('a', [
      { matches: [{ path: { value: '/users' } }], ...to('prefix') },
      { matches: [{ path: { type: 'RegularExpression', value: '/users/[0-9]+' } }], ...to('regex') },
      { matches: [{ path: { type: 'Exact', value: '/users/0' } }], ...to('exact') },
    ]),
  ];
  assert.equal(routedTo(routes, head('/users/42')), 'regex');
  assert.equal(routedTo(routes, head('/users/0')), 'exact');
  assert.equal(routedTo(routes, head('/users/42/posts')), 'prefix');
});

test('with equal paths, a method match beats header matches, and more headers beat more query params', () => {
  const routes = [
    httpRoute('a', [
      { matches: [{ queryParams: [{ name: 'a', value: '1' }, { name: 'b', value: '2' }] }], ...to('query') },
      { matches: [{ headers: [{ name: 'x-a', value: '1' }, { name: 'x-b', value: '2' }] }], ...to('headers') },
      { matches: [{ method: 'POST' }], ...to('method') },
      { matches: [{ headers: [{ name: 'X-A', value: '1' }], queryParams: [{ name: 'a', value: '1' }] }], ...to('one-of-each') },
    ]),
  ];
  const headers = { 'x-a': '1', 'x-b': '2' };
  assert.equal(routedTo(routes, head('/?a=1&b=2', { method: 'POST', headers })), 'method');
  assert.equal(routedTo(routes, head('/?a=1&b=2', { headers })), 'headers');
  assert.equal(routedTo(routes, head('/?a=1&b=2', { headers: { 'x-a': '1' } })), 'one-of-each');
  assert.equal(routedTo(routes, head('/?a=1&b=2')), 'query');
  assert.equal(routedTo(routes, head('/?a=1')), undefined);
});

test('among equals, the earlier route and then the earlier rule wins', () => {
  const first = httpRoute('first', [{ matches: [{ path: { value: '/a' } }], ...to('first-0') }, { matches: [{ path: { value: '/a' } }], ...to('first-1') }]);
  const second = httpRoute('second', [{ matches: [{ path: { value: '/a' } }], ...to('second-0') }]);
  assert.equal(routedTo([first, second], head('/a')), 'first-0');
  assert.equal(routedTo([second, first], head('/a')), 'second-0');
  const found = compileHttpRoutes([second, first]).match(head('/a/b'));
  assert.equal(found?.route, second);
  assert.deepEqual([found?.routeIndex, found?.ruleIndex], [0, 0]);
});

test('header-based routing in front of a canary split', () => {
  const routes = [
    httpRoute('web', [
      { backendRefs: [{ name: 'web-v1', port: 80, weight: 90 }, { name: 'web-v2', port: 80, weight: 10 }] },
      { matches: [{ headers: [{ name: 'x-canary', value: 'always' }] }], backendRefs: [{ name: 'web-v2', port: 80 }] },
      { matches: [{ headers: [{ type: 'RegularExpression', name: 'cookie', value: '.*beta=1.*' }] }], backendRefs: [{ name: 'web-beta', port: 80 }] },
    ]),
  ];
  const matcher = compileHttpRoutes(routes);
  assert.equal(matcher.match(head('/shop', { headers: { 'x-canary': 'always' } }))?.ruleIndex, 1);
  assert.equal(matcher.match(head('/shop', { headers: { 'x-canary': 'Always' } }))?.ruleIndex, 0);
  assert.equal(matcher.match(head('/shop', { headers: { cookie: ['a=1', 'beta=1'] } }))?.ruleIndex, 2);
  const split = matcher.match(head('/shop'));
  assert.equal(split?.ruleIndex, 0);
  assert.equal(split && pickBackend(split.rule, () => 0.95)?.name, 'web-v2');
  assert.equal(split && pickBackend(split.rule, () => 0.5)?.name, 'web-v1');
});

test('gRPC paths are parsed as /package.Service/Method', () => {
  assert.deepEqual(parseGrpcPath('/emojivoto.v1.EmojiService/ListAll'), { service: 'emojivoto.v1.EmojiService', method: 'ListAll' });
  for (const path of ['/', '/svc', '/svc/', '//m', 'svc/m', '/a/b/c', '']) assert.equal(parseGrpcPath(path), undefined, path);
});

test('gRPC: longer service, then longer method, then more headers; a rule without matches catches the rest', () => {
  const route = grpcRoute('emoji', [
    { backendRefs: [{ name: 'catch-all', port: 8080 }] },
    { matches: [{ method: { method: 'ListAll' } }], backendRefs: [{ name: 'method-only', port: 8080 }] },
    { matches: [{ method: { service: 'emojivoto.v1.EmojiService' } }], backendRefs: [{ name: 'service', port: 8080 }] },
    { matches: [{ method: { service: 'emojivoto.v1.EmojiService', method: 'ListAll' } }], backendRefs: [{ name: 'both', port: 8080 }] },
    { matches: [{ method: { type: 'RegularExpression', service: 'emojivoto\\.v1\\.EmojiService', method: 'List.*' }, headers: [{ name: 'x-beta', value: '1' }] }], backendRefs: [{ name: 'regex-beta', port: 8080 }] },
  ]);
  const matcher = compileGrpcRoutes([route]);
  const to = (path: string, headers: RequestHead['headers'] = {}) => matcher.match({ method: 'POST', path, headers })?.rule.backendRefs[0]?.name;
  assert.equal(to('/emojivoto.v1.EmojiService/ListAll'), 'both');
  assert.equal(to('/emojivoto.v1.EmojiService/FindByShortcode'), 'service');
  assert.equal(to('/other.Service/ListAll'), 'method-only');
  assert.equal(to('/other.Service/Get'), 'catch-all');
  assert.equal(to('/not-grpc'), 'catch-all');
  // The regex names more characters of service and method than the exact match, so it ranks first.
  assert.equal(to('/emojivoto.v1.EmojiService/ListAll', { 'x-beta': '1' }), 'regex-beta');
});

test('weights: over 10,000 seeded picks each backend gets its share within 2%', () => {
  const rule = {
    backendRefs: [
      { name: 'a', weight: 90 },
      { name: 'b', weight: 10 },
      { name: 'off', weight: 0 },
    ],
  };
  for (const seed of [1, 7, 2024]) {
    const random = seeded(seed);
    const counts = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const name = pickBackend(rule, random)?.name ?? 'none';
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    assert.ok(Math.abs((counts.get('a') ?? 0) / 10_000 - 0.9) <= 0.02, `seed ${seed}: ${JSON.stringify([...counts])}`);
    assert.ok(Math.abs((counts.get('b') ?? 0) / 10_000 - 0.1) <= 0.02, `seed ${seed}: ${JSON.stringify([...counts])}`);
    assert.equal(counts.get('off'), undefined);
  }
});

test('weights: all zero, or no backends, leaves no backend (the caller answers 503)', () => {
  assert.equal(pickBackend({ backendRefs: [{ weight: 0 }, { weight: 0 }] }, Math.random), undefined);
  assert.equal(pickBackend({ backendRefs: [] }, Math.random), undefined);
  const lastOn = { name: 'on', weight: 1 };
  assert.equal(pickBackend({ backendRefs: [lastOn, { name: 'off', weight: 0 }] }, () => 0.999999999), lastOn);
});

test('property: random request heads against random valid routes never throw', () => {
  const random = seeded(42);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const paths = ['/', '/api', '/api/', '/api/v1', '/users/12', '/a//b', '/%zz', '/ü', '/pkg.Svc/Get'];
  const regexes = ['.*', '/api/.*', '[a-z]+', '(a|b)*c', '\\d{1,3}', '', '^/x$', 'Svc'];
  const names = ['x-a', 'X-B', 'cookie', 'host'];
  const values = ['1', 'beta', '', 'ü'];
  const pathMatch = () => {
    const type = pick(['Exact', 'PathPrefix', 'RegularExpression'] as const);
    return { type, value: type === 'RegularExpression' ? pick(regexes) : pick(paths) };
  };
  const valueMatch = () => {
    const type = pick(['Exact', 'RegularExpression'] as const);
    return { type, name: pick(names), value: type === 'RegularExpression' ? pick(regexes) : pick(values) };
  };
  const few = <T>(make: () => T, max: number): T[] => Array.from({ length: Math.floor(random() * (max + 1)) }, make);
  const unique = <T extends { name: string }>(items: T[]) => items.filter((m, i) => items.findIndex((o) => o.name.toLowerCase() === m.name.toLowerCase()) === i);
  const backends = () => few(() => ({ name: pick(['a', 'b', 'c']), port: 80, weight: Math.floor(random() * 3) }), 3);

  const requestPaths = [...paths, '', '?', '/?a=1&a=2', '/x?%zz=%', '/?b=&c', 'no-slash', '/pkg.Svc/Get?x', '/'.repeat(200), `/${'a'.repeat(5000)}`];
  const requestHeaders = (): RequestHead['headers'] => Object.fromEntries(few(() => [pick(names).toLowerCase(), random() < 0.3 ? [pick(values), pick(values)] : pick(values)], 3));

  for (let round = 0; round < 200; round++) {
    const httpRoutes = few(
      () => httpRoute(`r${round}`, few(() => ({ matches: few(() => ({ path: pathMatch(), headers: unique(few(valueMatch, 2)), queryParams: unique(few(valueMatch, 2)), ...(random() < 0.3 && { method: pick(['GET', 'POST']) }) }), 2), backendRefs: backends() }), 3)),
      3,
    );
    const grpcRoutes = few(
      () => grpcRoute(`g${round}`, few(() => ({ matches: few(() => ({ method: { type: 'RegularExpression', service: pick(regexes) }, headers: unique(few(valueMatch, 2)) }), 2), backendRefs: backends() }), 3)),
      2,
    );
    const http = compileHttpRoutes(httpRoutes);
    const grpc = compileGrpcRoutes(grpcRoutes);
    for (let i = 0; i < 20; i++) {
      const request = { method: pick(['GET', 'POST', 'get', 'BREW']), path: pick(requestPaths) + (random() < 0.3 ? `?${pick(names)}=${pick(values)}` : ''), headers: requestHeaders(), authority: 'web' };
      const found = http.match(request);
      if (found) assert.ok(httpRoutes[found.routeIndex]?.spec.rules[found.ruleIndex] === found.rule);
      if (found) pickBackend(found.rule, random);
      grpc.match(request);
    }
  }
});

test('routing imports nothing from proxy, control or platform', () => {
  const source = readFileSync(new URL('route-match.ts', import.meta.url), 'utf8');
  for (const [, from = ''] of source.matchAll(/from '([^']+)'/g)) {
    assert.ok(from.startsWith('./') || from === '../resources/index.js', `route-match.ts imports ${from}`);
  }
});
