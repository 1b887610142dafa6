// HTTP/1.1 through the outbound and inbound listeners, on real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync, renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { startProxy, sample, type TestProxy } from './support/proxy.js';
import { httpUpstream, eventually, rawExchange, type Upstream } from './support/upstreams.js';

describe('HTTP/1.1 outbound', () => {
  let a: Upstream;
  let b: Upstream;
  let proxy: TestProxy;

  before(async () => {
    a = await httpUpstream('a');
    b = await httpUpstream('b');
    proxy = await startProxy({
      LOOM_PROXY_DISCOVERY: `web.test:80 -> ${a.addr} pod=web-a, ${b.addr} pod=web-b;empty.test:80 ->`,
      LOOM_PROXY_QUEUE_TIMEOUT: '200ms',
    });
  });
  after(async () => {
    await proxy.close();
    await a.close();
    await b.close();
  });

  test('routes by Host and balances concurrent requests across endpoints', async () => {
    const seen = new Map<string, number>();
    await Promise.all(
      Array.from({ length: 60 }, async (_, i) => {
        const res = await request(`http://${proxy.outbound}/x?i=${i}`, { headers: { host: 'web.test' } });
        assert.equal(res.statusCode, 200);
        const body = (await res.body.json()) as { name: string; url: string; host: string };
        assert.equal(body.url, `/x?i=${i}`);
        assert.equal(body.host, 'web.test');
        seen.set(body.name, (seen.get(body.name) ?? 0) + 1);
      }),
    );
    // Requests in flight raise an endpoint's cost, so concurrent load spreads over both.
    assert.ok((seen.get('a') ?? 0) >= 5 && (seen.get('b') ?? 0) >= 5, `both endpoints used: ${[...seen]}`);
  });

  test('routes an absolute-form request like an HTTP proxy', async () => {
    const body = await new Promise<string>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.addrs.outbound.port, path: 'http://web.test/abs?q=1', headers: { host: 'ignored.test' } });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.end();
    });
    const parsed = JSON.parse(body) as { url: string; host: string };
    assert.equal(parsed.url, '/abs?q=1');
    assert.equal(parsed.host, 'web.test');
  });

  test('streams large request and response bodies in both directions, chunked included', async () => {
    const payload = randomBytes(8 * 1024 * 1024);
    const echo = await httpUpstream('echo', (req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      req.pipe(res);
    });
    const p = await startProxy({ LOOM_PROXY_DISCOVERY: `echo.test:80 -> ${echo.addr}` });
    try {
      const res = await request(`http://${p.outbound}/echo`, {
        method: 'POST',
        headers: { host: 'echo.test' },
        body: Readable.from(
          (function* () {
            for (let i = 0; i < payload.length; i += 64 * 1024) yield payload.subarray(i, i + 64 * 1024);
          })(),
        ),
      });
      assert.equal(res.statusCode, 200);
      const got = Buffer.from(await res.body.arrayBuffer());
      assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    } finally {
      await p.close();
      await echo.close();
    }
  });

  test('answers Expect: 100-continue and then forwards the body', async () => {
    const reply = await rawExchange(
      proxy.outbound,
      'POST /c HTTP/1.1\r\nHost: web.test\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n',
      1500,
    ).catch(() => '');
    // rawExchange sent no body: the proxy must at least have said 100 Continue.
    assert.match(reply, /^HTTP\/1\.1 100 Continue\r\n/);
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: proxy.addrs.outbound.port, method: 'POST', path: '/c', headers: { host: 'web.test', expect: '100-continue', 'content-length': '5' } });
      req.on('continue', () => req.end('hello'));
      req.on('response', (r) => {
        let body = '';
        r.on('data', (d) => (body += d));
        r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
      });
      req.on('error', reject);
    });
    assert.equal(res.status, 200);
    assert.equal((JSON.parse(res.body) as { size: number }).size, 5);
  });

  test('strips hop-by-hop headers, keeps end-to-end ones', async () => {
    const reply = await rawExchange(
      proxy.outbound,
      'GET /h HTTP/1.1\r\nHost: web.test\r\nX-Keep: yes\r\nConnection: x-drop, close\r\nX-Drop: no\r\nKeep-Alive: timeout=5\r\n\r\n',
    );
    const body = JSON.parse(reply.slice(reply.indexOf('\r\n\r\n') + 4)) as { headers: Record<string, string> };
    assert.equal(body.headers['x-keep'], 'yes');
    assert.equal(body.headers['x-drop'], undefined);
    assert.equal(body.headers['keep-alive'], undefined);
  });

  test('a known service with no endpoints answers 503 after the queue timeout', async () => {
    const started = Date.now();
    const res = await request(`http://${proxy.outbound}/`, { headers: { host: 'empty.test' } });
    assert.equal(res.statusCode, 503);
    assert.equal(res.headers['loom-proxy-error'], 'LOOM_ERR_NO_ENDPOINTS');
    assert.match(await res.body.text(), /empty\.test:80 has no endpoints/);
    assert.ok(Date.now() - started >= 150, 'waited for endpoints before failing');
  });

  test('records Linkerd-style metrics with dst labels from discovery', async () => {
    await request(`http://${proxy.outbound}/m`, { headers: { host: 'web.test' } }).then((r) => r.body.dump());
    const text = await proxy.metrics();
    const labels = { direction: 'outbound', authority: 'web.test:80', classification: 'success', status_code: '200' };
    assert.ok(sample(text, 'response_total', labels) >= 1);
    assert.ok(sample(text, 'request_total', { direction: 'outbound', authority: 'web.test:80' }) >= 1);
    assert.ok(sample(text, 'response_latency_ms_count', { authority: 'web.test:80', status_code: '200' }) >= 1);
    assert.match(text, /response_latency_ms_bucket\{[^}]*dst_pod="web-(a|b)"[^}]*le="50"\}/);
    assert.ok(sample(text, 'response_total', { authority: 'empty.test:80', error: 'LOOM_ERR_NO_ENDPOINTS', classification: 'failure' }) >= 1);
    assert.match(text, /^process_resident_memory_bytes \d+/m);
  });
});

