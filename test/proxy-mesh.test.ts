// Two proxies in the mesh shape: app -> proxy A outbound -> (HTTP/2) -> proxy B inbound -> app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'undici';
import { startProxy, sample, type TestProxy } from './support/proxy.js';
import { h2Upstream, httpUpstream, type Upstream } from './support/upstreams.js';
import { connect, frame, grpcCall } from './support/grpc.js';

describe('proxy to proxy', () => {
  let app: Upstream;
  let grpcApp: Upstream;
  let server: TestProxy;
  let grpcServer: TestProxy;
  let client: TestProxy;

  before(async () => {
    app = await httpUpstream('world');
    grpcApp = await h2Upstream((stream) => {
      stream.on('error', () => undefined);
      stream.on('data', () => undefined);
      stream.on('end', () => {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
        stream.end(frame(Buffer.from('pong')));
      });
    });
    server = await startProxy({ LOOM_PROXY_APP_ADDR: app.addr });
    grpcServer = await startProxy({ LOOM_PROXY_APP_ADDR: grpcApp.addr });
    client = await startProxy({
      LOOM_PROXY_DISCOVERY: `world.test:80 -> ${server.inbound} meshed pod=world-1;emoji.test:8080 -> ${grpcServer.inbound} meshed pod=emoji-1`,
    });
  });
  after(async () => {
    await Promise.all([client.close(), server.close(), grpcServer.close()]);
    await Promise.all([app.close(), grpcApp.close()]);
  });

  test('HTTP/1 requests ride one HTTP/2 connection and arrive at the app as HTTP/1.1', async () => {
    const before = sample(await server.metrics(), 'tcp_open_total', { direction: 'inbound', peer: 'src' });
    const replies = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        const res = await request(`http://${client.outbound}/hello/${i}`, { method: 'POST', headers: { host: 'world.test', 'x-n': String(i) }, body: `body-${i}` });
        return { status: res.statusCode, body: (await res.body.json()) as { url: string; host: string; size: number; headers: Record<string, string> } };
      }),
    );
    replies.forEach(({ status, body }, i) => {
      assert.equal(status, 200);
      assert.equal(body.url, `/hello/${i}`);
      assert.equal(body.host, 'world.test');
      assert.equal(body.size, `body-${i}`.length);
      assert.equal(body.headers['x-n'], String(i));
      assert.equal(body.headers['loom-orig-proto'], undefined, 'the marker header is removed before the app');
    });
    const opened = sample(await server.metrics(), 'tcp_open_total', { direction: 'inbound', peer: 'src' }) - before;
    assert.equal(opened, 1, '50 requests, one connection between the proxies');
  });

  test('both proxies count the requests: outbound at the client, inbound at the server', async () => {
    const clientMetrics = await client.metrics();
    const serverMetrics = await server.metrics();
    assert.ok(sample(clientMetrics, 'response_total', { direction: 'outbound', authority: 'world.test:80', dst_pod: 'world-1', status_code: '200' }) >= 50);
    assert.ok(sample(serverMetrics, 'response_total', { direction: 'inbound', authority: 'world.test', status_code: '200' }) >= 50);
  });

  test('gRPC crosses both proxies with its trailers', async () => {
    const session = connect(client.outbound);
    try {
      const r = await grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/Ping', Buffer.from('ping'));
      assert.equal(r.trailers['grpc-status'], '0');
      assert.deepEqual(r.body, frame(Buffer.from('pong')));
      assert.ok(sample(await grpcServer.metrics(), 'response_total', { direction: 'inbound', grpc_status: '0' }) >= 1);
    } finally {
      session.close();
    }
  });

  test('a peer proxy that is down answers 502 with the cause', async () => {
    const p = await startProxy({ LOOM_PROXY_DISCOVERY: 'gone.test:80 -> 127.0.0.1:1 meshed' });
    try {
      const res = await request(`http://${p.outbound}/`, { headers: { host: 'gone.test' } });
      assert.equal(res.statusCode, 502);
      assert.equal(res.headers['loom-proxy-error'], 'LOOM_ERR_CONNECT');
      assert.match(await res.body.text(), /127\.0\.0\.1:1/);
    } finally {
      await p.close();
    }
  });
});
