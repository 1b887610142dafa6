// Bad input, end to end: malformed, oversized, smuggled, slow, garbled and looping requests, and
// upstreams that misbehave, against a real proxy on real sockets. Every test ends by checking the
// proxy still serves a normal request.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http, { type IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { test, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Flag, FrameType, H2Error, RawH2Connection, encodeFrame, parseGoAway, settingsFrame } from './support/h2-frames.js';
import { startProxy, type TestProxy } from './support/proxy.js';
import { eventually, h2Upstream, httpUpstream, rawExchange, tcpUpstream, type Upstream } from './support/upstreams.js';

const FAST = {
  LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '300ms',
  LOOM_PROXY_QUEUE_TIMEOUT: '200ms',
  LOOM_PROXY_DETECT_TIMEOUT: '300ms',
  LOOM_PROXY_HEADER_READ_TIMEOUT: '500ms',
  LOOM_PROXY_CONNECT_TIMEOUT: '500ms',
};

// ---------------------------------------------------------------------------------------------
// Upstreams and fixture

type RecordingUpstream = Upstream & { seen: string[] };

/** An HTTP/1.1 upstream that records `METHOD path` of every request it receives. */
async function recordingUpstream(name: string): Promise<RecordingUpstream> {
  const seen: string[] = [];
  const up = await httpUpstream(name, (req, res) => {
    seen.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      res.setHeader('x-upstream', name);
      res.end(JSON.stringify({ name, url: req.url }));
    });
  });
  return Object.assign(up, { seen });
}

interface Fixture {
  proxy: TestProxy;
  /** The `ok.test` upstream every fixture routes to. */
  ok: RecordingUpstream;
}

/** A proxy whose discovery maps ok.test to a recording upstream, plus `routes`; closed after the test. */
async function fixture(t: TestContext, routes: string[] = [], env: Record<string, string> = {}): Promise<Fixture> {
  const ok = await recordingUpstream('ok');
  t.after(() => ok.close());
  const proxy = await startProxy({
    ...FAST,
    LOOM_PROXY_DISCOVERY: [`ok.test:80 -> ${ok.addr}`, ...routes].join(';'),
    ...env,
  });
  t.after(() => proxy.close());
  return { proxy, ok };
}

function upstreamFor<U extends Upstream>(t: TestContext, up: U): U {
  t.after(() => up.close());
  return up;
}

/** The proxy still answers a normal HTTP/1.1 request, quickly, from the right upstream. */
async function assertServing(fx: Fixture, what: string): Promise<void> {
  const before = fx.ok.seen.length;
  const r = await httpGet(fx.proxy.outbound, 'ok.test', `/alive?after=${encodeURIComponent(what)}`);
  assert.equal(r.status, 200, `after ${what}: a normal request got ${r.status} ${r.body}`);
  assert.equal(r.headers['x-upstream'], 'ok');
  assert.equal(r.complete, true);
  assert.equal(fx.ok.seen.length, before + 1);
  assert.ok(r.ms < 1000, `after ${what}: a normal request took ${r.ms.toFixed(0)}ms`);
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Clients

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The response arrived whole (false: the connection broke mid-body). */
  complete: boolean;
  ms: number;
}

