import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseResources } from '../platform/local/mesh-file.js';
import { MeshFileError } from '../platform/local/mesh-file-error.js';
import { goDurationMs, type ResourceProblem, type ServiceProfileResource } from './index.js';
import { accepted as acceptedAs, problems } from './parse.test-helper.js';

const accepted = (document: unknown): ServiceProfileResource => acceptedAs(document, 'ServiceProfile');

const profile = (spec: Record<string, unknown>) => ({
  apiVersion: 'loom.io/v1alpha2',
  kind: 'ServiceProfile',
  metadata: { name: 'books.library.svc.cluster.local', namespace: 'library' },
  spec,
});

const routeWith = (fields: Record<string, unknown>) => profile({ routes: [{ name: 'GET /books', condition: { method: 'GET' }, ...fields }] });

const messages = (found: ResourceProblem[]) => found.map((p) => `${p.path.join('.')}: ${p.message}`);

test("Linkerd's full shape is accepted, with defaults filled in", () => {
  const books = accepted(
    parse(String.raw`
apiVersion: loom.io/v1alpha2
kind: ServiceProfile
metadata: {name: books.library.svc.cluster.local, namespace: library}
spec:
  routes:
    - name: GET /books/{id}
      condition:
        method: GET
        pathRegex: /books/\d+
      responseClasses:
        - condition:
            all:
              - status: {min: 500, max: 599}
              - not: {status: {min: 503}}
          isFailure: true
        - condition: {any: [{status: {max: 429}}, {status: {min: 404}}]}
      isRetryable: true
      timeout: 1.5s
    - name: not-delete
      condition:
        any:
          - all: [{method: POST}, {pathRegex: '/books/\d+'}]
          - not: {method: DELETE}
  retryBudget: {retryRatio: 0.5}
  opaquePorts: [5432]
`),
  );
  assert.deepEqual(books.spec, {
    routes: [
      {
        name: 'GET /books/{id}',
        condition: { method: 'GET', pathRegex: '/books/\\d+' },
        responseClasses: [
          { condition: { all: [{ status: { min: 500, max: 599 } }, { not: { status: { min: 503 } } }] }, isFailure: true },
          { condition: { any: [{ status: { max: 429 } }, { status: { min: 404 } }] }, isFailure: false },
        ],
        isRetryable: true,
        timeout: '1.5s',
      },
      {
        name: 'not-delete',
        condition: { any: [{ all: [{ method: 'POST' }, { pathRegex: '/books/\\d+' }] }, { not: { method: 'DELETE' } }] },
        responseClasses: [],
        isRetryable: false,
      },
    ],
    retryBudget: { retryRatio: 0.5, minRetriesPerSecond: 10, ttl: '10s' },
    opaquePorts: [5432],
  });
});

test('an empty spec is a profile with no routes, no budget and no opaque ports', () => {
  assert.deepEqual(accepted(profile({})).spec, { routes: [], opaquePorts: [] });
});

test('a bad regex deep in a condition is reported at its path', () => {
  const doc = profile({ routes: [{ name: 'r', condition: { any: [{ method: 'GET' }, { not: { pathRegex: '/books/(\\d+' } }] } }] });
  assert.deepEqual(problems(doc), [
    {
      path: ['spec', 'routes', 0, 'condition', 'any', 1, 'not', 'pathRegex'],
      at: 'value',
      message: '"/books/(\\\\d+" is not a valid regular expression; check its brackets, parentheses and escapes',
    },
  ]);
});

test('the mesh-file loader puts a nested problem at its file, line and column', () => {
  const text = [
    'apiVersion: loom.io/v1alpha2',
    'kind: ServiceProfile',
    'metadata: {name: books.library.svc.cluster.local}',
    'spec:',
    '  routes:',
    '    - name: r',
    '      condition:',
    '        all:',
    "          - pathRegex: '[a-'",
    '',
  ].join('\n');
  assert.throws(() => parseResources(text, 'profile.yaml'), (err: unknown) => {
    assert.ok(err instanceof MeshFileError);
    assert.match(err.lines.join('\n'), /^profile\.yaml:9:24: ServiceProfile\/books\.library\.svc\.cluster\.local spec\.routes\[0\]\.condition\.all\[0\]\.pathRegex: "\[a-" is not a valid regular expression/);
    return true;
  });
});

test('route names are unique', () => {
  const doc = profile({ routes: [{ name: 'books', condition: { method: 'GET' } }, { name: 'books', condition: { method: 'POST' } }] });
  assert.deepEqual(messages(problems(doc)), ['spec.routes.1.name: route "books" is listed twice; list it once']);
});

