// The dtab API over a real server on 127.0.0.1: every status, both body types, the watch stream, limits.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DtabApi, MAX_DTAB_BODY_BYTES } from './dtab-api.js';
import { MemoryDtabStore } from './dtab-store.js';

const SVC = '/svc => /#/loom.svc/default/8080;';
const TEXT = { 'content-type': 'application/dtab' };
const JSON_BODY = { 'content-type': 'application/json' };

async function withApi(body: (base: string, store: MemoryDtabStore) => Promise<void>): Promise<void> {
  const store = new MemoryDtabStore();
  const api = new DtabApi(store);
  const server = http.createServer((req, res) => {
    if (!api.handle(req, res)) res.writeHead(418).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await body(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, store);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

async function call(url: string, init: RequestInit = {}): Promise<{ status: number; headers: Headers; text: string; json: () => Record<string, unknown> }> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) as Record<string, unknown> };
}

test('create, list, get as JSON and as dtab text with the version in ETag, update, delete', async () => {
  await withApi(async (base) => {
    const created = await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT, body: `# routes\n${SVC}\n` });
    assert.equal(created.status, 201);
    const v1 = created.json().version as string;
    assert.equal(created.headers.get('etag'), `"${v1}"`);
    assert.equal((await call(`${base}/api/1/dtabs/other`, { method: 'POST', headers: JSON_BODY, body: '[{"prefix":"/a","dst":"/b | ~"}]' })).status, 201);
    assert.deepEqual(JSON.parse((await call(`${base}/api/1/dtabs`)).text), ['default', 'other']);

    const json = await call(`${base}/api/1/dtabs/default`);
    assert.equal(json.status, 200);
    assert.equal(json.headers.get('content-type'), 'application/json');
    assert.equal(json.headers.get('etag'), `"${v1}"`);
    assert.deepEqual(JSON.parse(json.text), [{ prefix: '/svc', dst: '/#/loom.svc/default/8080' }]);
    const text = await call(`${base}/api/1/dtabs/other`, { headers: { accept: 'application/dtab' } });
    assert.equal(text.headers.get('content-type'), 'application/dtab');
    assert.equal(text.text, '/a => /b | ~;');

    const updated = await call(`${base}/api/1/dtabs/default`, { method: 'PUT', headers: { ...JSON_BODY, 'if-match': `"${v1}"` }, body: '[{"prefix":"/svc","dst":"/$/inet/127.0.0.1/9000"}]' });
    assert.equal(updated.status, 204);
    const v2 = updated.headers.get('etag');
    assert.ok(v2 !== null && v2 !== `"${v1}"`);
    assert.equal((await call(`${base}/api/1/dtabs/default`, { headers: { accept: 'application/dtab' } })).text, '/svc => /$/inet/127.0.0.1/9000;');
    assert.equal((await call(`${base}/api/1/dtabs/default`, { method: 'PUT', headers: TEXT, body: SVC })).status, 204, 'no If-Match: unconditional');

    assert.equal((await call(`${base}/api/1/dtabs/default`, { method: 'DELETE' })).status, 204);
    assert.deepEqual(JSON.parse((await call(`${base}/api/1/dtabs`)).text), ['other']);
  });
});

test('409 on create of an existing namespace, 412 on a stale If-Match, 404 for unknown ones, 405 and 400 for bad requests', async () => {
  await withApi(async (base, store) => {
    const v1 = (await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT, body: SVC })).json().version as string;
    store.update('default', [], v1);
    const v2 = store.get('default')?.version;
    const cases: Array<[string, RequestInit, number, RegExp]> = [
      ['/api/1/dtabs/default', { method: 'POST', headers: TEXT, body: SVC }, 409, /^namespace default already has a dtab; update it instead/],
      ['/api/1/dtabs/default', { method: 'PUT', headers: { ...TEXT, 'if-match': `"${v1}"` }, body: SVC }, 412, new RegExp(`^namespace default changed since version ${v1} \\(now ${v2}\\)`)],
      ['/api/1/dtabs/nope', { method: 'PUT', headers: TEXT, body: SVC }, 404, /^namespace nope has no dtab; create it first$/],
      ['/api/1/dtabs/nope', {}, 404, /^namespace nope has no dtab/],
      ['/api/1/dtabs/nope', { method: 'DELETE' }, 404, /^namespace nope has no dtab/],
      ['/api/1/dtabs/nope?watch=true', {}, 404, /^namespace nope has no dtab/],
      ['/api/1/dtabs/default?watch=yes', {}, 400, /^watch=yes is not a boolean; use watch=true/],
      ['/api/1/dtabs/a%20b', {}, 400, /^"a b" is not a dtab namespace; use 1 to 100 letters, digits/],
      ['/api/1/dtabs/a/b', {}, 400, /^"a\/b" is not a dtab namespace/],
      ['/api/1/dtabs/default', { method: 'PATCH', headers: TEXT, body: SVC }, 405, /^method not allowed here; use GET, POST, PUT, DELETE$/],
      ['/api/1/dtabs', { method: 'POST' }, 405, /^method not allowed here; use GET$/],
      ['/api/1/dtabs/x', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: SVC }, 415, /^content type "text\/plain" is not a dtab; send Content-Type: application\/dtab/],
    ];
    for (const [path, init, status, error] of cases) {
      const res = await call(`${base}${path}`, init);
      assert.equal(res.status, status, `${init.method ?? 'GET'} ${path}: ${res.text}`);
      assert.equal(res.headers.get('content-type'), 'application/json');
      assert.match(res.json().error as string, error, path);
    }
    assert.equal((await call(`${base}/api/1/dtabs/default`, { method: 'PUT', headers: { ...TEXT, 'if-match': `"${v1}"` }, body: SVC })).json().version, v2);
    assert.equal(store.get('default')?.version, v2, 'the refused update changed nothing');
    assert.equal((await call(`${base}/api/other`)).status, 418, 'paths outside /api/1/dtabs are left to the caller');
  });
});

