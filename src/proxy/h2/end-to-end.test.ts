// LoomH2Client against serveLoomH2 over real sockets: the whole fast path, both directions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import net, { type AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { ConnectError, ConnectTimeoutError, ResponseTimeoutError, UpstreamError } from '../errors.js';
import type { ResponseSink } from '../http/types.js';
import { LoomH2Client, type LoomH2ClientOptions } from './client.js';
import { CLIENT_PREFACE, ErrorCode, Flag, FrameType } from './constants.js';
import { StreamResetError, UnprocessedRequestError } from './errors.js';
import { encodeFrame, FrameReader } from './frames.js';
import { HpackEncoder } from './hpack-encoder.js';
import { hasLoomMarker, LOOM_SETTING_ID } from './marker.js';
import type { LoomH2Handler } from './server.js';
import {
  bodyOf,
  echoHandler,
  RecordingSink,
  request,
  sha256,
  startLoomServer,
  waitUntil,
  type TestServer,
} from './test-support.test-helper.js';

async function withServer(
  handle: LoomH2Handler,
  run: (server: TestServer, client: LoomH2Client) => Promise<void>,
  clientOpts: Partial<LoomH2ClientOptions> = {},
  serverSettings: Parameters<typeof startLoomServer>[1] = {},
): Promise<void> {
  const server = await startLoomServer(handle, serverSettings);
  const client = new LoomH2Client('127.0.0.1', server.port, { connectTimeoutMs: 2000, responseTimeoutMs: 30_000, ...clientOpts });
  try {
    await run(server, client);
  } finally {
    client.close();
    await server.close();
  }
}

test('1,000 concurrent requests with bodies of random sizes up to 1 MiB are echoed back intact on one connection', async () => {
  const pool = randomBytes(1024 * 1024);
  await withServer(echoHandler, async (server, client) => {
    const cases = Array.from({ length: 1000 }, (_, i) => {
      const size = i === 0 ? 1024 * 1024 : Math.floor(Math.random() ** 3 * 1024 * 1024);
      const offset = Math.floor(Math.random() * (pool.length - size));
      const data = pool.subarray(offset, offset + size);
      const sink = new RecordingSink({ keepChunks: false });
      const httpVersion = i % 2 === 0 ? '1.1' : '2';
      const chunkSize = 1 + Math.floor(Math.random() * 70_000);
      client.dispatch(request({ method: 'POST', path: `/echo/${i}`, body: bodyOf(data, chunkSize), httpVersion }), sink);
      return { sink, digest: sha256(data), size, i, httpVersion };
    });
    await Promise.all(cases.map((c) => c.sink.done));
    for (const { sink, digest, size, i, httpVersion } of cases) {
      assert.equal(sink.err, undefined, `request ${i}: ${sink.err?.message}`);
      assert.equal(sink.status, 200);
      assert.equal(sink.header('x-path'), `/echo/${i}`);
      assert.equal(sink.header('x-http-version'), httpVersion);
      assert.equal(sink.bytes, size, `request ${i}`);
      assert.equal(sink.digest(), digest, `request ${i}`);
    }
    assert.equal(server.connections.size, 1);
  });
});

test('a 16 MiB response to a slow reader arrives intact with the bytes in flight bounded by the window', async () => {
  const payload = randomBytes(16 * 1024 * 1024);
  const window = 256 * 1024;
  const sink = new RecordingSink({ slowReadMs: 1, keepChunks: false });
  let maxOutstanding = 0;
  const handler: LoomH2Handler = (_req, res) => {
    res.start(200, ['content-type', 'application/octet-stream'], false);
    let at = 0;
    const pump = (): void => {
      while (at < payload.length) {
        const chunk = payload.subarray(at, at + 65_536);
        at += chunk.length;
        maxOutstanding = Math.max(maxOutstanding, at - sink.bytes);
        if (!res.data(chunk)) return;
      }
      res.end(null);
    };
    res.onDrain(pump);
    pump();
  };
  await withServer(
    handler,
    async (_server, client) => {
      client.dispatch(request(), sink);
      await sink.done;
      assert.equal(sink.err, undefined);
      assert.equal(sink.bytes, payload.length);
      assert.equal(sink.digest(), sha256(payload));
      // The client's stream window, the server's send queue limit and one chunk: nothing piles up.
      assert.ok(maxOutstanding <= window + 64 * 1024 + 65_536, `outstanding ${maxOutstanding}`);
    },
    { settings: { initialWindowSize: window } },
  );
});

