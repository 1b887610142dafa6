// `loom diagnose` in-process against a real DiagnoseApi server that a fake mesh names as its controller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DiagnoseApi } from '../control/diagnose-api.js';
import { EndpointIndex } from '../control/index/endpoint-index.js';
import { PolicyIndex } from '../control/index/policy-index.js';
import type { Diagnosis } from '../routing/diagnose.js';
import { runDiagnose, type DiagnoseOptions } from './diagnose.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';

type Run = (o: Partial<DiagnoseOptions>) => Promise<{ code: number; stdout: string; stderr: string }>;

async function withDiagnoseApi(body: (run: Run, queries: string[]) => Promise<void>): Promise<void> {
  const policies = new PolicyIndex();
  const index = new EndpointIndex();
  policies.setDtab('default', { namespace: 'default', text: '/svc/hello/80/world => 9 * /svc/hello/80/world-v1 & /svc/hello/80/world-v2', version: '1' });
  index.setEndpoints('world-v1.hello.svc:80', [{ addr: '127.0.0.1:4001', host: '127.0.0.1', port: 4001, weight: 1, meshed: true, labels: { version: 'v1' } }]);
  const api = new DiagnoseApi(policies, index);
  const queries: string[] = [];
  const server = http.createServer((req, res) => {
    queries.push(req.url ?? '');
    if (!api.handle(req, res)) res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await withFakeMesh(() => ({}), async (stateDir) => {
      await body(async (o) => {
        const io = captureIO();
        const code = await runDiagnose({ target: 'world.hello.svc:80', dtabNamespace: 'default', headers: [], output: 'text', stateDir, ...o }, io);
        return { code, stdout: io.stdout, stderr: io.stderr };
      }, queries);
    }, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

test('the text explains the split, the delegation and the endpoints; every flag reaches the query', async () => {
  await withDiagnoseApi(async (run, queries) => {
    const res = await run({ target: 'http://world.hello.svc/books?id=7', method: 'POST', headers: ['x-canary: 1'], dtab: '/svc/hello/80/world-v2 => /$/inet/127.0.0.1/9000' });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, '');
    const lines = res.stdout.split('\n');
    assert.equal(lines[0], 'POST /books?id=7 to world.hello.svc:80 (/svc/hello/80/world)');
    assert.equal(lines[1], '  x-canary: 1');
    assert.ok(lines.includes('    #2 /svc/hello/80/world-v2 => /$/inet/127.0.0.1/9000  (override)'), res.stdout);
    assert.ok(lines.some((l) => /^ +127\.0\.0\.1:4001 {2}version=v1$/.test(l)), res.stdout);
    assert.deepEqual(lines.slice(lines.indexOf('outcome:')), ['outcome:', '       90%  world-v1.hello.svc:80 (1 endpoint)', '       10%  127.0.0.1:9000 (1 endpoint)', '']);
    const query = new URL(queries[0] ?? '', 'http://x').searchParams;
    assert.deepEqual([...query], [['name', 'http://world.hello.svc/books?id=7'], ['dtabNamespace', 'default'], ['method', 'POST'], ['dtab', '/svc/hello/80/world-v2 => /$/inet/127.0.0.1/9000'], ['header', 'x-canary: 1']]);
  });
});

test('-o json prints the API\'s diagnosis', async () => {
  await withDiagnoseApi(async (run) => {
    const res = await run({ output: 'json', dtabNamespace: 'other', path: '/x' });
    assert.equal(res.code, 0, res.stderr);
    const d = JSON.parse(res.stdout) as Diagnosis;
    assert.deepEqual(d.request, { method: 'GET', path: '/x', headers: {} });
    assert.deepEqual(d.outcomes, [{ percent: 100, authority: 'world.hello.svc:80', endpoints: 0 }], 'namespace "other" has no dtab');
  });
});

test('bad input is exit 2 with the API\'s message, or before asking for an unknown output', async () => {
  await withDiagnoseApi(async (run, queries) => {
    assert.deepEqual(await run({ target: 'world.hello.svc' }), {
      code: 2,
      stdout: '',
      stderr: 'loom diagnose: "world.hello.svc" has no port; write world.hello.svc:80 (the port the app calls), or a URL such as http://world.hello.svc/\n',
    });
    assert.equal((await run({ headers: ['novalue'] })).code, 2);
    const count = queries.length;
    assert.deepEqual(await run({ output: 'yaml' }), { code: 2, stdout: '', stderr: 'loom diagnose: unknown output "yaml"; supported: text, json\n' });
    assert.equal(queries.length, count, 'nothing asked');
  });
});

test('no mesh, a controller that does not answer, and one without the API are exit 1 with what to check', async () => {
  const base = { target: 'world.hello.svc:80', dtabNamespace: 'default', headers: [], output: 'text' };
  const none = captureIO();
  assert.equal(await runDiagnose({ ...base, stateDir: '/nonexistent/.loom' }, none), 1);
  assert.match(none.stderr, /^loom diagnose: no mesh is running from this directory/);
  await withFakeMesh(() => ({}), async (stateDir) => {
    const io = captureIO();
    assert.equal(await runDiagnose({ ...base, stateDir }, io), 1);
    assert.match(io.stderr, /^loom diagnose: the control plane's diagnose API at http:\/\/127\.0\.0\.1:1 did not answer \(.*\); check `loom check`\n$/);
  }, 'http://127.0.0.1:1');
  await withFakeMesh(() => new HttpAnswer(404, 'not found: GET /metrics /ready /live'), async (stateDir) => {
    const io = captureIO();
    assert.equal(await runDiagnose({ ...base, stateDir }, io), 1);
    assert.equal(io.stderr, 'loom diagnose: the control plane answered 404 without a diagnosis ("not found: GET /metrics /ready /live"); is the mesh running a current `loom up`?\n');
  });
});
