import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { parseResource, type RequestMatch, type ResponseMatch, type ServiceProfileResource } from '../resources/index.js';
import { Prng } from './dtab/prng.test-helper.js';
import { compileProfile, type CompiledProfile } from './profile-match.js';

/** Compiles the spec of a profile written in YAML, as the control plane would after parseResource. */
function compiled(specYaml: string): CompiledProfile {
  const parsed = parseResource({ apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'books.library.svc.cluster.local' }, spec: parse(specYaml) });
  assert.ok(parsed.ok && parsed.resource.kind === 'ServiceProfile', JSON.stringify(!parsed.ok && parsed.problems));
  return compileProfile(parsed.resource.spec);
}

const BOOKS = String.raw`
routes:
  - name: GET /books/{id}
    condition: {method: GET, pathRegex: /books/\d+}
    timeout: 1m30s
    isRetryable: true
  - name: books-or-authors
    condition: {pathRegex: /books|/authors}
  - name: anything-but-delete
    condition: {not: {method: DELETE}}
`;

test('the first route in list order whose condition holds takes the request', () => {
  const profile = compiled(BOOKS);
  const name = (method: string, path: string) => profile.route(method, path)?.name;
  assert.equal(name('GET', '/books/42'), 'GET /books/{id}');
  assert.equal(name('POST', '/books/42'), 'anything-but-delete');
  assert.equal(name('DELETE', '/books'), 'books-or-authors');
  assert.equal(name('DELETE', '/books/42'), undefined);
  assert.equal(name('get', '/books/42'), 'anything-but-delete', 'methods are case-sensitive');
});

test('pathRegex matches the whole path, without the query string', () => {
  const profile = compiled(BOOKS);
  const name = (path: string) => profile.route('DELETE', path)?.name;
  assert.equal(name('/books?page=2'), 'books-or-authors');
  assert.equal(name('/authors'), 'books-or-authors', 'an alternation is anchored as a whole');
  assert.equal(name('/books/'), undefined);
  assert.equal(name('/v1/books'), undefined);
  assert.equal(name('/booksellers'), undefined, 'not a prefix match');
  assert.equal(compiled('routes: [{name: r, condition: {pathRegex: "^/a$"}}]').route('GET', '/a')?.name, 'r', 'anchors already written are harmless');
});

test('route() returns the compiled routes themselves, with timeout and retryability', () => {
  const profile = compiled(BOOKS);
  const [first, second] = profile.routes;
  assert.equal(profile.route('GET', '/books/1'), first);
  assert.deepEqual({ name: first?.name, isRetryable: first?.isRetryable, timeoutMs: first?.timeoutMs }, { name: 'GET /books/{id}', isRetryable: true, timeoutMs: 90_000 });
  assert.deepEqual({ isRetryable: second?.isRetryable, timeoutMs: second?.timeoutMs }, { isRetryable: false, timeoutMs: undefined });
});

test('the first response class that matches decides; none matching leaves it to the caller', () => {
  const [route] = compiled(`
routes:
  - name: r
    condition: {method: GET}
    responseClasses:
      - condition: {status: {min: 503}}
        isFailure: false
      - condition: {all: [{status: {min: 500, max: 599}}, {not: {status: {max: 504}}}]}
        isFailure: true
      - condition: {any: [{status: {min: 404, max: 404}}, {status: {min: 409, max: 410}}]}
        isFailure: true
      - condition: {status: {min: 400, max: 599}}
`).routes;
  assert.ok(route);
  const classify = (statuses: number[]) => statuses.map((s) => route.isFailure(s));
  // A single bound matches only that status: 503 takes the first class, 504 falls through to the last.
  assert.deepEqual(classify([503, 504, 505, 599]), [false, false, true, true]);
  assert.deepEqual(classify([404, 409, 410, 411, 500]), [true, true, true, false, true]);
  assert.deepEqual(classify([200, 302, 399, 600]), [undefined, undefined, undefined, undefined]);
});

test("the retry budget is the profile's, with defaults for fields left out, or Linkerd's default", () => {
  assert.deepEqual(compiled('routes: []').retryBudget, { retryRatio: 0.2, minRetriesPerSecond: 10, ttlMs: 10_000 });
  assert.deepEqual(compiled('retryBudget: {retryRatio: 1.5, ttl: 2.5s}').retryBudget, { retryRatio: 1.5, minRetriesPerSecond: 10, ttlMs: 2500 });
});

test('a spec that skipped validation fails at compile time, naming the route', () => {
  const spec = { routes: [{ name: 'broken', condition: { pathRegex: '/a(' }, responseClasses: [], isRetryable: false }], opaquePorts: [] } satisfies ServiceProfileResource['spec'];
  assert.throws(() => compileProfile(spec), /route "broken": pathRegex "\/a\(" is not a valid regular expression; check the profile with parseResource/);
});

// Property tests: random nested conditions against random requests and statuses. Each condition is
// also compiled alone, as the oracle for how it combines; a failure names its seed.

const CASES = 1500;
const METHODS = ['GET', 'POST', 'DELETE', 'PATCH', 'get', ''];
const REGEXES = ['/a', '/a/.*', '/books/\\d+', '.*', '/b|/a', '^/a$', '(/a)?/b', '/[^/]*', '[a-z/]+', '/a?', '', 'a', '/(a|b)/\\d*', '^/books', 'c$', '/é', '\\?', '/%2F'];
const SEGMENTS = ['', 'a', 'b', 'c', 'books', '1', '42', 'é', '%2F', '.', '..', '?', 'x?a=1', '#', '*'];
const STATUSES = [100, 200, 204, 302, 404, 429, 499, 500, 503, 504, 599, 0, 99, 600, -1, 1.5, NaN, Infinity];