test('a request body is read only as fast as a stalled handler lets the window open', async () => {
  const window = 128 * 1024;
  const data = randomBytes(8 * 1024 * 1024);
  let pulled = 0;
  const chunks = Array.from({ length: data.length / 65_536 }, (_, i) => data.subarray(i * 65_536, (i + 1) * 65_536));
  const body = new Readable({
    read() {
      const chunk = chunks.shift();
      if (chunk) pulled += chunk.length;
      this.push(chunk ?? null);
    },
  });
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => (release = resolve));
  const handler: LoomH2Handler = (req, res) => {
    void stalled.then(() => echoHandler(req, res));
  };
  await withServer(
    handler,
    async (_server, client) => {
      const sink = new RecordingSink({ keepChunks: false });
      client.dispatch(request({ method: 'PUT', body }), sink);
      await new Promise((resolve) => setTimeout(resolve, 200));
      // Window + client queue limit + the body's own buffering; far below 8 MiB.
      assert.ok(pulled <= window + 64 * 1024 + 4 * 65_536, `pulled ${pulled} while the handler stalled`);
      release();
      await sink.done;
      assert.equal(sink.err, undefined);
      assert.equal(sink.digest(), sha256(data));
    },
    {},
    { settings: { initialWindowSize: window } },
  );
});

test('trailers, trailers-only responses and empty bodies reach the client', async () => {
  const handler: LoomH2Handler = (req, res) => {
    if (req.path === '/trailers') {
      res.start(200, ['content-type', 'application/grpc'], false);
      res.data(Buffer.from('abc'));
      res.end({ 'grpc-status': '0', 'grpc-message': 'fine', 'x-multi': ['a', 'b'], 'x-unset': undefined });
    } else if (req.path === '/trailers-only') {
      res.start(200, ['content-type', 'application/grpc', 'grpc-status', '5'], true);
    } else {
      res.start(204, [], false);
      res.end({});
    }
  };
  await withServer(handler, async (_server, client) => {
    const withTrailers = new RecordingSink();
    const trailersOnly = new RecordingSink();
    const empty = new RecordingSink();
    client.dispatch(request({ path: '/trailers' }), withTrailers);
    client.dispatch(request({ path: '/trailers-only' }), trailersOnly);
    client.dispatch(request({ path: '/empty' }), empty);
    await Promise.all([withTrailers.done, trailersOnly.done, empty.done]);
    assert.equal(withTrailers.body.toString(), 'abc');
    assert.deepEqual(withTrailers.trailers, { 'grpc-status': '0', 'grpc-message': 'fine', 'x-multi': ['a', 'b'] });
    assert.equal(trailersOnly.endStream, true);
    assert.equal(trailersOnly.header('grpc-status'), '5');
    assert.equal(empty.status, 204);
    assert.equal(empty.trailers, null);
  });
});

test('header blocks over the frame size travel as CONTINUATION; lists over the limit are refused with 431', async () => {
  const handler: LoomH2Handler = (req, res) => {
    const big = req.headers[req.headers.indexOf('x-big') + 1] ?? '';
    res.start(200, ['x-echo-big', big, 'x-huge', req.path === '/huge-response' ? 'h'.repeat(70_000) : ''], false);
    res.end(null);
  };
  await withServer(handler, async (_server, client) => {
    const big = 'b'.repeat(40_000);
    const ok = new RecordingSink();
    client.dispatch(request({ headers: ['x-big', big] }), ok);
    const tooBig = new RecordingSink();
    client.dispatch(request({ headers: ['x-big', 'b'.repeat(100_000)] }), tooBig);
    const hugeResponse = new RecordingSink();
    client.dispatch(request({ path: '/huge-response' }), hugeResponse);
    await Promise.all([ok.done, tooBig.done, hugeResponse.done]);
    assert.equal(ok.header('x-echo-big'), big);
    assert.equal(tooBig.status, 431);
    assert.equal(tooBig.header('loom-proxy-error'), 'LOOM_ERR_HEADERS_TOO_LARGE');
    assert.ok(hugeResponse.err instanceof UpstreamError);
    assert.match(hugeResponse.err.message, /SETTINGS_MAX_HEADER_LIST_SIZE/);
  });
});

