import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { durationMs, type HTTPRouteResource, type ResourceProblem } from './index.js';
import { accepted as acceptedAs, problems } from './parse.test-helper.js';

const accepted = (document: unknown): HTTPRouteResource => acceptedAs(document, 'HTTPRoute');



const route = (rule: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'web' },
  spec: { parentRefs: [{ kind: 'Service', name: 'web', port: 80 }], rules: [rule] },
});

test('canary: a 90/10 split of a Service, with defaults filled in', () => {
  const canary = accepted(
    parse(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-canary, namespace: shop}
spec:
  parentRefs: [{group: "", kind: Service, name: web, port: 80}]
  rules:
    - backendRefs:
        - {name: web-v1, port: 80, weight: 90}
        - {name: web-v2, port: 80, weight: 10}
      timeouts: {request: 10s, backendRequest: 500ms}
`),
  );
  assert.deepEqual(canary, {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'web-canary', namespace: 'shop' },
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: 'web', port: 80 }],
      rules: [
        {
          matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }],
          filters: [],
          backendRefs: [
            { name: 'web-v1', port: 80, weight: 90 },
            { name: 'web-v2', port: 80, weight: 10 },
          ],
          timeouts: { request: '10s', backendRequest: '500ms' },
        },
      ],
    },
  });
});

test('header-based routing with filters and the loom extension', () => {
  const routed = accepted(
    parse(`
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web-beta}
spec:
  parentRefs: [{kind: Service, name: web}]
  rules:
    - matches:
        - headers: [{name: x-beta, value: "true"}]
          queryParams: [{type: RegularExpression, name: v, value: "2(\\\\.\\\\d+)?"}]
          method: GET
      filters:
        - type: RequestHeaderModifier
          requestHeaderModifier: {set: [{name: x-route, value: beta}], remove: [x-debug]}
      backendRefs: [{name: web-beta, port: 8080}]
      loom:
        retry: {attempts: 2, codes: [502, 503], backoff: 100ms}
        fault:
          abort: {status: 503, percent: 1.5}
          delay: {duration: 2s, percent: 10}
    - matches: [{path: {type: Exact, value: /old}}]
      filters:
        - type: RequestRedirect
          requestRedirect: {scheme: https, path: {type: ReplaceFullPath, replaceFullPath: /new}}
`),
  );
  assert.equal(routed.metadata.namespace, 'default');
  assert.deepEqual(routed.spec.rules[0], {
    matches: [
      {
        path: { type: 'PathPrefix', value: '/' },
        headers: [{ type: 'Exact', name: 'x-beta', value: 'true' }],
        queryParams: [{ type: 'RegularExpression', name: 'v', value: '2(\\.\\d+)?' }],
        method: 'GET',
      },
    ],
    filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-route', value: 'beta' }], remove: ['x-debug'] } }],
    backendRefs: [{ name: 'web-beta', port: 8080, weight: 1 }],
    loom: { retry: { attempts: 2, codes: [502, 503], backoff: '100ms' }, fault: { abort: { status: 503, percent: 1.5 }, delay: { duration: '2s', percent: 10 } } },
  });
  assert.deepEqual(routed.spec.rules[1]?.filters, [
    { type: 'RequestRedirect', requestRedirect: { scheme: 'https', path: { type: 'ReplaceFullPath', replaceFullPath: '/new' }, statusCode: 302 } },
  ]);
});

test('a route without rules sends everything to its parent by default', () => {
  const bare = accepted({ ...route({}), spec: { parentRefs: [{ kind: 'Service', name: 'web' }] } });
  assert.deepEqual(bare.spec.rules, [{ matches: [{ path: { type: 'PathPrefix', value: '/' }, headers: [], queryParams: [] }], filters: [], backendRefs: [] }]);
});

test('durations are Gateway API durations', () => {
  assert.equal(durationMs('10s'), 10_000);
  assert.equal(durationMs('500ms'), 500);
  assert.equal(durationMs('1h30m5s'), 5_405_000);
});

const rejections: [string, Record<string, unknown>, ResourceProblem[]][] = [
  [
    'a bad path regex',
    { matches: [{ path: { type: 'RegularExpression', value: '/api/(v1' } }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'path', 'value'], at: 'value', message: '"/api/(v1" is not a valid regular expression; check its brackets, parentheses and escapes' }],
  ],
  [
    'a bad header regex',
    { matches: [{ headers: [{ type: 'RegularExpression', name: 'x-user', value: '[a-' }] }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'headers', 0, 'value'], at: 'value', message: '"[a-" is not a valid regular expression; check its brackets, parentheses and escapes' }],
  ],
  [
    'a path without a leading slash',
    { matches: [{ path: { type: 'PathPrefix', value: 'api' } }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'path', 'value'], at: 'value', message: '"api" is not a path; start it with "/", e.g. /api' }],
  ],
  [
    'a negative weight',
    { backendRefs: [{ name: 'web-v1', port: 80, weight: -5 }] },
    [{ path: ['spec', 'rules', 0, 'backendRefs', 0, 'weight'], at: 'value', message: '-5 is not a weight; use a whole number from 0 to 1000000 (0 sends no traffic)' }],
  ],
  [
    'a backend without a port',
    { backendRefs: [{ name: 'web-v1' }] },
    [{ path: ['spec', 'rules', 0, 'backendRefs', 0, 'port'], at: 'value', message: 'required field is missing; add port: <a number>' }],
  ],
  [
    'a fault percent above 100',
    { loom: { fault: { abort: { status: 503, percent: 150 } } } },
    [{ path: ['spec', 'rules', 0, 'loom', 'fault', 'abort', 'percent'], at: 'value', message: '150 is not a percentage; use a number from 0 to 100' }],
  ],
  [
    'an abort status that is no error',
    { loom: { fault: { abort: { status: 200, percent: 5 } } } },
    [{ path: ['spec', 'rules', 0, 'loom', 'fault', 'abort', 'status'], at: 'value', message: '200 is not an error status; use a status from 400 to 599, e.g. 503' }],
  ],
  [
    'an unknown filter type',
    { filters: [{ type: 'RequestHeaderModifer' }] },
    [{ path: ['spec', 'rules', 0, 'filters', 0, 'type'], at: 'value', message: 'filter type "RequestHeaderModifer" is unknown; use one of: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect' }],
  ],
  [
    'a Gateway API filter Loom does not carry out yet',
    { filters: [{ type: 'URLRewrite', urlRewrite: {} }] },
    [{ path: ['spec', 'rules', 0, 'filters', 0, 'type'], at: 'value', message: 'filter type "URLRewrite" is not supported by Loom yet; use one of: RequestHeaderModifier, ResponseHeaderModifier, RequestRedirect' }],
  ],
  [
    'the same filter twice',
    {
      filters: [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['a'] } },
        { type: 'RequestHeaderModifier', requestHeaderModifier: { remove: ['b'] } },
      ],
    },
    [{ path: ['spec', 'rules', 0, 'filters', 1, 'type'], at: 'value', message: 'RequestHeaderModifier is listed twice in this rule; merge them into one' }],
  ],
  [
    'a redirect status other than 301 or 302',
    { filters: [{ type: 'RequestRedirect', requestRedirect: { statusCode: 307 } }] },
    [{ path: ['spec', 'rules', 0, 'filters', 0, 'requestRedirect', 'statusCode'], at: 'value', message: '307 is not a redirect status; use 301 or 302' }],
  ],
  [
    'a timeout that is not a duration',
    { timeouts: { request: '10' } },
    [{ path: ['spec', 'rules', 0, 'timeouts', 'request'], at: 'value', message: '"10" is not a duration; write a number and a unit (h, m, s or ms), e.g. "10s" or "500ms"' }],
  ],
  [
    'a backend timeout longer than the request timeout',
    { timeouts: { request: '1s', backendRequest: '2s' } },
    [{ path: ['spec', 'rules', 0, 'timeouts', 'backendRequest'], at: 'value', message: 'is longer than request (1s); make it 1s or less' }],
  ],
  [
    'a lowercase method',
    { matches: [{ method: 'get' }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'method'], at: 'value', message: 'write an HTTP method in capitals: one of GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH' }],
  ],
  [
    'a header matched twice in one match',
    { matches: [{ headers: [{ name: 'X-Beta', value: '1' }, { name: 'x-beta', value: '2' }] }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'headers', 1, 'name'], at: 'value', message: 'header "x-beta" is listed twice; list it once' }],
  ],
  [
    'a fault field under the wrong name',
    { loom: { faults: { delay: { duration: '1s', percent: 5 } } } },
    [{ path: ['spec', 'rules', 0, 'loom', 'faults'], at: 'key', message: 'unknown field "faults"; did you mean "fault"? remove it or use one of: retry, fault' }],
  ],
];

for (const [what, rule, expected] of rejections) {
  test(`rejected: ${what}`, () => assert.deepEqual(problems(route(rule)), expected));
}

test('rejected: a parentRef to a Gateway, and no parentRefs at all', () => {
  assert.deepEqual(problems({ ...route({}), spec: { parentRefs: [{ name: 'edge' }] } }), [
    { path: ['spec', 'parentRefs', 0, 'kind'], at: 'value', message: 'Loom routes attach to Services (GAMMA mesh routing), not Gateways; write kind: Service' },
  ]);
  assert.deepEqual(problems({ ...route({}), spec: { parentRefs: [] } }), [
    { path: ['spec', 'parentRefs'], at: 'value', message: 'is empty; add the Service this route applies to, e.g. - kind: Service, name: web' },
  ]);
});
