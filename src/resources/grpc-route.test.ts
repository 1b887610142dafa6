import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseResource, type GRPCRouteResource, type ResourceProblem } from './index.js';
import { problems } from './parse.test-helper.js';


const route = (rule: Record<string, unknown>) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'GRPCRoute',
  metadata: { name: 'emoji' },
  spec: { parentRefs: [{ kind: 'Service', name: 'emoji-svc', port: 8080 }], rules: [rule] },
});

test('a method match with a weighted split and header routing, defaults filled in', () => {
  const result = parseResource(
    parse(`
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: emoji, namespace: emojivoto}
spec:
  parentRefs: [{kind: Service, name: emoji-svc, port: 8080}]
  rules:
    - matches:
        - method: {service: emojivoto.v1.EmojiService, method: ListAll}
          headers: [{name: x-canary, value: "1"}]
      backendRefs: [{name: emoji-v2, port: 8080}]
    - backendRefs:
        - {name: emoji-v1, port: 8080, weight: 90}
        - {name: emoji-v2, port: 8080, weight: 10}
`),
  );
  assert.ok(result.ok && result.resource.kind === 'GRPCRoute');
  const { spec } = result.resource as GRPCRouteResource;
  assert.deepEqual(spec.rules, [
    {
      matches: [
        {
          method: { type: 'Exact', service: 'emojivoto.v1.EmojiService', method: 'ListAll' },
          headers: [{ type: 'Exact', name: 'x-canary', value: '1' }],
        },
      ],
      filters: [],
      backendRefs: [{ name: 'emoji-v2', port: 8080, weight: 1 }],
    },
    {
      matches: [],
      filters: [],
      backendRefs: [
        { name: 'emoji-v1', port: 8080, weight: 90 },
        { name: 'emoji-v2', port: 8080, weight: 10 },
      ],
    },
  ]);
});

const rejections: [string, Record<string, unknown>, ResourceProblem[]][] = [
  [
    'a method match naming nothing',
    { matches: [{ method: { type: 'Exact' } }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'method'], at: 'value', message: 'names neither a service nor a method; add service: <package.Service>, method: <Method> or both' }],
  ],
  [
    'a service name that is not one',
    { matches: [{ method: { service: 'emojivoto/EmojiService' } }] },
    [
      {
        path: ['spec', 'rules', 0, 'matches', 0, 'method', 'service'],
        at: 'value',
        message: '"emojivoto/EmojiService" is not a gRPC service name; write e.g. emojivoto.v1.EmojiService, or set type: RegularExpression',
      },
    ],
  ],
  [
    'a bad method regex',
    { matches: [{ method: { type: 'RegularExpression', method: 'List(All' } }] },
    [{ path: ['spec', 'rules', 0, 'matches', 0, 'method', 'method'], at: 'value', message: '"List(All" is not a valid regular expression; check its brackets, parentheses and escapes' }],
  ],
  [
    'a negative weight',
    { backendRefs: [{ name: 'emoji-v1', port: 8080, weight: -1 }] },
    [{ path: ['spec', 'rules', 0, 'backendRefs', 0, 'weight'], at: 'value', message: '-1 is not a weight; use a whole number from 0 to 1000000 (0 sends no traffic)' }],
  ],
  [
    'a filter gRPC routes do not have',
    { filters: [{ type: 'RequestRedirect', requestRedirect: {} }] },
    [{ path: ['spec', 'rules', 0, 'filters', 0, 'type'], at: 'value', message: 'filter type "RequestRedirect" is unknown; use one of: RequestHeaderModifier, ResponseHeaderModifier' }],
  ],
  [
    'HTTP-only fields',
    { timeouts: { request: '1s' } },
    [{ path: ['spec', 'rules', 0, 'timeouts'], at: 'key', message: 'unknown field "timeouts"; remove it or use one of: name, matches, filters, backendRefs' }],
  ],
];

for (const [what, rule, expected] of rejections) {
  test(`rejected: ${what}`, () => assert.deepEqual(problems(route(rule)), expected));
}