test('errors before the response are answered as the proxy answers them, in HTTP or gRPC terms', async () => {
  const handler: LoomH2Handler = (req, res) => {
    if (req.path === '/timeout') res.error(new ResponseTimeoutError('app:80', 10));
    else res.error(new ConnectTimeoutError('app:80', 10));
  };
  await withServer(handler, async (_server, client) => {
    const plain = new RecordingSink();
    const grpc = new RecordingSink();
    const grpcTimeout = new RecordingSink();
    client.dispatch(request(), plain);
    client.dispatch(request({ method: 'POST', headers: ['content-type', 'application/grpc+proto'], body: bodyOf(Buffer.from('x')) }), grpc);
    client.dispatch(request({ path: '/timeout', headers: ['content-type', 'application/grpc'] }), grpcTimeout);
    await Promise.all([plain.done, grpc.done, grpcTimeout.done]);
    assert.equal(plain.status, 502);
    assert.equal(plain.header('loom-proxy-error'), 'LOOM_ERR_CONNECT_TIMEOUT');
    assert.match(plain.body.toString(), /timed out after 10ms\n$/);
    assert.equal(grpc.status, 200);
    assert.equal(grpc.endStream, true);
    assert.equal(grpc.header('grpc-status'), '14');
    assert.equal(grpc.header('loom-proxy-error'), 'LOOM_ERR_CONNECT_TIMEOUT');
    assert.equal(grpcTimeout.header('grpc-status'), '4');
  });
});

test('a client abort resets the stream upstream and the handler hears it with the code', async () => {
  let serverAbort = -1;
  const handler: LoomH2Handler = (_req, res) => {
    res.onAbort((code) => (serverAbort = code));
    res.start(200, [], false);
    res.data(Buffer.from('partial'));
  };
  await withServer(handler, async (_server, client) => {
    const sink = new RecordingSink();
    client.dispatch(request(), sink);
    await waitUntil(() => sink.bytes > 0);
    sink.abortHandler?.(ErrorCode.CANCEL);
    await waitUntil(() => serverAbort !== -1);
    assert.equal(serverAbort, ErrorCode.CANCEL);
    assert.equal(sink.err, undefined);
  });
});

test('a server reset reaches the client as an UpstreamError carrying the reset code', async () => {
  const handler: LoomH2Handler = (req, res) => {
    if (req.path === '/mid') {
      res.start(200, [], false);
      res.data(Buffer.from('partial'));
      setTimeout(() => res.error(new Error('upstream broke')), 20);
    } else {
      res.error(new Error('upstream reset'), ErrorCode.CANCEL);
    }
  };
  await withServer(handler, async (_server, client) => {
    const mid = new RecordingSink();
    const early = new RecordingSink();
    client.dispatch(request({ path: '/mid' }), mid);
    client.dispatch(request({ path: '/early' }), early);
    await Promise.all([mid.done, early.done]);
    assert.ok(mid.err instanceof UpstreamError);
    assert.ok(mid.err.cause instanceof StreamResetError);
    assert.equal(mid.errCode, ErrorCode.INTERNAL_ERROR);
    assert.equal(mid.body.toString(), 'partial');
    assert.equal(early.started, false);
    assert.equal(early.errCode, ErrorCode.CANCEL);
  });
});

test('a REFUSED_STREAM reset before the response is retried once on a new stream', async () => {
  let attempts = 0;
  const handler: LoomH2Handler = (_req, res) => {
    attempts++;
    if (attempts === 1) res.error(new Error('busy'), ErrorCode.REFUSED_STREAM);
    else echoHandler(request(), res);
  };
  await withServer(handler, async (_server, client) => {
    const sink = new RecordingSink();
    client.dispatch(request(), sink);
    await sink.done;
    assert.equal(sink.err, undefined);
    assert.equal(sink.status, 200);
    assert.equal(attempts, 2);
  });
});

test('a graceful server drain finishes in-flight requests while new ones go to a new connection', async () => {
  const held: Array<() => void> = [];
  const handler: LoomH2Handler = (req, res) => {
    const answer = (): void => echoHandler(req, res);
    if (req.path === '/slow') held.push(answer);
    else answer();
  };
  await withServer(handler, async (server, client) => {
    const inFlight = Array.from({ length: 20 }, () => new RecordingSink());
    for (const sink of inFlight) client.dispatch(request({ path: '/slow' }), sink);
    await waitUntil(() => held.length === 20);
    const [first] = [...server.connections];
    const firstSocket = [...server.sockets][0];
    first?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const later = Array.from({ length: 5 }, () => new RecordingSink());
    for (const sink of later) client.dispatch(request({ path: '/fast' }), sink);
    await Promise.all(later.map((s) => s.done));
    assert.equal(server.connections.size, 2);
    for (const answer of held) answer();
    await Promise.all(inFlight.map((s) => s.done));
    for (const sink of [...inFlight, ...later]) assert.equal(sink.status, 200, sink.err?.message);
    await waitUntil(() => firstSocket?.destroyed === true, 3000, 'the drained connection to close');
    assert.equal(server.connections.size, 1);
  });
});

