import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parseResource, type ServiceProfileResource } from '../resources/index.js';
import { compileProfile } from '../routing/profile-match.js';
import { captureIO } from './fake-mesh.test-helper.js';
import { pathRegex, runProfile, type ProfileArgs } from './profile.js';

const args = (o: Partial<ProfileArgs> = {}): ProfileArgs => ({ service: 'books', namespace: 'library', template: false, ...o });

/** Runs the command, expects success, and returns its output parsed as a ServiceProfile. */
function printed(o: Partial<ProfileArgs>): { text: string; profile: ServiceProfileResource } {
  const io = captureIO();
  assert.equal(runProfile(args(o), io), 0, io.stderr);
  const parsed = parseResource(parse(io.stdout));
  assert.ok(parsed.ok && parsed.resource.kind === 'ServiceProfile', JSON.stringify(!parsed.ok && parsed.problems));
  return { text: io.stdout, profile: parsed.resource };
}

function file(name: string, text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'loom-profile-')), name);
  writeFileSync(path, text);
  return path;
}

test('--template prints a commented profile for the service that applies as it is', () => {
  const { text, profile } = printed({ template: true });
  assert.match(text, /^### ServiceProfile for books\.library ###\n/);
  assert.match(text, /\n {2}# retryBudget:\n/);
  assert.deepEqual(profile.metadata, { name: 'books.library.svc.cluster.local', namespace: 'library' });
  const compiled = compileProfile(profile.spec);
  const [route] = compiled.routes;
  assert.equal(compiled.route('GET', '/books/42'), route);
  assert.equal(route?.isFailure(502), true);
});

const SWAGGER = `
swagger: "2.0"
info: {title: Books, version: "1"}
basePath: /api/v1
paths:
  /books/{id}:
    get:
      x-linkerd-retryable: true
      x-linkerd-timeout: 1.5s
      responses: {"200": {description: ok}}
    delete: {responses: {"204": {description: gone}}}
    parameters: [{name: id, in: path, required: true, type: string}]
  /books:
    post: {responses: {"201": {description: created}}}
  /search.json:
    get: {responses: {"200": {description: ok}}}
`;

test('--open-api with an OpenAPI 2 document: a route per operation under basePath, in Linkerd\'s order', () => {
  const { profile } = printed({ openApi: file('books.yaml', SWAGGER) });
  assert.deepEqual(profile.spec.routes, [
    { name: 'POST /api/v1/books', condition: { method: 'POST', pathRegex: '/api/v1/books' }, responseClasses: [], isRetryable: false },
    { name: 'DELETE /api/v1/books/{id}', condition: { method: 'DELETE', pathRegex: '/api/v1/books/[^/]*' }, responseClasses: [], isRetryable: false },
    { name: 'GET /api/v1/books/{id}', condition: { method: 'GET', pathRegex: '/api/v1/books/[^/]*' }, responseClasses: [], isRetryable: true, timeout: '1.5s' },
    { name: 'GET /api/v1/search.json', condition: { method: 'GET', pathRegex: '/api/v1/search\\.json' }, responseClasses: [], isRetryable: false },
  ]);
  const compiled = compileProfile(profile.spec);
  assert.equal(compiled.route('GET', '/api/v1/books/42?full=1')?.name, 'GET /api/v1/books/{id}');
  assert.equal(compiled.route('GET', '/api/v1/books/42/pages'), undefined);
  assert.equal(compiled.route('GET', '/api/v1/searchxjson'), undefined);
});

test('--open-api with an OpenAPI 3 document in JSON: the first server\'s path is the prefix', () => {
  const openapi = {
    openapi: '3.0.3',
    info: { title: 'Books', version: '1' },
    servers: [{ url: 'https://{host}/{base}', variables: { host: { default: 'books.example.com' }, base: { default: 'v2' } } }, { url: '/other' }],
    paths: {
      '/authors/{author}/books/{isbn}': { get: {}, trace: {} },
      '/legacy': { servers: [{ url: '/old' }], put: {} },
    },
  };
  const { profile } = printed({ openApi: file('books.json', JSON.stringify(openapi)) });
  assert.deepEqual(
    profile.spec.routes.map((r) => [r.name, r.condition.pathRegex]),
    [
      ['GET /v2/authors/{author}/books/{isbn}', '/v2/authors/[^/]*/books/[^/]*'],
      ['TRACE /v2/authors/{author}/books/{isbn}', '/v2/authors/[^/]*/books/[^/]*'],
      ['PUT /old/legacy', '/old/legacy'],
    ],
  );
});

test('path templates match one segment; everything else is literal', () => {
  assert.equal(pathRegex('/a.b/{x}/c+d(e)/[f]{y}$^|?*\\'), '/a\\.b/[^/]*/c\\+d\\(e\\)/\\[f\\][^/]*\\$\\^\\|\\?\\*\\\\');
  assert.ok(new RegExp(`^${pathRegex('/v1/{id}.json')}$`).test('/v1/abc.json'));
  assert.ok(!new RegExp(`^${pathRegex('/v1/{id}.json')}$`).test('/v1/a/b.json'));
});

test('usage errors exit 2 and say what to do', () => {
  const cases: [Partial<ProfileArgs>, RegExp][] = [
    [{}, /say what to print: --template for a commented template, or --open-api <file>/],
    [{ template: true, openApi: 'api.yaml' }, /--template and --open-api cannot be used together; pick one/],
    [{ openApi: join(tmpdir(), 'no-such-openapi.yaml') }, /no-such-openapi\.yaml does not exist; give the path of an OpenAPI document/],
    [{ openApi: file('notes.yaml', 'title: not an API\n') }, /notes\.yaml is not an OpenAPI document: it has no paths; give an OpenAPI 2 or 3 document with a paths map/],
    [{ openApi: file('broken.yaml', 'paths: {a: [\n') }, /broken\.yaml is not JSON or YAML \(.*\); fix its syntax/],
    [{ openApi: file('slow.yaml', 'paths: {/a: {get: {x-linkerd-timeout: soon}}}\n') }, /slow\.yaml gives an invalid profile; fix the OpenAPI document:\n {2}route "GET \/a" timeout: "soon" is not a duration/],
    [{ template: true, service: 'Books' }, /"Books" is not a valid Service name/],
  ];
  for (const [o, message] of cases) {
    const io = captureIO();
    assert.equal(runProfile(args(o), io), 2, JSON.stringify(o));
    assert.match(io.stderr, message);
    assert.equal(io.stdout, '');
  }
});
