// LoomH2Client against node:http2's server (nghttp2): what the server receives proves the client's
// frames, HPACK and flow control are real HTTP/2. nghttp2 Huffman-codes a string whenever that is
// shorter, which this client refuses, so responses here carry only what nghttp2 sends plain:
// :status (an index), bodies, and values of characters whose Huffman codes are 8 bits or longer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http2, { type Http2Server, type Http2Session, type IncomingHttpHeaders, type ServerHttp2Session, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { ConnectError, UpstreamError } from '../errors.js';
import type { ProxyRequest, ResponseSink } from '../http/types.js';
import { LoomH2Client, type LoomH2ClientOptions } from './client.js';
import { ErrorCode } from './constants.js';
import { NotLoomPeerError } from './errors.js';
import { LOOM_SETTING_ID } from './marker.js';
import { bodyOf, RecordingSink, request, sha256, waitUntil } from './test-support.test-helper.js';

const PLAIN = { sendDate: false } as http2.ServerStreamResponseOptions;

interface NodeServer {
  server: Http2Server;
  port: number;
  streams: Array<{ headers: IncomingHttpHeaders; stream: ServerHttp2Stream; session: Http2Session | undefined }>;
  sessions: Set<ServerHttp2Session>;
}

async function startNodeServer(onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void, loom = true): Promise<NodeServer> {
  const server = http2.createServer({
    settings: loom ? ({ customSettings: { [LOOM_SETTING_ID]: 1 } } as http2.Settings) : {},
  });
  const streams: NodeServer['streams'] = [];
  const sessions = new Set<ServerHttp2Session>();
  server.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });
  server.on('stream', (stream, headers) => {
    streams.push({ headers, stream, session: stream.session });
    stream.on('error', () => undefined);
    onStream(stream, headers);
  });
  server.on('sessionError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, streams, sessions };
}

async function withNodeServer(
  onStream: (stream: ServerHttp2Stream, headers: IncomingHttpHeaders) => void,
  run: (client: LoomH2Client, node: NodeServer) => Promise<void>,
  opts: { loom?: boolean; client?: Partial<LoomH2ClientOptions> } = {},
): Promise<void> {
  const node = await startNodeServer(onStream, opts.loom ?? true);
  const client = new LoomH2Client('127.0.0.1', node.port, { connectTimeoutMs: 2000, responseTimeoutMs: 30_000, ...opts.client });
  try {
    await run(client, node);
  } finally {
    client.close();
    await new Promise<void>((resolve) => {
      node.server.close(() => resolve());
      for (const session of node.sessions) session.destroy();
    });
  }
}

/** Reads the request body and answers 200 with its length and SHA-256 in the response body. */
function digestResponder(stream: ServerHttp2Stream): void {
  const hash = createHash('sha256');
  let length = 0;
  stream.on('data', (c: Buffer) => {
    hash.update(c);
    length += c.length;
  });
  stream.on('end', () => {
    stream.respond({ ':status': 200 }, PLAIN);
    stream.end(`${length} ${hash.digest('hex')}`);
  });
}

test('node:http2 receives the request as sent: pseudo-headers, fields, loom-orig-proto and body', async () => {
  await withNodeServer(digestResponder, async (client, node) => {
    const sink = new RecordingSink();
    client.dispatch(
      request({
        method: 'POST',
        authority: 'orders.shop.svc.cluster.local:8080',
        path: '/v1/orders?id=7&x=%20',
        headers: ['user-agent', 'curl/8.5.0', 'accept', '*/*', 'x-request-id', 'a'.repeat(300), 'cookie', 'a=1', 'cookie', 'b=2'],
        body: bodyOf(Buffer.from('hello')),
        httpVersion: '1.1',
      }),
      sink,
    );
    await sink.done;
    assert.equal(sink.err, undefined, sink.err?.message);
    assert.equal(sink.status, 200);
    assert.equal(sink.body.toString(), `5 ${sha256(Buffer.from('hello'))}`);
    const headers = node.streams[0]?.headers ?? {};
    assert.equal(headers[':method'], 'POST');
    assert.equal(headers[':scheme'], 'http');
    assert.equal(headers[':authority'], 'orders.shop.svc.cluster.local:8080');
    assert.equal(headers[':path'], '/v1/orders?id=7&x=%20');
    assert.equal(headers['user-agent'], 'curl/8.5.0');
    assert.equal(headers['accept'], '*/*');
    assert.equal(headers['x-request-id'], 'a'.repeat(300));
    assert.equal(headers['cookie'], 'a=1; b=2');
    assert.equal(headers['loom-orig-proto'], 'HTTP/1.1');
  });
});