function genRequestMatch(rng: Prng, depth: number): RequestMatch {
  const match: RequestMatch = {};
  while (Object.keys(match).length === 0) {
    if (rng.int(3) === 0) match.method = rng.of(METHODS.slice(0, 4));
    if (rng.int(3) === 0) match.pathRegex = rng.of(REGEXES.filter((r) => r !== ''));
    if (depth < 3 && rng.int(5) === 0) match.all = Array.from({ length: rng.int(3) }, () => genRequestMatch(rng, depth + 1));
    if (depth < 3 && rng.int(5) === 0) match.any = Array.from({ length: rng.int(3) }, () => genRequestMatch(rng, depth + 1));
    if (depth < 3 && rng.int(5) === 0) match.not = genRequestMatch(rng, depth + 1);
  }
  return match;
}

function genResponseMatch(rng: Prng, depth: number): ResponseMatch {
  const roll = depth < 3 ? rng.int(5) : 0;
  if (roll <= 1) {
    const [a, b] = [100 + rng.int(500), 100 + rng.int(500)];
    return { status: rng.of([{ min: Math.min(a, b), max: Math.max(a, b) }, { min: a }, { max: b }]) };
  }
  if (roll === 2) return { all: Array.from({ length: rng.int(3) }, () => genResponseMatch(rng, depth + 1)) };
  if (roll === 3) return { any: Array.from({ length: rng.int(3) }, () => genResponseMatch(rng, depth + 1)) };
  return { not: genResponseMatch(rng, depth + 1) };
}

function genPath(rng: Prng): string {
  if (rng.int(10) === 0) return rng.of(['', '?', '/?/', 'a/b', '/a\n']);
  return Array.from({ length: 1 + rng.int(3) }, () => `/${rng.of(SEGMENTS)}`).join('');
}

type Spec = ServiceProfileResource['spec'];
const specOf = (conditions: RequestMatch[], classes: ResponseMatch[] = []): Spec => ({
  routes: conditions.map((condition, i) => ({ name: `r${i}`, condition, responseClasses: classes.map((c, j) => ({ condition: c, isFailure: j % 2 === 0 })), isRetryable: false })),
  opaquePorts: [],
});

/** Whether a condition compiled alone takes the request. */
const holds = (condition: RequestMatch, method: string, path: string) => compileProfile(specOf([condition])).route(method, path) !== undefined;
/** Whether a response condition compiled alone matches the status. */
const matches = (condition: ResponseMatch, status: number) => compileProfile(specOf([{ method: 'GET' }], [condition])).routes[0]?.isFailure(status) !== undefined;

test('random profiles: valid specs, first match wins, and all/any/not combine as they say', () => {
  for (let seed = 0; seed < CASES; seed++) {
    const rng = new Prng(seed);
    const conditions = Array.from({ length: 1 + rng.int(4) }, () => genRequestMatch(rng, 0));
    const spec = specOf(conditions);
    const parsed = parseResource({ apiVersion: 'loom.io/v1alpha2', kind: 'ServiceProfile', metadata: { name: 'p' }, spec });
    assert.ok(parsed.ok, `seed ${seed}: generated spec rejected: ${JSON.stringify(!parsed.ok && parsed.problems)}`);
    const profile = compileProfile(spec);
    for (let i = 0; i < 5; i++) {
      const method = rng.of(METHODS);
      const path = genPath(rng);
      const where = `seed ${seed}: ${method} ${JSON.stringify(path)}`;
      const first = conditions.findIndex((c) => holds(c, method, path));
      assert.equal(profile.route(method, path)?.name, first < 0 ? undefined : `r${first}`, where);
      const [c, d] = [conditions[0], rng.of(conditions)] as [RequestMatch, RequestMatch];
      assert.notEqual(holds({ not: c }, method, path), holds(c, method, path), `${where}: not inverts`);
      assert.equal(holds({ all: [c, d] }, method, path), holds(c, method, path) && holds(d, method, path), `${where}: all is and`);
      assert.equal(holds({ any: [c, d] }, method, path), holds(c, method, path) || holds(d, method, path), `${where}: any is or`);
      if (!path.includes('?')) assert.equal(profile.route(method, `${path}?q=${rng.of(SEGMENTS)}`), profile.route(method, path), `${where}: the query is ignored`);
    }
  }
});

test('random response classes: the first that matches decides, not inverts, ranges are inclusive', () => {
  for (let seed = 0; seed < CASES; seed++) {
    const rng = new Prng(seed);
    const classes = Array.from({ length: rng.int(4) }, () => genResponseMatch(rng, 0));
    const route = compileProfile(specOf([{ method: 'GET' }], classes)).routes[0];
    assert.ok(route);
    for (let i = 0; i < 5; i++) {
      const status = rng.int(3) === 0 ? rng.of(STATUSES) : 100 + rng.int(500);
      const where = `seed ${seed}: status ${status}`;
      const first = classes.findIndex((c) => matches(c, status));
      assert.equal(route.isFailure(status), first < 0 ? undefined : first % 2 === 0, where);
      const c = classes[0] ?? genResponseMatch(rng, 0);
      assert.notEqual(matches({ not: c }, status), matches(c, status), `${where}: not inverts`);
      const range = c.status;
      if (range) {
        const [min, max] = [range.min ?? range.max ?? 0, range.max ?? range.min ?? 0];
        assert.equal(matches(c, status), status >= min && status <= max, `${where}: range ${JSON.stringify(range)}`);
      }
    }
  }
});