test('GOAWAY fails nothing below its last stream id, retries bodiless requests above it and fails the rest', async () => {
  // A raw server: answers stream 1, sends GOAWAY(1) once streams 3 and 5 arrived, then answers on new connections.
  const encoder = new HpackEncoder();
  let connections = 0;
  const server = net.createServer((socket) => {
    const isFirst = ++connections === 1;
    const open: number[] = [];
    socket.on('error', () => undefined);
    const respond = (id: number): void => {
      encoder.begin();
      encoder.status(200);
      socket.write(encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, id, Buffer.from(encoder.finish())));
    };
    const settings = Buffer.alloc(6);
    settings.writeUInt16BE(LOOM_SETTING_ID, 0);
    settings.writeUInt32BE(1, 2);
    socket.write(encodeFrame(FrameType.SETTINGS, 0, 0, settings));
    let prefaceLeft = CLIENT_PREFACE.length;
    const reader = new FrameReader({
      onFrame(type, flags, id) {
        if (type === FrameType.SETTINGS && !(flags & Flag.ACK)) socket.write(encodeFrame(FrameType.SETTINGS, Flag.ACK, 0));
        if (type !== FrameType.HEADERS) return;
        if (!isFirst) return respond(id);
        open.push(id);
        if (open.length === 3) {
          const goAway = Buffer.alloc(8);
          goAway.writeUInt32BE(1, 0);
          socket.write(encodeFrame(FrameType.GOAWAY, 0, 0, goAway));
          respond(1);
        }
      },
    });
    socket.on('data', (chunk: Buffer) => {
      const skip = Math.min(prefaceLeft, chunk.length);
      prefaceLeft -= skip;
      if (skip < chunk.length) reader.push(chunk.subarray(skip));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new LoomH2Client('127.0.0.1', (server.address() as AddressInfo).port, { connectTimeoutMs: 2000, responseTimeoutMs: 5000 });
  try {
    const one = new RecordingSink();
    const three = new RecordingSink();
    const five = new RecordingSink();
    client.dispatch(request(), one);
    client.dispatch(request(), three);
    client.dispatch(request({ method: 'POST', body: Readable.from([Buffer.from('x')]) }), five);
    await Promise.all([one.done, three.done, five.done]);
    assert.equal(one.status, 200);
    assert.equal(three.status, 200, 'retried on the second connection');
    assert.ok(five.err instanceof UpstreamError);
    assert.ok(five.err.cause instanceof UnprocessedRequestError);
    assert.equal(connections, 2);
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test('the server socket closing mid-response fails the client sink with an UpstreamError', async () => {
  let serverSockets: TestServer['sockets'] | undefined;
  const handler: LoomH2Handler = (req, res) => {
    if (req.path === '/next') return echoHandler(req, res);
    res.start(200, [], false);
    res.data(Buffer.from('partial'));
    setTimeout(() => {
      for (const s of serverSockets ?? []) s.destroy();
    }, 20);
  };
  await withServer(handler, async (server, client) => {
    serverSockets = server.sockets;
    const sink = new RecordingSink();
    client.dispatch(request(), sink);
    await sink.done;
    assert.equal(sink.body.toString(), 'partial');
    assert.ok(sink.err instanceof UpstreamError, String(sink.err));
    // The next request opens a new connection.
    const next = new RecordingSink();
    client.dispatch(request({ path: '/next' }), next);
    await next.done;
    assert.equal(next.status, 200);
  });
});

test('connect failures: refused is a ConnectError, silence is a ConnectTimeoutError', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const refusedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const refused = new RecordingSink();
  new LoomH2Client('127.0.0.1', refusedPort, { connectTimeoutMs: 1000, responseTimeoutMs: 0 }).dispatch(request(), refused);
  await refused.done;
  assert.ok(refused.err instanceof ConnectError, String(refused.err));

  const silent = net.createServer((socket) => socket.on('error', () => undefined));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const client = new LoomH2Client('127.0.0.1', (silent.address() as AddressInfo).port, { connectTimeoutMs: 100, responseTimeoutMs: 0 });
  const timedOut = new RecordingSink();
  client.dispatch(request(), timedOut);
  await timedOut.done;
  assert.ok(timedOut.err instanceof ConnectTimeoutError, String(timedOut.err));
  silent.close();
  silent.unref();
});

test('the client\'s opening bytes carry the marker that protocol detection looks for', async () => {
  let first: Buffer | undefined;
  const server = net.createServer((socket) => {
    socket.once('data', (chunk: Buffer) => {
      first = chunk;
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const client = new LoomH2Client('127.0.0.1', (server.address() as AddressInfo).port, { connectTimeoutMs: 1000, responseTimeoutMs: 0 });
  const sink = new RecordingSink();
  client.dispatch(request(), sink);
  await sink.done;
  assert.equal(hasLoomMarker(first ?? Buffer.alloc(0)), true);
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

test('a peer that answers in HTTP/1 fails the queued requests with ConnectError, without an exception', async () => {
  const http1Only = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.resume();
    socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
  });
  await new Promise<void>((resolve) => http1Only.listen(0, '127.0.0.1', resolve));
  const client = new LoomH2Client('127.0.0.1', (http1Only.address() as AddressInfo).port, { connectTimeoutMs: 1000, responseTimeoutMs: 0 });
  try {
    const sinks = [new RecordingSink(), new RecordingSink()];
    for (const sink of sinks) client.dispatch(request(), sink);
    await Promise.all(sinks.map((s) => s.done));
    for (const sink of sinks) {
      assert.ok(sink.err instanceof ConnectError, String(sink.err));
      assert.match(sink.err.message, /PROTOCOL_ERROR: the first frame must be SETTINGS/);
    }
  } finally {
    client.close();
    await new Promise<void>((resolve) => http1Only.close(() => resolve()));
  }
});

test('no response head within the response timeout fails with ResponseTimeoutError and resets upstream', async () => {
  let serverAbort = -1;
  const handler: LoomH2Handler = (req, res) => {
    if (req.path === '/never') res.onAbort((code) => (serverAbort = code));
    else echoHandler(req, res);
  };
  await withServer(
    handler,
    async (_server, client) => {
      const slow = new RecordingSink();
      const fast = new RecordingSink();
      client.dispatch(request({ path: '/never' }), slow);
      client.dispatch(request({ path: '/fast' }), fast);
      await Promise.all([slow.done, fast.done]);
      assert.equal(fast.status, 200);
      assert.ok(slow.err instanceof ResponseTimeoutError, String(slow.err));
      await waitUntil(() => serverAbort !== -1);
      assert.equal(serverAbort, ErrorCode.CANCEL);
    },
    { responseTimeoutMs: 100 },
  );
});

test('close() waits for in-flight requests, then the connection goes away', async () => {
  let answer: (() => void) | undefined;
  const handler: LoomH2Handler = (req, res) => {
    answer = () => echoHandler(req, res);
  };
  await withServer(handler, async (server, client) => {
    const sink = new RecordingSink();
    client.dispatch(request(), sink);
    await waitUntil(() => answer !== undefined);
    client.close();
    const refused = new RecordingSink();
    client.dispatch(request(), refused);
    assert.ok(refused.err instanceof UpstreamError);
    answer?.();
    await sink.done;
    assert.equal(sink.status, 200);
    await waitUntil(() => server.sockets.size === 0, 3000, 'the connection to close');
  });
});

test('a sink that stops reading holds back WINDOW_UPDATE until it drains', async () => {
  const payload = randomBytes(2 * 1024 * 1024);
  let drain: (() => void) | undefined;
  let sent = 0;
  const sink: ResponseSink & { got: number } = {
    got: 0,
    started: false,
    start() {},
    data(chunk) {
      this.got += chunk.length;
      return false; // never keeps up until told otherwise
    },
    end() {},
    error() {},
    onDrain(resume) {
      drain = resume;
    },
    onAbort() {},
  };
  const handler: LoomH2Handler = (_req, res) => {
    res.start(200, [], false);
    const pump = (): void => {
      while (sent < payload.length) {
        const chunk = payload.subarray(sent, sent + 16_384);
        sent += chunk.length;
        if (!res.data(chunk)) return;
      }
      res.end(null);
    };
    res.onDrain(pump);
    pump();
  };
  const server = await startLoomServer(handler);
  const client = new LoomH2Client('127.0.0.1', server.port, { connectTimeoutMs: 1000, responseTimeoutMs: 0, settings: { initialWindowSize: 100_000 } });
  try {
    client.dispatch(request(), sink);
    await waitUntil(() => sink.got >= 100_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(sink.got, 100_000, 'exactly one window arrives while the sink does not drain');
    drain?.();
    await waitUntil(() => sink.got >= 200_000);
  } finally {
    client.close();
    await server.close();
  }
});