test('a 10 MiB upload keeps to nghttp2\'s flow-control windows and arrives intact', async () => {
  const data = randomBytes(10 * 1024 * 1024);
  await withNodeServer(digestResponder, async (client) => {
    const sink = new RecordingSink();
    client.dispatch(request({ method: 'PUT', body: bodyOf(data, 100_000) }), sink);
    await sink.done;
    assert.equal(sink.err, undefined, sink.err?.message);
    assert.equal(sink.body.toString(), `${data.length} ${sha256(data)}`);
  });
});

test('a 10 MiB response from nghttp2 arrives intact while the client returns flow-control credit', async () => {
  const data = randomBytes(10 * 1024 * 1024);
  await withNodeServer(
    (stream) => {
      stream.respond({ ':status': 200 }, PLAIN);
      stream.end(data);
    },
    async (client) => {
      const sink = new RecordingSink({ keepChunks: false });
      client.dispatch(request(), sink);
      await sink.done;
      assert.equal(sink.err, undefined, sink.err?.message);
      assert.equal(sink.digest(), sha256(data));
    },
    // Smaller than the response, so WINDOW_UPDATE must flow.
    { client: { settings: { initialWindowSize: 256 * 1024, connectionWindowSize: 1024 * 1024 } } },
  );
});

test('trailers from nghttp2 reach the sink', async () => {
  await withNodeServer(
    (stream) => {
      stream.respond({ ':status': 200 }, { ...PLAIN, waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ etag: '"#$' }));
      stream.end('body');
    },
    async (client) => {
      const sink = new RecordingSink();
      client.dispatch(request(), sink);
      await sink.done;
      assert.equal(sink.err, undefined, sink.err?.message);
      assert.equal(sink.body.toString(), 'body');
      assert.deepEqual(sink.trailers, { etag: '"#$' });
    },
  );
});

test('RST_STREAM both ways: a sink abort reaches nghttp2 as CANCEL, nghttp2\'s reset reaches the sink with its code', async () => {
  await withNodeServer(
    (stream, headers) => {
      stream.respond({ ':status': 200 }, PLAIN);
      stream.write('partial');
      // destroy() resets at once; close() would end the stream cleanly first.
      if (headers[':path'] === '/reset') setTimeout(() => stream.destroy(new Error('server failed')), 20);
    },
    async (client, node) => {
      const aborted = new RecordingSink();
      client.dispatch(request({ path: '/abort' }), aborted);
      await waitUntil(() => aborted.bytes > 0);
      aborted.abortHandler?.(ErrorCode.CANCEL);
      const serverStream = node.streams[0]?.stream;
      await waitUntil(() => serverStream?.closed === true);
      assert.equal(serverStream?.rstCode, ErrorCode.CANCEL);

      const reset = new RecordingSink();
      client.dispatch(request({ path: '/reset' }), reset);
      await reset.done;
      assert.ok(reset.err instanceof UpstreamError, String(reset.err));
      assert.equal(reset.errCode, ErrorCode.INTERNAL_ERROR);
    },
  );
});