test('an invalid dtab is a 400 naming where it breaks and what was expected, in either body type', async () => {
  await withApi(async (base, store) => {
    const text = await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT, body: '/svc => /a;\n/b = /c;' });
    assert.equal(text.status, 400);
    assert.deepEqual(text.json(), { error: `invalid dtab at line 2, column 4: expected '=>', found "="`, line: 2, column: 4 });
    const cases: Array<[string, RegExp]> = [
      ['[{"prefix":"/svc","dst":"/a | "}]', /^invalid dtab in entry 1, "dst" column 6: expected a path, '!', '~', '\$', '\(' or a weight, found end of input$/],
      ['[{"prefix":"/a","dst":"/b"},{"prefix":"svc","dst":"/b"}]', /^invalid dtab in entry 2, "prefix" column 1: expected a path prefix starting with '\/', found "s"$/],
      ['[{"prefix":"/a"}]', /^entry 1 of the dtab is not \{"prefix": "<path>", "dst": "<name tree>"\}$/],
      ['{"prefix":"/a"}', /^a JSON dtab is an array like/],
      ['[{"prefix"', /^the body is not JSON \(.*\); send an array like/],
    ];
    for (const [body, error] of cases) {
      const res = await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: JSON_BODY, body });
      assert.equal(res.status, 400, body);
      assert.match(res.json().error as string, error);
    }
    assert.deepEqual(store.list(), []);
  });
});

test('a body over 64 KiB is refused with 413, whether announced by Content-Length or streamed in chunks', async () => {
  await withApi(async (base, store) => {
    const big = `# ${'x'.repeat(MAX_DTAB_BODY_BYTES)}\n${SVC}`;
    const announced = await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT, body: big });
    assert.equal(announced.status, 413);
    assert.match(announced.json().error as string, /^the dtab is larger than 64 KiB/);
    // Chunked and never ended: the answer must not wait for the end of a body that may never come.
    const streamed = await new Promise<number | undefined>((resolve, reject) => {
      const req = http.request(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT }, (res) => {
        resolve(res.statusCode);
        req.destroy();
      });
      req.on('error', reject);
      setTimeout(() => req.destroy(new Error('no answer to an unended oversized body within 2s')), 2000).unref();
      for (let i = 0; i < 8; i++) req.write(big.slice(i * 9000, (i + 1) * 9000));
    });
    assert.equal(streamed, 413);
    const exact = `${SVC}${' '.repeat(MAX_DTAB_BODY_BYTES - SVC.length)}`;
    assert.equal((await call(`${base}/api/1/dtabs/default`, { method: 'POST', headers: TEXT, body: exact })).status, 201, 'exactly 64 KiB is allowed');
    assert.deepEqual(store.list(), ['default']);
  });
});

/** Reads JSON lines from a watch over a real socket; `next()` waits for the next one. */
function watchLines(url: string): Promise<{ next: () => Promise<Record<string, unknown>>; close: () => void; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => {
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['transfer-encoding'], 'chunked');
      const lines: string[] = [];
      const waiters: Array<(line: string) => void> = [];
      let buffered = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffered += chunk;
        for (let i = buffered.indexOf('\n'); i >= 0; i = buffered.indexOf('\n')) {
          const line = buffered.slice(0, i);
          buffered = buffered.slice(i + 1);
          const waiter = waiters.shift();
          if (waiter) waiter(line);
          else lines.push(line);
        }
      });
      const closed = new Promise<void>((done) => res.on('close', done));
      const next = async (): Promise<Record<string, unknown>> => {
        const line = lines.shift() ?? (await new Promise<string>((got, fail) => {
          waiters.push(got);
          setTimeout(() => fail(new Error('no watch line within 2s')), 2000).unref();
        }));
        return JSON.parse(line) as Record<string, unknown>;
      };
      resolve({ next, close: () => req.destroy(), closed });
    });
    req.on('error', reject);
  });
}

test('watch streams the current dtab, then every update and the delete, and stops listening when the client goes away', async () => {
  await withApi(async (base, store) => {
    const v1 = store.create('default', []).version;
    const watch = await watchLines(`${base}/api/1/dtabs/default?watch=true`);
    assert.deepEqual(await watch.next(), { namespace: 'default', version: v1, dtab: [] });
    store.create('other', []);
    const put = await call(`${base}/api/1/dtabs/default`, { method: 'PUT', headers: TEXT, body: SVC });
    assert.deepEqual(await watch.next(), { namespace: 'default', version: put.headers.get('etag')?.slice(1, -1), dtab: [{ prefix: '/svc', dst: '/#/loom.svc/default/8080' }] });
    await call(`${base}/api/1/dtabs/default`, { method: 'DELETE' });
    assert.deepEqual(await watch.next(), { namespace: 'default', deleted: true });
    const again = store.create('default', []).version;
    assert.deepEqual(await watch.next(), { namespace: 'default', version: again, dtab: [] }, 'a re-created namespace streams on');

    const watchers = (): number => (store as unknown as { listeners: Set<unknown> }).listeners.size;
    assert.equal(watchers(), 1);
    watch.close();
    await watch.closed;
    for (let i = 0; i < 50 && watchers() > 0; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(watchers(), 0, 'the store no longer calls a watch whose client left');
  });
});