test('a status range with min above max, an empty one and one outside 100-599', () => {
  const doc = routeWith({
    responseClasses: [
      { condition: { status: { min: 503, max: 500 } } },
      { condition: { not: { status: {} } } },
      { condition: { status: { min: 99, max: 600 } } },
    ],
  });
  assert.deepEqual(messages(problems(doc)), [
    'spec.routes.0.responseClasses.0.condition.status.max: 500 is below min (503); make max 503 or more',
    'spec.routes.0.responseClasses.1.condition.not.status: is empty; set min, max or both (only one matches just that status)',
    'spec.routes.0.responseClasses.2.condition.status.min: 99 is not an HTTP status; use a whole number from 100 to 599',
    'spec.routes.0.responseClasses.2.condition.status.max: 600 is not an HTTP status; use a whole number from 100 to 599',
  ]);
});

test('durations are Go durations: a bad one, a zero timeout and a ttl the proxy would drop', () => {
  assert.deepEqual(messages(problems(routeWith({ timeout: '10 seconds' }))), [
    'spec.routes.0.timeout: "10 seconds" is not a duration; write numbers with units (h, m, s, ms, us, ns), e.g. "300ms", "1.5s" or "1m30s"',
  ]);
  assert.deepEqual(messages(problems(routeWith({ timeout: '0s' }))), [
    'spec.routes.0.timeout: a zero timeout would fail every request; write a positive duration, e.g. 300ms, or remove timeout',
  ]);
  assert.deepEqual(messages(problems(profile({ retryBudget: { ttl: '2m', retryRatio: 20, minRetriesPerSecond: 1.5 } }))), [
    'spec.retryBudget.retryRatio: 20 is not a retry ratio; use a number from 0 to 10 (0.2 lets retries add 20% to the requests)',
    'spec.retryBudget.minRetriesPerSecond: 1.5 is not a number of retries; use a whole number, 0 or more',
    'spec.retryBudget.ttl: "2m" is outside the retry window\'s range; use a duration from 1s to 60s, e.g. 10s',
  ]);
});

test('goDurationMs reads what time.ParseDuration reads, and nothing else', () => {
  const read: Record<string, number> = { '0': 0, '300ms': 300, '1.5s': 1500, '.5s': 500, '2m': 120_000, '1m30s': 90_000, '1h0m0.5s': 3_600_500, '1500us': 1.5, '2µs': 0.002, '1000000ns': 1 };
  for (const [text, ms] of Object.entries(read)) assert.equal(goDurationMs(text), ms, text);
  for (const text of ['', '1', '-1s', '+1s', 's', '.s', '1.5.s', '1d', '1 s', '1S', 'ms']) assert.equal(goDurationMs(text), undefined, text);
});

test('unknown fields are named with the allowed ones, at every depth', () => {
  const doc = profile({ routes: [{ name: 'r', condition: { method: 'GET', pathregex: '/x' }, retries: 3 }], dstOverrides: [] });
  assert.deepEqual(messages(problems(doc)), [
    'spec.routes.0.condition.pathregex: unknown field "pathregex"; did you mean "pathRegex"? remove it or use one of: method, pathRegex, all, any, not',
    'spec.routes.0.retries: unknown field "retries"; remove it or use one of: name, condition, responseClasses, isRetryable, timeout',
    'spec.dstOverrides: unknown field "dstOverrides"; remove it or use one of: routes, retryBudget, opaquePorts',
  ]);
});

test('an empty condition is rejected, in a route and in a response class', () => {
  const doc = profile({
    routes: [
      { name: 'a', condition: {} },
      { name: 'b', condition: { all: [{ not: {} }] }, responseClasses: [{ condition: {} }] },
      { name: 'c', condition: { pathRegex: '' } },
    ],
  });
  assert.deepEqual(messages(problems(doc)), [
    'spec.routes.0.condition: is an empty condition; set at least one of method, pathRegex, all, any or not',
    'spec.routes.1.condition.all.0.not: is an empty condition; set at least one of method, pathRegex, all, any or not',
    'spec.routes.1.responseClasses.0.condition: is an empty condition; set at least one of status, all, any or not',
    'spec.routes.2.condition.pathRegex: is empty; write a regular expression for the path, e.g. /books/\\d+, or remove pathRegex',
  ]);
});

test('a route needs a condition, and a method is written in capitals', () => {
  const doc = profile({ routes: [{ name: 'a' }, { name: 'b', condition: { method: 'get' } }] });
  assert.deepEqual(messages(problems(doc)), [
    'spec.routes.0.condition: required field is missing; add condition: <a map>',
    'spec.routes.1.condition.method: write an HTTP method in capitals, e.g. GET',
  ]);
});