describe('HTTP/1.1 inbound', () => {
  test('forwards to the app and counts inbound metrics', async () => {
    const app = await httpUpstream('app');
    const p = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr });
    try {
      const res = await request(`http://${p.inbound}/in`, { headers: { host: 'app.test' } });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['x-upstream'], 'app');
      await res.body.dump();
      const text = await p.metrics();
      assert.equal(sample(text, 'response_total', { direction: 'inbound', authority: 'app.test', status_code: '200' }), 1);
    } finally {
      await p.close();
      await app.close();
    }
  });
});

describe('static discovery file', () => {
  test('edits add and remove endpoints without failing in-flight requests', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'loom-disc-'));
    const file = join(dir, 'discovery.txt');
    const slowA = await httpUpstream('a', (_req, res) => setTimeout(() => res.end('a'), 400));
    const b = await httpUpstream('b', (_req, res) => res.end('b'));
    writeFileSync(file, `svc.test:80 -> ${slowA.addr}\n`);
    const p = await startProxy({ LOOM_PROXY_DISCOVERY_FILE: file });
    try {
      const inFlight = request(`http://${p.outbound}/`, { headers: { host: 'svc.test' } }).then((r) => r.body.text());
      await new Promise((r) => setTimeout(r, 50));
      // Replace the endpoint while the request to the old one is in flight (rename, as editors do).
      writeFileSync(`${file}.new`, `# moved to b\nsvc.test:80 -> ${b.addr}\n`);
      renameSync(`${file}.new`, file);
      assert.equal(await inFlight, 'a', 'in-flight request to the removed endpoint completes');
      await eventually(async () => {
        const r = await request(`http://${p.outbound}/`, { headers: { host: 'svc.test' } });
        return (await r.body.text()) === 'b';
      }, 5000, 'the new endpoint to serve');
      for (let i = 0; i < 5; i++) {
        const r = await request(`http://${p.outbound}/`, { headers: { host: 'svc.test' } });
        assert.equal(await r.body.text(), 'b');
      }
    } finally {
      await p.close();
      await slowA.close();
      await b.close();
    }
  });
});

describe('access log', () => {
  test('json format writes one line per request', async () => {
    const app = await httpUpstream('app');
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
      const text = String(chunk);
      if (text.includes('"direction"')) lines.push(text);
      return true;
    }) as typeof process.stderr.write;
    const p = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr, LOOM_PROXY_ACCESS_LOG: 'json' });
    try {
      await request(`http://${p.inbound}/logged?x=1`, { headers: { host: 'app.test', 'user-agent': 'loom-test' } }).then((r) => r.body.dump());
      await eventually(() => lines.length > 0, 2000, 'an access log line');
      const entry = JSON.parse(lines[0] as string) as Record<string, unknown>;
      assert.equal(entry.method, 'GET');
      assert.equal(entry.path, '/logged?x=1');
      assert.equal(entry.status, 200);
      assert.equal(entry.direction, 'inbound');
      assert.equal(entry.userAgent, 'loom-test');
    } finally {
      process.stderr.write = write;
      await p.close();
      await app.close();
    }
  });
});