test('nghttp2\'s GOAWAY lets the in-flight request finish and sends the next one on a new connection', async () => {
  const held: ServerHttp2Stream[] = [];
  await withNodeServer(
    (stream, headers) => {
      if (headers[':path'] === '/slow') {
        held.push(stream);
        return;
      }
      stream.respond({ ':status': 200 }, PLAIN);
      stream.end('fast');
    },
    async (client, node) => {
      const slow = new RecordingSink();
      client.dispatch(request({ path: '/slow' }), slow);
      await waitUntil(() => held.length === 1);
      held[0]?.session?.goaway(http2.constants.NGHTTP2_NO_ERROR, 1);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const fast = new RecordingSink();
      client.dispatch(request({ path: '/fast' }), fast);
      await fast.done;
      assert.equal(fast.body.toString(), 'fast');
      held[0]?.respond({ ':status': 200 }, PLAIN);
      held[0]?.end('slow');
      await slow.done;
      assert.equal(slow.body.toString(), 'slow');
      assert.notEqual(node.streams[0]?.session, node.streams[1]?.session);
    },
  );
});

test('Huffman-coded response headers and trailers from nghttp2 are decoded', async () => {
  await withNodeServer(
    (stream) => {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto', 'x-request-id': 'f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f' }, { ...PLAIN, waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'all good here' }));
      stream.end('x');
    },
    async (client) => {
      const sink = new RecordingSink();
      client.dispatch(request(), sink);
      await sink.done;
      assert.equal(sink.err, undefined, sink.err?.message);
      assert.equal(sink.status, 200);
      assert.deepEqual(sink.headers, ['content-type', 'application/grpc+proto', 'x-request-id', 'f0e1d2c3-b4a5-9687-7869-5a4b3c2d1e0f']);
      assert.deepEqual(sink.trailers, { 'grpc-status': '0', 'grpc-message': 'all good here' });
    },
  );
});

test('a plain HTTP/2 server without the marker gets no request: the fallback takes them', async () => {
  const routed: string[] = [];
  const fallback = {
    dispatch(req: ProxyRequest, sink: ResponseSink): void {
      routed.push(req.path);
      sink.start(203, [], true);
    },
  };
  await withNodeServer(
    (stream) => {
      stream.respond({ ':status': 200 }, PLAIN);
      stream.end();
    },
    async (client, node) => {
      const sinks = [new RecordingSink(), new RecordingSink()];
      client.dispatch(request({ path: '/a' }), sinks[0] as RecordingSink);
      client.dispatch(request({ path: '/b' }), sinks[1] as RecordingSink);
      await Promise.all(sinks.map((s) => s.done));
      assert.deepEqual(routed, ['/a', '/b']);
      assert.equal(client.isLoomPeer, false);
      const later = new RecordingSink();
      client.dispatch(request({ path: '/c' }), later);
      await later.done;
      assert.deepEqual(routed, ['/a', '/b', '/c']);
      assert.equal(node.streams.length, 0);
    },
    { loom: false, client: { fallback } },
  );
});

test('without a fallback, an unknown peer fails requests with ConnectError(NotLoomPeerError); requireLoomPeer: false talks to it', async () => {
  await withNodeServer(
    (stream) => {
      stream.respond({ ':status': 200 }, PLAIN);
      stream.end('plain');
    },
    async (_unused, node) => {
      const strict = new LoomH2Client('127.0.0.1', node.port, { connectTimeoutMs: 2000, responseTimeoutMs: 0 });
      const failed = new RecordingSink();
      strict.dispatch(request(), failed);
      await failed.done;
      assert.ok(failed.err instanceof ConnectError);
      assert.ok(failed.err.cause instanceof NotLoomPeerError);
      assert.equal(node.streams.length, 0);

      const lenient = new LoomH2Client('127.0.0.1', node.port, { connectTimeoutMs: 2000, responseTimeoutMs: 0, requireLoomPeer: false });
      const ok = new RecordingSink();
      lenient.dispatch(request(), ok);
      await ok.done;
      assert.equal(ok.body.toString(), 'plain');
      strict.close();
      lenient.close();
    },
    { loom: false },
  );
});