/** One HTTP/1.1 request on its own connection; rejects only if nothing settles within `timeoutMs`. */
function httpGet(
  addr: string,
  host: string,
  path = '/',
  opts: { timeoutMs?: number; agent?: http.Agent | false; method?: string; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const { timeoutMs = 3000, agent = false, method = 'GET', headers = {} } = opts;
  const [hostname, port] = addr.split(':') as [string, string];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${host}${path}: no outcome within ${timeoutMs}ms (hung)`));
    }, timeoutMs);
    const req = http.request({ hostname, port: Number(port), path, method, agent, headers: { host, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('latin1');
      res.on('data', (d: string) => (body += d));
      res.on('error', () => undefined);
      res.on('close', () => {
        clearTimeout(timer);
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, complete: res.complete, ms: performance.now() - started });
      });
    });
    req.on('error', (err) => {
      clearTimeout(timer);
      resolve({ status: 0, headers: {}, body: err.message, complete: false, ms: performance.now() - started });
    });
    req.end();
  });
}

interface RawReply {
  status: number;
  headers: Record<string, string>;
  body: string;
  text: string;
  ms: number;
}

/**
 * Writes raw bytes, reads until the proxy closes the connection, and parses the reply. Fails if
 * the proxy has not closed it within `timeoutMs`.
 */
async function rawUntilClosed(addr: string, payload: string | Buffer, timeoutMs = 2000): Promise<RawReply> {
  const started = performance.now();
  const text = await rawExchange(addr, payload, timeoutMs);
  const ms = performance.now() - started;
  assert.ok(ms < timeoutMs - 20, `the proxy left the connection open for ${timeoutMs}ms after ${JSON.stringify(String(payload).slice(0, 60))}`);
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const m = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine);
  return { status: m ? Number(m[1]) : 0, headers, body: end < 0 ? '' : text.slice(end + 4), text, ms };
}

interface H2Reply {
  headers: http2.IncomingHttpHeaders;
  /** The response HEADERS frame ended the stream (a trailers-only response). */
  endStream: boolean;
  body: string;
  trailers: http2.IncomingHttpHeaders | null;
  ms: number;
}

function h2Request(
  session: http2.ClientHttp2Session,
  headers: http2.OutgoingHttpHeaders,
  body: Buffer | null = null,
  timeoutMs = 3000,
): Promise<H2Reply> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const stream = session.request(headers, { endStream: body === null });
    const timer = setTimeout(() => {
      stream.close(http2.constants.NGHTTP2_CANCEL);
      reject(new Error(`h2 ${String(headers[':authority'])}${String(headers[':path'])}: no response within ${timeoutMs}ms`));
    }, timeoutMs);
    let head: http2.IncomingHttpHeaders = {};
    let endStream = false;
    let trailers: http2.IncomingHttpHeaders | null = null;
    let text = '';
    stream.on('response', (h, flags) => {
      head = h;
      endStream = (flags & Flag.END_STREAM) !== 0;
    });
    stream.on('trailers', (h) => (trailers = h));
    stream.setEncoding('latin1');
    stream.on('data', (d: string) => (text += d));
    stream.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    stream.on('close', () => {
      clearTimeout(timer);
      if (head[':status'] === undefined) reject(new Error(`h2 stream closed without a response (rst ${stream.rstCode})`));
      else resolve({ headers: head, endStream, body: text, trailers, ms: performance.now() - started });
    });
    if (body !== null) stream.end(body);
  });
}

function h2Connect(t: TestContext, addr: string): Promise<http2.ClientHttp2Session> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(`http://${addr}`);
    t.after(() => session.destroy());
    session.once('connect', () => resolve(session));
    session.once('error', reject);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// 1. Malformed request lines and header lines

test('malformed request lines and header lines are answered 400 and the connection closed', async (t) => {
  const fx = await fixture(t);
  const cases: [string, string][] = [
    ['extra token after the version', 'GET /m1 HTTP/1.1 extra\r\nHost: ok.test\r\n\r\n'],
    ['misspelt protocol', 'GET /m2 HTTQ/1.1\r\nHost: ok.test\r\n\r\n'],
    ['header line without a colon', 'GET /m3 HTTP/1.1\r\nHost ok.test\r\n\r\n'],
    ['header name with a space', 'GET /m4 HTTP/1.1\r\nHost: ok.test\r\nBad Name: v\r\n\r\n'],
    ['space before the colon', 'GET /m5 HTTP/1.1\r\nHost : ok.test\r\n\r\n'],
    ['NUL byte in a header value', 'GET /m6 HTTP/1.1\r\nHost: ok.test\r\nX-Nul: a\u0000b\r\n\r\n'],
    ['NUL byte in a header name', 'GET /m7 HTTP/1.1\r\nHost: ok.test\r\nX-N\u0000ul: ab\r\n\r\n'],
    ['space inside the request target', 'GET /m 8 HTTP/1.1\r\nHost: ok.test\r\n\r\n'],
  ];
  for (const [what, payload] of cases) {
    const r = await rawUntilClosed(fx.proxy.outbound, payload);
    assert.equal(r.status, 400, `${what}: expected 400, got ${JSON.stringify(r.text.slice(0, 80))}`);
    assert.equal(r.headers['loom-proxy-error'], 'LOOM_ERR_BAD_REQUEST', what);
    assert.equal(r.headers['connection'], 'close', what);
  }
  assert.deepEqual(fx.ok.seen, [], 'no malformed request may reach the upstream');
  await assertServing(fx, 'malformed requests');
});

// ---------------------------------------------------------------------------------------------
// 2. Oversized headers

test('a header block larger than LOOM_PROXY_MAX_HEADER_BYTES is answered 431 and the connection closed', async (t) => {
  const fx = await fixture(t, [], { LOOM_PROXY_MAX_HEADER_BYTES: '4096' });
  const oneBig = `GET /big1 HTTP/1.1\r\nHost: ok.test\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`;
  let many = 'GET /big2 HTTP/1.1\r\nHost: ok.test\r\n';
  for (let i = 0; i < 100; i++) many += `X-Small-${i}: ${'b'.repeat(40)}\r\n`;
  many += '\r\n';
  for (const [what, payload] of [['one large header', oneBig], ['many small headers', many]] as const) {
    const r = await rawUntilClosed(fx.proxy.outbound, payload);
    assert.equal(r.status, 431, `${what}: expected 431, got ${JSON.stringify(r.text.slice(0, 80))}`);
    assert.equal(r.headers['connection'], 'close', what);
    assert.ok(r.headers['loom-proxy-error'], `${what}: no loom-proxy-error header`);
  }
  // Just under the limit is still fine: the limit is not off by a wide margin.
  const under = await httpGet(fx.proxy.outbound, 'ok.test', '/under', { headers: { 'x-medium': 'c'.repeat(3000) } });
  assert.equal(under.status, 200);
  assert.deepEqual(fx.ok.seen, ['GET /under']);
  await assertServing(fx, 'oversized headers');
});

// ---------------------------------------------------------------------------------------------
// 3. Request smuggling

test('ambiguous message framing is rejected and never smuggles a request to the upstream', async (t) => {
  const fx = await fixture(t);
  const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: ok.test\r\n\r\n';
  const rejected: [string, string][] = [
    ['Content-Length with Transfer-Encoding', `POST /s1 HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${smuggled}`],
    ['Transfer-Encoding with Content-Length', `POST /s2 HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding: chunked\r\nContent-Length: 48\r\n\r\n0\r\n\r\n${smuggled}`],
    ['two different Content-Length values', `POST /s3 HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 5\r\nContent-Length: 44\r\n\r\nhello${smuggled}`],
    ['a Content-Length list', `POST /s4 HTTP/1.1\r\nHost: ok.test\r\nContent-Length: 5, 44\r\n\r\nhello${smuggled}`],
    ['Transfer-Encoding not ending in chunked', `POST /s5 HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n${smuggled}`],
    ['Transfer-Encoding with a space before the colon', `POST /s6 HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\n0\r\n\r\n${smuggled}`],
  ];
  for (const [what, payload] of rejected) {
    const r = await rawUntilClosed(fx.proxy.outbound, payload);
    assert.equal(r.status, 400, `${what}: expected 400, got ${JSON.stringify(r.text.slice(0, 80))}`);
    assert.equal(r.headers['loom-proxy-error'], 'LOOM_ERR_BAD_REQUEST', what);
    assert.equal(r.text.match(/^HTTP\/1\.1 \d{3} /gm)?.length, 1, `${what}: more than one response came back`);
  }
  assert.equal(fx.ok.seen.length, 0, `a rejected request reached the upstream: ${fx.ok.seen.join(', ')}`);

  // The head is valid, so the upstream may see POST /s7; the broken body must end the connection
  // before anything after it is parsed as a second request.
  const badChunk = `POST /s7 HTTP/1.1\r\nHost: ok.test\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n${smuggled}`;
  const r = await rawUntilClosed(fx.proxy.outbound, badChunk);
  assert.ok(r.status === 400 || r.text === '', `invalid chunk size: expected 400 or a closed connection, got ${JSON.stringify(r.text.slice(0, 80))}`);
  assert.ok(!r.text.includes('/smuggled'), 'a response to the smuggled request came back');
  await sleep(100);
  assert.ok(!fx.ok.seen.includes('GET /smuggled'), `the smuggled request reached the upstream: ${fx.ok.seen.join(', ')}`);
  assert.ok(fx.ok.seen.every((s) => s === 'POST /s7'), `unexpected upstream requests: ${fx.ok.seen.join(', ')}`);
  await assertServing(fx, 'smuggling attempts');
});

// ---------------------------------------------------------------------------------------------
// 4. Invalid HTTP/2 frames

/** What a client must see for one invalid frame: GOAWAY with `code`, then the connection closed. */
async function assertGoAway(addr: string, what: string, frame: Buffer, code: number | 'any-error'): Promise<void> {
  const conn = await RawH2Connection.open(addr);
  try {
    conn.send(frame);
    const goawayFrame = await conn.waitFor((f) => f.type === FrameType.GOAWAY, 2000).catch((err: Error) => assert.fail(`${what}: ${err.message}`));
    const goaway = parseGoAway(goawayFrame);
    if (code === 'any-error') assert.notEqual(goaway.errorCode, H2Error.NO_ERROR, `${what}: GOAWAY without an error code`);
    else assert.equal(goaway.errorCode, code, `${what}: GOAWAY error code ${goaway.errorCode}, the spec requires ${code}`);
    assert.equal(goaway.lastStreamId, 0, `${what}: no stream was processed`);
    // RFC 9113 §5.4.1: after a GOAWAY for a connection error the endpoint MUST close the connection.
    const closed = await Promise.race([conn.closed.then(() => true), sleep(2000).then(() => false)]);
    assert.ok(closed, `${what}: the proxy sent GOAWAY(${goaway.errorCode}) but left the connection open`);
  } finally {
    conn.destroy();
  }
}

const { PROTOCOL_ERROR, FRAME_SIZE_ERROR, FLOW_CONTROL_ERROR } = H2Error;
const HEADERS_ON_STREAM_0 = encodeFrame(FrameType.HEADERS, Flag.END_HEADERS | Flag.END_STREAM, 0, Buffer.from([0x82, 0x86, 0x84]));

/** Invalid frames nghttp2 rejects itself, with the code RFC 9113 requires. */
const SPEC_CODED: [string, Buffer, number][] = [
  ['DATA on stream 0 (§6.1)', encodeFrame(FrameType.DATA, 0, 0, Buffer.from('hello')), PROTOCOL_ERROR],
  ['SETTINGS of 5 bytes (§6.5)', encodeFrame(FrameType.SETTINGS, 0, 0, Buffer.alloc(5)), FRAME_SIZE_ERROR],
  ['SETTINGS ACK with a payload (§6.5)', encodeFrame(FrameType.SETTINGS, Flag.ACK, 0, Buffer.alloc(6)), FRAME_SIZE_ERROR],
  ['PING of 7 bytes (§6.7)', encodeFrame(FrameType.PING, 0, 0, Buffer.alloc(7)), FRAME_SIZE_ERROR],
];

/**
 * Invalid frames node:http2 turns into a session error of its own: it destroys the session with
 * GOAWAY(INTERNAL_ERROR) before nghttp2's GOAWAY with the spec's code goes out. The spec's codes
 * would be PROTOCOL_ERROR or FLOW_CONTROL_ERROR (listed); only a non-zero GOAWAY is asserted.
 */
const NODE_CODED: [string, Buffer, number][] = [
  ['HEADERS on stream 0 (§6.2)', HEADERS_ON_STREAM_0, PROTOCOL_ERROR],
  ['WINDOW_UPDATE of 0 on the connection (§6.9)', encodeFrame(FrameType.WINDOW_UPDATE, 0, 0, Buffer.alloc(4)), PROTOCOL_ERROR],
  ['SETTINGS_ENABLE_PUSH = 2 (§6.5.2)', settingsFrame([[0x2, 2]]), PROTOCOL_ERROR],
  ['SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1 (§6.5.2)', settingsFrame([[0x4, 0x80000000]]), FLOW_CONTROL_ERROR],
  ['SETTINGS_MAX_FRAME_SIZE below 16384 (§6.5.2)', settingsFrame([[0x5, 100]]), PROTOCOL_ERROR],
];

test('invalid HTTP/2 frames get GOAWAY and a closed connection; other sessions carry on', async (t) => {
  const h2 = upstreamFor(
    t,
    await h2Upstream((stream, headers) => {
      stream.respond({ ':status': 200, 'x-upstream': 'h2' });
      stream.end(`h2 ${String(headers[':path'])}`);
    }),
  );
  // An idle timeout is one acceptable way to close a session nghttp2 has terminated.
  const fx = await fixture(t, [`h2.test:80 -> ${h2.addr}`], { LOOM_PROXY_IDLE_TIMEOUT: '1s' });
  const good = await h2Connect(t, fx.proxy.outbound);
  const ask = (path: string): Promise<H2Reply> => h2Request(good, { ':method': 'GET', ':path': path, ':authority': 'h2.test' });
  assert.equal((await ask('/first')).headers[':status'], 200);

  const attacks = Promise.allSettled([
    ...SPEC_CODED.map(([what, frame, code]) => assertGoAway(fx.proxy.outbound, what, frame, code)),
    ...NODE_CODED.map(([what, frame]) => assertGoAway(fx.proxy.outbound, what, frame, 'any-error')),
  ]);
  // The well-behaved session keeps getting answers while the bad ones are torn down.
  let settled = false;
  void attacks.then(() => (settled = true));
  const meanwhile: Promise<H2Reply>[] = [];
  for (let i = 0; !settled && i < 100; i++) {
    meanwhile.push(ask(`/during-${i}`));
    await sleep(50);
  }
  const failures = (await attacks).flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
  for (const [i, reply] of (await Promise.all(meanwhile)).entries()) {
    assert.equal(reply.headers[':status'], 200);
    assert.equal(reply.body, `h2 /during-${i}`);
  }
  const after = await ask('/after');
  assert.equal(after.headers[':status'], 200);
  assert.equal(after.headers['x-upstream'], 'h2');
  assert.equal(good.closed || good.destroyed, false, 'the well-behaved session was closed');
  await assertServing(fx, 'invalid HTTP/2 frames');
  assert.deepEqual(failures, []);
});

// ---------------------------------------------------------------------------------------------
// 5. Slowloris

test('a client trickling its headers is cut off at the header read timeout while others are served', async (t) => {
  const fx = await fixture(t, [], { LOOM_PROXY_HEADER_READ_TIMEOUT: '500ms' });
  const [host, port] = fx.proxy.outbound.split(':') as [string, string];
  const slow = net.connect(Number(port), host);
  slow.on('error', () => undefined);
  let received = '';
  slow.on('data', (d: Buffer) => (received += d.toString('latin1')));
  const started = performance.now();
  const closedAt = new Promise<number>((resolve) => slow.once('close', () => resolve(performance.now() - started)));
  // The method and space go at once so protocol detection is over; the rest trickles.
  slow.write('GET ');
  const rest = `/slow HTTP/1.1\r\nHost: ok.test\r\nX-Pad: ${'p'.repeat(40)}\r\n\r\n`;
  let sent = 0;
  const trickle = setInterval(() => {
    if (slow.destroyed || sent >= rest.length) return clearInterval(trickle);
    slow.write(rest[sent++] as string);
  }, 100);
  t.after(() => {
    clearInterval(trickle);
    slow.destroy();
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  const timings: number[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await httpGet(fx.proxy.outbound, 'ok.test', `/normal-${i}`, { agent });
    assert.equal(r.status, 200);
    timings.push(r.ms);
    await sleep(30);
  }
  for (const [i, ms] of timings.entries()) assert.ok(ms < 500, `normal request ${i} took ${ms.toFixed(0)}ms during a slowloris`);

  const ms = await Promise.race([closedAt, sleep(2500).then(() => Infinity)]);
  assert.ok(ms <= 1500, `the slow client was not cut off within 1.5s (after ${ms}ms)`);
  assert.ok(sent < rest.length, 'the slow client finished its headers before being cut off; the test is too slow');
  assert.match(received, /^HTTP\/1\.1 408 /, `expected 408, got ${JSON.stringify(received.slice(0, 80))}`);
  assert.ok(!fx.ok.seen.includes('GET /slow'));
  await assertServing(fx, 'slowloris');
});

// ---------------------------------------------------------------------------------------------
// 6. Upstream closes mid-response

/**
 * An HTTP/1.1 upstream that breaks its responses: `/cl` promises 1000 bytes and sends 10,
 * `/chunked` sends one chunk and no terminating chunk; anything else gets a whole `ok`.
 */
function truncatingUpstream(): Promise<Upstream> {
  return tcpUpstream((socket) => {
    let head = '';
    socket.on('data', (d: Buffer) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const path = head.split(' ')[1] ?? '';
      head = head.slice(end + 4);
      if (path === '/cl') {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n0123456789', () => setTimeout(() => socket.destroy(), 20));
      } else if (path === '/chunked') {
        socket.write('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', () => setTimeout(() => socket.destroy(), 20));
      } else {
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  });
}

/** A response cut off upstream reaches the client broken (or as a clean 502), never whole, never hung. */
async function assertBrokenResponses(outbound: string, host: string): Promise<void> {
  const cl = await httpGet(outbound, host, '/cl', { timeoutMs: 3000 });
  if (cl.status === 502) {
    assert.equal(cl.complete, true);
    assert.ok(cl.headers['loom-proxy-error']);
  } else {
    assert.equal(cl.status, 200, `content-length: unexpected ${cl.status} ${cl.body}`);
    assert.equal(cl.headers['content-length'], '1000');
    assert.equal(cl.complete, false, 'content-length: the truncated response looked complete');
    assert.ok(cl.body.length < 1000);
  }
  const chunked = await httpGet(outbound, host, '/chunked', { timeoutMs: 3000 });
  if (chunked.status === 502) {
    assert.equal(chunked.complete, true);
    assert.ok(chunked.headers['loom-proxy-error']);
  } else {
    assert.equal(chunked.status, 200, `chunked: unexpected ${chunked.status} ${chunked.body}`);
    assert.equal(chunked.complete, false, 'chunked: the response ended as if whole (terminating chunk sent)');
    assert.ok(chunked.body === '' || chunked.body === 'hello');
  }
  // Over raw bytes too: no terminating 0-chunk is ever written for the broken chunked response.
  const raw = await rawUntilClosed(outbound, `GET /chunked HTTP/1.1\r\nHost: ${host}\r\n\r\n`, 3000);
  assert.ok(!/\r\n0\r\n\r\n$/.test(raw.text), `chunked (raw): the proxy terminated the body cleanly: ${JSON.stringify(raw.text)}`);
}

test('an upstream closing mid-response breaks the client response through one hop', async (t) => {
  const up = upstreamFor(t, await truncatingUpstream());
  const fx = await fixture(t, [`cut.test:80 -> ${up.addr}`]);
  await assertBrokenResponses(fx.proxy.outbound, 'cut.test');
  const fine = await httpGet(fx.proxy.outbound, 'cut.test', '/fine');
  assert.equal(fine.status, 200);
  assert.equal(fine.body, 'ok');
  await assertServing(fx, 'an upstream closing mid-response');
});

test('an upstream closing mid-response breaks the client response across the proxy-to-proxy HTTP/2 hop', async (t) => {
  const up = upstreamFor(t, await truncatingUpstream());
  const far = await startProxy({ ...FAST, LOOM_PROXY_APP_ADDR: up.addr });
  t.after(() => far.close());
  const fx = await fixture(t, [`cut.test:80 -> ${far.inbound} meshed`]);
  await assertBrokenResponses(fx.proxy.outbound, 'cut.test');
  // The HTTP/2 connection between the proxies survives the reset streams.
  const fine = await httpGet(fx.proxy.outbound, 'cut.test', '/fine');
  assert.equal(fine.status, 200);
  assert.equal(fine.body, 'ok');
  await assertServing(fx, 'an upstream closing mid-response behind a peer proxy');
});

// ---------------------------------------------------------------------------------------------
// 6c. Client abandons an upload

type UploadSink = Upstream & { received: Map<string, number>; outcomes: Map<string, string> };

/** An HTTP/1.1 app that records, per path, the body bytes received and whether the body completed. */
async function uploadSink(): Promise<UploadSink> {
  const received = new Map<string, number>();
  const outcomes = new Map<string, string>();
  const up = await httpUpstream('uploads', (req, res) => {
    const path = req.url ?? '';
    let size = 0;
    req.on('data', (d: Buffer) => received.set(path, (size += d.length)));
    req.on('end', () => {
      outcomes.set(path, `complete after ${size} bytes`);
      res.end('ok');
    });
    req.on('close', () => {
      if (!outcomes.has(path)) outcomes.set(path, 'aborted');
    });
    req.on('error', () => undefined);
  });
  return Object.assign(up, { received, outcomes });
}

test('a client abandoning an upload mid-body never reaches the app as a complete body, through one hop or two', async (t) => {
  const app = upstreamFor(t, await uploadSink());
  const far = await startProxy({ ...FAST, LOOM_PROXY_APP_ADDR: app.addr });
  t.after(() => far.close());
  const fx = await fixture(t, [`upload-direct.test:80 -> ${app.addr}`, `upload-meshed.test:80 -> ${far.inbound} meshed`]);
  const [host, port] = fx.proxy.outbound.split(':') as [string, string];
  const outcomes: Record<string, string> = {};
  for (const service of ['upload-direct.test', 'upload-meshed.test']) {
    for (const framing of ['chunked', 'content-length']) {
      const path = `/${service}/${framing}`;
      const head =
        framing === 'chunked'
          ? `POST ${path} HTTP/1.1\r\nHost: ${service}\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n`
          : `POST ${path} HTTP/1.1\r\nHost: ${service}\r\nContent-Length: 100\r\n\r\nhello`;
      const client = net.connect(Number(port), host);
      client.on('error', () => undefined);
      client.write(head);
      await eventually(() => app.received.get(path) === 5, 2000, `${path}: the first 5 body bytes at the app`);
      client.destroy();
      await eventually(() => app.outcomes.has(path), 2000, `${path}: the app's request to end one way or another`);
      outcomes[path] = app.outcomes.get(path) as string;
    }
  }
  assert.deepEqual(outcomes, {
    '/upload-direct.test/chunked': 'aborted',
    '/upload-direct.test/content-length': 'aborted',
    '/upload-meshed.test/chunked': 'aborted',
    '/upload-meshed.test/content-length': 'aborted',
  });
  await assertServing(fx, 'abandoned uploads');
});

// ---------------------------------------------------------------------------------------------
// 7. Upstream that never answers

test('an upstream that never answers gets 504 LOOM_ERR_RESPONSE_TIMEOUT after LOOM_PROXY_RESPONSE_TIMEOUT', async (t) => {
  let accepted = 0;
  const silent = upstreamFor(t, await tcpUpstream((socket) => {
    accepted++;
    socket.resume();
  }));
  const silentH2 = upstreamFor(t, await h2Upstream(() => undefined));
  const fx = await fixture(t, [`silent.test:80 -> ${silent.addr}`, `silent-h2.test:80 -> ${silentH2.addr}`], {
    LOOM_PROXY_RESPONSE_TIMEOUT: '300ms',
  });

  const r = await httpGet(fx.proxy.outbound, 'silent.test', '/wait', { timeoutMs: 3000 });
  assert.equal(r.status, 504, `HTTP/1 upstream: got ${r.status} ${r.body}`);
  assert.equal(r.headers['loom-proxy-error'], 'LOOM_ERR_RESPONSE_TIMEOUT');
  assert.ok(r.ms >= 280 && r.ms < 1500, `HTTP/1 upstream: answered after ${r.ms.toFixed(0)}ms`);
  assert.equal(accepted, 1);

  const session = await h2Connect(t, fx.proxy.outbound);
  const h2 = await h2Request(session, { ':method': 'GET', ':path': '/wait', ':authority': 'silent-h2.test' });
  assert.equal(h2.headers[':status'], 504, `HTTP/2 upstream: got ${String(h2.headers[':status'])} ${h2.body}`);
  assert.equal(h2.headers['loom-proxy-error'], 'LOOM_ERR_RESPONSE_TIMEOUT');
  assert.ok(h2.ms >= 280 && h2.ms < 1500, `HTTP/2 upstream: answered after ${h2.ms.toFixed(0)}ms`);
  await assertServing(fx, 'a silent upstream');
});

// ---------------------------------------------------------------------------------------------
// 8. Connect refused, unknown service, no Host

test('refused connections, unknown services and requests naming no destination get the right errors', async (t) => {
  const port = await closedPort();
  const fx = await fixture(t, [`refused.test:80 -> 127.0.0.1:${port}`]);

  const refused = await httpGet(fx.proxy.outbound, 'refused.test', '/');
  assert.equal(refused.status, 502, `refused: ${refused.status} ${refused.body}`);
  assert.equal(refused.headers['loom-proxy-error'], 'LOOM_ERR_CONNECT');

  const unknown = await httpGet(fx.proxy.outbound, 'nosuch.test', '/');
  assert.equal(unknown.status, 503, `unknown: ${unknown.status} ${unknown.body}`);
  assert.equal(unknown.headers['loom-proxy-error'], 'LOOM_ERR_NO_ENDPOINTS');
  assert.ok(unknown.ms >= 180 && unknown.ms < 1000, `unknown: answered after ${unknown.ms.toFixed(0)}ms, queue timeout is 200ms`);

  const http10 = await rawUntilClosed(fx.proxy.outbound, 'GET /nohost HTTP/1.0\r\nUser-Agent: old\r\n\r\n');
  assert.equal(http10.status, 400, `HTTP/1.0 without Host: ${JSON.stringify(http10.text.slice(0, 80))}`);
  assert.equal(http10.headers['loom-proxy-error'], 'LOOM_ERR_BAD_REQUEST');

  const http11 = await rawUntilClosed(fx.proxy.outbound, 'GET /nohost HTTP/1.1\r\nUser-Agent: new\r\n\r\n');
  assert.equal(http11.status, 400, `HTTP/1.1 without Host: ${JSON.stringify(http11.text.slice(0, 80))}`);

  const emptyHost = await rawUntilClosed(fx.proxy.outbound, 'GET /emptyhost HTTP/1.1\r\nHost:\r\nConnection: close\r\n\r\n');
  assert.equal(emptyHost.status, 400, `empty Host: ${JSON.stringify(emptyHost.text.slice(0, 80))}`);
  assert.equal(emptyHost.headers['loom-proxy-error'], 'LOOM_ERR_BAD_REQUEST');

  assert.deepEqual(fx.ok.seen, []);
  await assertServing(fx, 'refused and unroutable requests');
});

// ---------------------------------------------------------------------------------------------
// 9. Requests addressed to the proxy itself

test('a request addressed to the proxy\'s own outbound address is refused with LOOM_ERR_LOOP', async (t) => {
  const fx = await fixture(t);
  const self = fx.proxy.outbound;

  const byHost = await httpGet(self, self, '/loop', { timeoutMs: 2000 });
  assert.equal(byHost.status, 400, `Host: ${self}: ${byHost.status} ${byHost.body}`);
  assert.equal(byHost.headers['loom-proxy-error'], 'LOOM_ERR_LOOP');
  assert.ok(byHost.ms < 500);

  const absolute = await rawUntilClosed(self, `GET http://${self}/loop HTTP/1.1\r\nHost: ok.test\r\nConnection: close\r\n\r\n`);
  assert.equal(absolute.status, 400, `absolute-form: ${JSON.stringify(absolute.text.slice(0, 80))}`);
  assert.equal(absolute.headers['loom-proxy-error'], 'LOOM_ERR_LOOP');

  const session = await h2Connect(t, self);
  const h2 = await h2Request(session, { ':method': 'GET', ':path': '/loop', ':authority': self });
  assert.equal(h2.headers[':status'], 400);
  assert.equal(h2.headers['loom-proxy-error'], 'LOOM_ERR_LOOP');

  assert.deepEqual(fx.ok.seen, []);
  await assertServing(fx, 'requests to itself');
});

/**
 * Runs a proxy in a child process limited to 256 file descriptors and sends one request with the
 * given Host (`PORT` is replaced by the proxy's outbound port). A proxy that forwards the request
 * to itself exhausts the limit quickly instead of the test runner's.
 */
function selfRequestInChild(hostTemplate: string): Promise<{ status: number; error: string; ms: number }> {
  const proxyModule = new URL('./support/proxy.ts', import.meta.url).href;
  const script = `
    import http from 'node:http';
    const { startProxy } = await import(${JSON.stringify(proxyModule)});
    const p = await startProxy({ LOOM_PROXY_CONNECT_TIMEOUT: '300ms', LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '100ms' });
    const port = p.addrs.outbound.port;
    const host = ${JSON.stringify(hostTemplate)}.replace('PORT', String(port));
    const started = Date.now();
    const req = http.request({ host: '127.0.0.1', port, path: '/loop', headers: { host }, agent: false }, (res) => {
      res.resume();
      res.on('end', () => {
        console.log(JSON.stringify({ status: res.statusCode, error: res.headers['loom-proxy-error'] ?? '', ms: Date.now() - started }));
        process.exit(0);
      });
    });
    req.on('error', (err) => {
      console.log(JSON.stringify({ status: 0, error: err.message, ms: Date.now() - started }));
      process.exit(0);
    });
    req.end();
  `;
  const root = fileURLToPath(new URL('..', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', 'ulimit -n 256 && exec "$0" --import tsx --input-type=module -e "$1"', process.execPath, script], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('close', () => {
      clearTimeout(timer);
      const line = out.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as { status: number; error: string; ms: number });
      } catch {
        reject(new Error(`child proxy gave no result for Host ${hostTemplate}: ${out}${err}`));
      }
    });
  });
}

test('a request addressed to the proxy through another spelling of its address is refused, not looped', async (t) => {
  // 0.0.0.0 and IPv4-mapped IPv6 both reach a listener bound to 127.0.0.1.
  const aliases = ['0.0.0.0:PORT', '[::ffff:127.0.0.1]:PORT', '[::ffff:7f00:1]:PORT'];
  const results = await Promise.all(aliases.map((host) => selfRequestInChild(host)));
  const failures = aliases
    .map((host, i) => ({ host, ...(results[i] as { status: number; error: string; ms: number }) }))
    .filter((r) => r.status !== 400 || r.error !== 'LOOM_ERR_LOOP');
  assert.deepEqual(failures, [], 'these spellings of the proxy\'s own address were forwarded back into it');
  const fx = await fixture(t);
  await assertServing(fx, 'looping aliases');
});

// ---------------------------------------------------------------------------------------------
// 10. Binary garbage

test('connections sending binary garbage are treated as opaque and closed; the proxy keeps serving', async (t) => {
  const fx = await fixture(t);
  const garbage = Array.from({ length: 40 }, () => {
    const bytes = randomBytes(1 + Math.floor(Math.random() * 2048));
    bytes[0] = 0x80 | (bytes[0] as number); // never an HTTP method or the HTTP/2 preface
    return bytes;
  });
  // A few that stop inside something that could still be a method: closed at the detect timeout.
  const partial = Array.from({ length: 5 }, () => Buffer.from('GE'));
  const started = performance.now();
  const opaque = Promise.all([...garbage, ...partial].map((bytes) => rawExchange(fx.proxy.outbound, bytes, 2000)));
  // Normal traffic meanwhile.
  const normal = await Promise.all(Array.from({ length: 10 }, (_, i) => httpGet(fx.proxy.outbound, 'ok.test', `/n${i}`)));
  for (const r of normal) assert.equal(r.status, 200);
  const replies = await opaque;
  const ms = performance.now() - started;
  assert.ok(ms < 1500, `garbage connections were held open for ${ms.toFixed(0)}ms`);
  for (const reply of replies) assert.equal(reply, '', 'the proxy answered an opaque connection that has no target');
  assert.equal(fx.ok.seen.length, 10, 'garbage reached the upstream');
  await assertServing(fx, 'binary garbage');
});

// ---------------------------------------------------------------------------------------------
// 11. gRPC errors

test('a gRPC call the proxy cannot route gets a trailers-only grpc-status 14 with loom-proxy-error', async (t) => {
  const port = await closedPort();
  const fx = await fixture(t, [`refused-grpc.test:80 -> 127.0.0.1:${port}`]);
  const session = await h2Connect(t, fx.proxy.outbound);
  // One gRPC message: uncompressed, 3 bytes.
  const message = Buffer.from([0, 0, 0, 0, 3, 1, 2, 3]);
  const call = (authority: string): Promise<H2Reply> =>
    h2Request(
      session,
      { ':method': 'POST', ':path': '/loom.test.Echo/Say', ':authority': authority, 'content-type': 'application/grpc', te: 'trailers' },
      message,
    );
  for (const [authority, code] of [
    ['nosuch-grpc.test', 'LOOM_ERR_NO_ENDPOINTS'],
    ['refused-grpc.test', 'LOOM_ERR_CONNECT'],
  ] as const) {
    const r = await call(authority);
    assert.equal(r.headers[':status'], 200, `${authority}: gRPC errors travel with HTTP 200`);
    assert.equal(r.endStream, true, `${authority}: not a trailers-only response`);
    assert.equal(r.body, '');
    assert.match(String(r.headers['content-type']), /^application\/grpc/);
    assert.equal(r.headers['grpc-status'], '14', `${authority}: grpc-status ${String(r.headers['grpc-status'])}`);
    assert.ok(r.headers['grpc-message'], `${authority}: no grpc-message`);
    assert.equal(r.headers['loom-proxy-error'], code);
  }
  await assertServing(fx, 'unroutable gRPC calls');
});
