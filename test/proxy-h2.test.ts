// HTTP/2 and gRPC through the proxy: headers, data, trailers, trailers-only errors, resets and
// flow control, on real sockets.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { randomBytes, createHash } from 'node:crypto';
import { startProxy, sample, type TestProxy } from './support/proxy.js';
import { h2Upstream, eventually, type Upstream } from './support/upstreams.js';
import { connect, frame, grpcCall } from './support/grpc.js';

/** A gRPC-shaped upstream: echoes the message, or fails with the status named in the path. */
function grpcEcho(name: string) {
  return h2Upstream((stream, headers) => {
    const path = String(headers[':path']);
    stream.on('error', () => undefined);
    if (path.endsWith('/TrailersOnly')) {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'not found' }, { endStream: true });
      return;
    }
    if (path.endsWith('/Reset')) {
      stream.close(http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      return;
    }
    const chunks: Buffer[] = [];
    stream.on('data', (d: Buffer) => chunks.push(d));
    stream.on('end', () => {
      const status = path.endsWith('/Fail') ? '13' : '0';
      stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'x-upstream': name }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': status, 'x-trailer': name }));
      stream.end(Buffer.concat(chunks));
    });
  });
}

describe('gRPC through the outbound listener', () => {
  let a: Upstream;
  let b: Upstream;
  let proxy: TestProxy;

  before(async () => {
    a = await grpcEcho('a');
    b = await grpcEcho('b');
    proxy = await startProxy({ LOOM_PROXY_DISCOVERY: `emoji.test:8080 -> ${a.addr}, ${b.addr}` });
  });
  after(async () => {
    await proxy.close();
    await a.close();
    await b.close();
  });

  test('unary calls carry data and grpc-status trailers, balanced per request on one connection', async () => {
    const session = connect(proxy.outbound);
    try {
      const seen = new Set<string>();
      const replies = await Promise.all(
        Array.from({ length: 40 }, (_, i) => grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/Echo', Buffer.from(`msg-${i}`))),
      );
      replies.forEach((r, i) => {
        assert.equal(r.headers[':status'], 200);
        assert.equal(r.trailers['grpc-status'], '0');
        assert.deepEqual(r.body, frame(Buffer.from(`msg-${i}`)));
        seen.add(String(r.trailers['x-trailer']));
      });
      assert.deepEqual([...seen].sort(), ['a', 'b'], 'both endpoints answered calls from one client connection');
    } finally {
      session.close();
    }
  });

  test('a failing status is carried in trailers and counted as a failure', async () => {
    const session = connect(proxy.outbound);
    try {
      const r = await grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/Fail', Buffer.from('x'));
      assert.equal(r.trailers['grpc-status'], '13');
      const text = await proxy.metrics();
      assert.ok(sample(text, 'response_total', { authority: 'emoji.test:8080', grpc_status: '13', classification: 'failure' }) >= 1);
      assert.ok(sample(text, 'response_total', { authority: 'emoji.test:8080', grpc_status: '0', classification: 'success' }) >= 1);
    } finally {
      session.close();
    }
  });

  test('a trailers-only response arrives as one HEADERS frame with its status', async () => {
    const session = connect(proxy.outbound);
    try {
      const r = await grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/TrailersOnly', Buffer.from('x'));
      assert.equal(r.headers['grpc-status'], '5');
      assert.equal(r.headers['grpc-message'], 'not found');
      assert.equal(r.body.length, 0);
    } finally {
      session.close();
    }
  });

  test('an upstream RST_STREAM reaches the client with its error code', async () => {
    const session = connect(proxy.outbound);
    try {
      const r = await grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/Reset', Buffer.from('x'));
      assert.equal(r.rstCode, http2.constants.NGHTTP2_ENHANCE_YOUR_CALM);
      // The connection itself survives the reset.
      const ok = await grpcCall(session, 'emoji.test:8080', '/emoji.Emoji/Echo', Buffer.from('still here'));
      assert.equal(ok.trailers['grpc-status'], '0');
    } finally {
      session.close();
    }
  });

  test('an unknown service gets a gRPC UNAVAILABLE, not an HTTP error page', async () => {
    const p = await startProxy({ LOOM_PROXY_QUEUE_TIMEOUT: '100ms' });
    const session = connect(p.outbound);
    try {
      const r = await grpcCall(session, 'nowhere.test:80', '/x.Y/Z', Buffer.from('x'));
      assert.equal(r.headers[':status'], 200);
      assert.equal(r.headers['grpc-status'], '14');
      assert.equal(r.headers['loom-proxy-error'], 'LOOM_ERR_NO_ENDPOINTS');
    } finally {
      session.close();
      await p.close();
    }
  });
});

describe('HTTP/2 flow control and cancellation', () => {
  test('a large streamed response respects a slow reader and arrives intact', async () => {
    const payload = randomBytes(16 * 1024 * 1024);
    const up = await h2Upstream((stream) => {
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200 });
      stream.end(payload);
    });
    const p = await startProxy({ LOOM_PROXY_DISCOVERY: `big.test:80 -> ${up.addr}` });
    const session = connect(p.outbound);
    try {
      const got = await new Promise<Buffer>((resolve, reject) => {
        const req = session.request({ ':path': '/', ':authority': 'big.test' });
        const chunks: Buffer[] = [];
        req.on('data', (d: Buffer) => {
          chunks.push(d);
          // Read slowly at first so the proxy's buffers fill and it must apply backpressure.
          if (chunks.length < 20) {
            req.pause();
            setTimeout(() => req.resume(), 5);
          }
        });
        req.on('end', () => resolve(Buffer.concat(chunks)));
        req.on('error', reject);
        req.end();
      });
      assert.equal(createHash('sha256').update(got).digest('hex'), createHash('sha256').update(payload).digest('hex'));
    } finally {
      session.close();
      await p.close();
      await up.close();
    }
  });

  test('a client cancel resets the upstream stream', async () => {
    let upstreamReset = -1;
    const up = await h2Upstream((stream) => {
      stream.on('error', () => undefined);
      stream.respond({ ':status': 200 });
      stream.write('partial');
      stream.on('close', () => (upstreamReset = stream.rstCode ?? -1));
    });
    const p = await startProxy({ LOOM_PROXY_DISCOVERY: `slow.test:80 -> ${up.addr}` });
    const session = connect(p.outbound);
    try {
      await new Promise<void>((resolve) => {
        const req = session.request({ ':path': '/', ':authority': 'slow.test' });
        req.on('error', () => undefined);
        req.once('data', () => {
          req.close(http2.constants.NGHTTP2_CANCEL);
          resolve();
        });
        req.end();
      });
      await eventually(() => upstreamReset === http2.constants.NGHTTP2_CANCEL, 3000, 'the upstream stream to be cancelled');
    } finally {
      session.close();
      await p.close();
      await up.close();
    }
  });
});
