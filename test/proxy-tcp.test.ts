// End-to-end: opaque TCP through the proxy's listeners (forward listeners, inbound), protocol detection
// versus opaque ports, half-close, per-connection balancing, TCP metrics, and HTTP Upgrade tunnels.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import net, { type Socket } from 'node:net';
import type { SocketAddr } from '../src/proxy/env.js';
import { sample, startProxy, type TestProxy } from './support/proxy.js';
import { eventually, httpUpstream, tcpUpstream, type Upstream } from './support/upstreams.js';

/** A client connection that records everything it receives and how it ended. */
class Client {
  received = Buffer.alloc(0);
  ended = false;
  error: NodeJS.ErrnoException | undefined;
  readonly closed: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (d: Buffer) => (this.received = Buffer.concat([this.received, d])));
    socket.on('end', () => (this.ended = true));
    socket.on('error', (err: NodeJS.ErrnoException) => (this.error = err));
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  get text(): string {
    return this.received.toString('latin1');
  }

  /** Waits until at least `bytes` bytes (or the exact text) have arrived. */
  async waitFor(expected: number | string, timeoutMs = 3000): Promise<void> {
    const bytes = typeof expected === 'number' ? expected : Buffer.byteLength(expected, 'latin1');
    await eventually(() => this.received.length >= bytes || this.socket.destroyed, timeoutMs, `${bytes} bytes`);
    if (typeof expected === 'string') assert.equal(this.text, expected);
  }

  async waitClosed(timeoutMs = 3000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.closed,
      new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms`)), timeoutMs))),
    ]).finally(() => clearTimeout(timer));
  }
}

/** Connects to a loopback listener, given as `host:port` or a bound address. */
function open(addr: SocketAddr | string, allowHalfOpen = false): Promise<Client> {
  const port = typeof addr === 'string' ? Number(addr.slice(addr.lastIndexOf(':') + 1)) : addr.port;
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port, allowHalfOpen });
    const client = new Client(socket);
    socket.once('connect', () => resolve(client));
    socket.once('error', reject);
  });
}

/** The bound address of the proxy's first LOOM_PROXY_OUTBOUND_TCP_FORWARDS listener. */
function forward0(proxy: TestProxy): SocketAddr {
  const forward = proxy.addrs.forwards[0];
  assert.ok(forward, 'the proxy has no forward listener');
  return forward;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Echo: everything read is written back; the upstream ends when the client does. */
const echo = (): Promise<Upstream> => tcpUpstream((socket) => socket.pipe(socket));

/** Test resources closed in reverse order of creation: clients, then proxies, then upstreams. */
class Resources {
  private readonly closers: (() => Promise<unknown> | void)[] = [];
  add<T extends { close(): Promise<unknown> }>(r: T): T {
    this.closers.push(() => r.close());
    return r;
  }
  client(c: Client): Client {
    this.closers.push(() => void c.socket.destroy());
    return c;
  }
  async closeAll(): Promise<void> {
    for (const close of this.closers.reverse()) await close();
  }
}

test('opaque bytes through a forward listener arrive and echo back intact (4 MiB, sha256)', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await echo());
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `echo.test:7000 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=echo.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
    }),
  );
  const forward = forward0(proxy);
  const payload = randomBytes(4 * 1024 * 1024);
  payload[0] = 0x16; // a TLS record type: certainly not an HTTP method
  const client = r.client(await open(forward));
  client.socket.end(payload);
  await client.waitClosed(10_000);
  assert.equal(client.error, undefined);
  assert.equal(client.ended, true);
  assert.equal(client.received.length, payload.length);
  assert.equal(sha256(client.received), sha256(payload));
});

test('a client silent past the detect timeout is forwarded as opaque TCP, even if it then speaks HTTP', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  let connectedAt = 0;
  const upstream = r.add(
    await tcpUpstream((socket) => {
      connectedAt = performance.now();
      socket.pipe(socket);
    }),
  );
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `echo.test:7000 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=echo.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
    }),
  );
  const started = performance.now();
  const client = r.client(await open(forward0(proxy)));
  await eventually(() => connectedAt > 0, 2000, 'the upstream connection');
  const waited = connectedAt - started;
  assert.ok(waited >= 150 && waited < 1000, `upstream connected after ${waited.toFixed(0)} ms; expected ~200 ms`);
  const request = 'GET / HTTP/1.1\r\nhost: echo.test\r\n\r\n';
  client.socket.write(request);
  await client.waitFor(request);
});

test('server-speaks-first: the greeting arrives at once through a forward listener to an opaque port', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const greeting = 'J\x00\x00\x00\x0a8.0.36\x00 mysql-ish greeting\n';
  const upstream = r.add(
    await tcpUpstream((socket) => {
      socket.write(greeting);
      socket.pipe(socket);
    }),
  );
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `db.test:3306 -> ${upstream.addr}; slow.test:7000 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=db.test:3306,127.0.0.1:0=slow.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '10s',
    }),
  );
  const [opaque, detected] = proxy.addrs.forwards as [SocketAddr, SocketAddr];

  const started = performance.now();
  const client = r.client(await open(opaque));
  await client.waitFor(greeting, 200);
  assert.ok(performance.now() - started < 200, 'greeting took more than 200 ms');
  client.socket.write('COM_QUERY select 1');
  await client.waitFor(`${greeting}COM_QUERY select 1`);

  // The contrast: on a port that is not opaque the proxy waits for the client to speak first.
  const waiting = r.client(await open(detected));
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(waiting.received.length, 0, 'a non-opaque port must not connect upstream before detection');
  waiting.socket.write('\x00hello');
  await waiting.waitFor(`${greeting}\x00hello`);
});

test('inbound byte counters move while a connection stays open, not only when it closes', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await tcpUpstream((socket) => socket.pipe(socket)));
  const proxy = r.add(await startProxy({ LOOM_PROXY_APP_ADDR: upstream.addr, LOOM_PROXY_OPAQUE_PORTS: String(upstream.port) }));
  const client = r.client(await open(proxy.inbound));
  const labels = { direction: 'inbound', peer: 'src', target_addr: upstream.addr };
  for (const [message, total] of [['PING\r\n', 6], ['PONG!\r\n', 13]] as const) {
    client.socket.write(message);
    await client.waitFor(total === 6 ? message : `PING\r\n${message}`);
    const text = await proxy.metrics();
    assert.equal(sample(text, 'tcp_read_bytes_total', labels), total, `read bytes after ${JSON.stringify(message)}`);
    assert.equal(sample(text, 'tcp_write_bytes_total', labels), total);
  }
  client.socket.end();
  await client.waitClosed();
  await eventually(async () => sample(await proxy.metrics(), 'tcp_close_total', { ...labels, errno: '' }) === 1, 2000, 'closed');
  assert.equal(sample(await proxy.metrics(), 'tcp_read_bytes_total', labels), 13, 'nothing counted twice at close');
});

test('server-speaks-first: the greeting arrives at once through the inbound listener when the app port is opaque', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const greeting = '+OK server ready\r\n';
  const upstream = r.add(
    await tcpUpstream((socket) => {
      socket.write(greeting);
      socket.pipe(socket);
    }),
  );
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_APP_ADDR: upstream.addr,
      LOOM_PROXY_OPAQUE_PORTS: String(upstream.port),
      LOOM_PROXY_DETECT_TIMEOUT: '10s',
    }),
  );
  const started = performance.now();
  const client = r.client(await open(proxy.inbound));
  await client.waitFor(greeting, 200);
  assert.ok(performance.now() - started < 200, 'greeting took more than 200 ms');
  client.socket.write('PING\r\n');
  await client.waitFor(`${greeting}PING\r\n`);
  client.socket.end();
  await client.waitClosed();
  assert.equal(client.ended, true);
  // The inbound side counts the connection with peer="src".
  await eventually(async () => sample(await proxy.metrics(), 'tcp_close_total', { direction: 'inbound', peer: 'src', errno: '' }) === 1, 2000, 'inbound tcp_close_total 1');
  const text = await proxy.metrics();
  assert.equal(sample(text, 'tcp_read_bytes_total', { direction: 'inbound', peer: 'src', target_addr: upstream.addr }), 6);
  assert.equal(sample(text, 'tcp_write_bytes_total', { direction: 'inbound', peer: 'src', target_addr: upstream.addr }), greeting.length + 6);
});

/** Reads until the client half-closes, then answers `got:<what it read>` and ends. */
const replyOnEnd = (): Promise<Upstream> =>
  tcpUpstream((socket) => {
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (got += d));
    socket.on('end', () => socket.end(`got:${got}`));
  });

test('half-close: the client ends its side, the upstream sees end, replies and ends; the client gets both', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await replyOnEnd());
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `reply.test:7000 -> ${upstream.addr}; reply.test:5432 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=reply.test:7000,127.0.0.1:0=reply.test:5432',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
    }),
  );
  for (const forward of proxy.addrs.forwards) {
    const client = r.client(await open(forward, true));
    client.socket.write('hello, ');
    client.socket.end('half-closed world');
    await client.waitClosed();
    assert.equal(client.error, undefined, `port ${forward.port}`);
    assert.equal(client.text, 'got:hello, half-closed world', `port ${forward.port}`);
    assert.equal(client.ended, true, `port ${forward.port}`);
  }
});

test('half-close before detection decides: a short, undecided prefix then end still reaches the upstream', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await replyOnEnd());
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `reply.test:7000 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=reply.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '2s',
    }),
  );
  // "PING" could still become an HTTP method, so detection is undecided when the FIN arrives.
  const client = r.client(await open(forward0(proxy), true));
  client.socket.end('PING');
  await client.waitClosed();
  assert.equal(client.text, 'got:PING');
  assert.equal(client.ended, true);
});

test('half-close from the upstream: the client still sends after the upstream has ended', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  let late = '';
  let upstreamSawEnd = false;
  const upstream = r.add(
    await tcpUpstream((socket) => {
      socket.setEncoding('latin1');
      socket.end('bye\n'); // server finishes writing first but keeps reading
      socket.on('data', (d: string) => (late += d));
      socket.on('end', () => (upstreamSawEnd = true));
    }),
  );
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `db.test:5432 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=db.test:5432',
    }),
  );
  const client = r.client(await open(forward0(proxy), true));
  await eventually(() => client.ended, 2000, 'the client to see the upstream end');
  assert.equal(client.text, 'bye\n');
  client.socket.end('still here');
  await client.waitClosed();
  await eventually(() => upstreamSawEnd, 2000, 'the upstream to see end');
  assert.equal(late, 'still here');
});

/** Two endpoints of one service that tag each reply with their name. */
async function taggedPair(r: Resources): Promise<{ proxy: TestProxy; forward: SocketAddr }> {
  const tagged = (tag: string): Promise<Upstream> =>
    tcpUpstream((socket) => socket.on('data', (d: Buffer) => socket.write(`${tag}:${d.toString('latin1')}`)).on('end', () => socket.end()));
  const a = r.add(await tagged('a'));
  const b = r.add(await tagged('b'));
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `pair.test:7000 -> ${a.addr}, ${b.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=pair.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
    }),
  );
  return { proxy, forward: forward0(proxy) };
}

/** Opens a connection, sends `x<i>` and resolves with the endpoint that answered. */
async function whoAnswers(r: Resources, forward: SocketAddr, i: number): Promise<'a' | 'b'> {
  const client = r.client(await open(forward));
  client.socket.write(`x${i}`);
  await client.waitFor(`?:x${i}`.length);
  const match = /^([ab]):x(\d+)$/.exec(client.text);
  assert.ok(match && match[2] === String(i), `unexpected reply ${JSON.stringify(client.text)}`);
  return match[1] as 'a' | 'b';
}

test('balancing is per connection: 40 connections opened together reach both endpoints', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const { forward } = await taggedPair(r);
  const counts = { a: 0, b: 0 };
  for (const tag of await Promise.all(Array.from({ length: 40 }, (_, i) => whoAnswers(r, forward, i)))) counts[tag]++;
  assert.equal(counts.a + counts.b, 40);
  assert.ok(counts.a >= 5 && counts.b >= 5, `connections per endpoint: ${JSON.stringify(counts)}`);
});

test('balancing counts open connections: a pool of 40 opened one after another is spread over both endpoints', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const { forward } = await taggedPair(r);
  const counts = { a: 0, b: 0 };
  let order = '';
  // Like a database pool: each connection stays open while the next one is made. Open connections
  // are the endpoints' load, so two equal endpoints should take turns.
  for (let i = 0; i < 40; i++) {
    const tag = await whoAnswers(r, forward, i);
    counts[tag]++;
    order += tag;
    assert.ok(Math.abs(counts.a - counts.b) <= 4, `the pool piled onto one endpoint: ${order}`);
  }
  assert.ok(counts.a >= 15 && counts.b >= 15, `connections per endpoint: ${JSON.stringify(counts)}`);
});

test('TCP metrics: opens, closes, bytes each way by endpoint, and the open gauge back to 0', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(
    await tcpUpstream((socket) => {
      let size = 0;
      socket.on('data', (d: Buffer) => (size += d.length));
      socket.on('end', () => socket.end(`ok:${size}`));
    }),
  );
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `count.test:7000 -> ${upstream.addr} zone=east`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=count.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
    }),
  );
  const forward = forward0(proxy);
  const labels = { direction: 'outbound', peer: 'dst', target_addr: upstream.addr, authority: 'count.test:7000', dst_zone: 'east' };
  const sizes = [1000, 1, 65_536];
  let sent = 0;
  let received = 0;
  for (const size of sizes) {
    const client = r.client(await open(forward, true));
    client.socket.write(Buffer.alloc(size, 'x'));
    // While it is open, the gauge counts it.
    await eventually(async () => sample(await proxy.metrics(), 'tcp_open_connections', labels) === 1, 2000, 'tcp_open_connections 1');
    client.socket.end();
    await client.waitClosed();
    assert.equal(client.text, `ok:${size}`);
    sent += size;
    received += client.received.length;
  }
  await eventually(async () => sample(await proxy.metrics(), 'tcp_close_total', labels) === sizes.length, 2000, 'tcp_close_total');
  const text = await proxy.metrics();
  assert.equal(sample(text, 'tcp_open_total', labels), sizes.length);
  assert.equal(sample(text, 'tcp_close_total', { ...labels, errno: '' }), sizes.length);
  assert.equal(sample(text, 'tcp_read_bytes_total', labels), sent);
  assert.equal(sample(text, 'tcp_write_bytes_total', labels), received);
  assert.equal(sample(text, 'tcp_open_connections', labels), 0);
  assert.match(text, new RegExp(`^tcp_connection_duration_ms_count\\{[^}]*target_addr="${upstream.addr}"[^}]*\\} ${sizes.length}$`, 'm'));
});

test('upstream connect refused on a TCP forward: the client is closed promptly and the proxy keeps serving', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const closedPort = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
  const upstream = r.add(await echo());
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `down.test:7000 -> 127.0.0.1:${closedPort}; down.test:5432 -> 127.0.0.1:${closedPort}; echo.test:7000 -> ${upstream.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=down.test:7000,127.0.0.1:0=down.test:5432,127.0.0.1:0=echo.test:7000',
      LOOM_PROXY_DETECT_TIMEOUT: '200ms',
      LOOM_PROXY_CONNECT_TIMEOUT: '5s',
    }),
  );
  const [downDetected, downOpaque, up] = proxy.addrs.forwards as [SocketAddr, SocketAddr, SocketAddr];
  for (const forward of [downDetected, downOpaque]) {
    const started = performance.now();
    const client = r.client(await open(forward));
    client.socket.write('\x00hello');
    await client.waitClosed(1000);
    assert.ok(performance.now() - started < 1000);
    assert.equal(client.received.length, 0);
  }
  const labels = { direction: 'outbound', peer: 'dst', target_addr: `127.0.0.1:${closedPort}` };
  await eventually(async () => sample(await proxy.metrics(), 'tcp_close_total', { ...labels, errno: 'ECONNREFUSED' }) === 2, 2000, 'ECONNREFUSED closes');
  assert.equal(sample(await proxy.metrics(), 'tcp_open_connections', labels), 0);

  const client = r.client(await open(up));
  client.socket.write('\x00still serving');
  await client.waitFor('\x00still serving');
});

test('HTTP on a forward listener whose port is not opaque is detected and routed to the forward target', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const web = r.add(await httpUpstream('web'));
  const proxy = r.add(
    await startProxy({
      LOOM_PROXY_DISCOVERY: `web.test:8080 -> ${web.addr}`,
      LOOM_PROXY_OUTBOUND_TCP_FORWARDS: '127.0.0.1:0=web.test:8080',
    }),
  );
  const forward = forward0(proxy);
  const res = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: forward.port, path: '/hello?x=1', headers: { host: 'elsewhere.example' }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-upstream'], 'web');
  const body = JSON.parse(res.body) as { name: string; method: string; url: string };
  assert.deepEqual([body.name, body.method, body.url], ['web', 'GET', '/hello?x=1']);
  const text = await proxy.metrics();
  assert.equal(sample(text, 'response_total', { direction: 'outbound', authority: 'web.test:8080', target_addr: web.addr, status_code: '200' }), 1);
  assert.equal(sample(text, 'tcp_open_total', { direction: 'outbound', target_addr: web.addr }), 0, 'HTTP must not be counted as opaque TCP');
});

/** An HTTP server that accepts `Upgrade: loom-test`, answers 101, says welcome, then echoes raw bytes. */
async function upgradeUpstream(): Promise<Upstream & { upgrades: string[] }> {
  const upgrades: string[] = [];
  const tunnels = new Set<Socket>();
  const upstream = await httpUpstream('ws', (_req, res) => {
    res.statusCode = 426;
    res.end('upgrade required\n');
  });
  upstream.server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    upgrades.push(`${req.method} ${req.url} host=${req.headers.host} upgrade=${req.headers.upgrade}`);
    tunnels.add(socket);
    socket.on('close', () => tunnels.delete(socket));
    socket.on('error', () => undefined);
    socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: loom-test\r\nConnection: Upgrade\r\n\r\nwelcome\n');
    if (head.length > 0) socket.write(head);
    socket.pipe(socket);
  });
  return {
    ...upstream,
    upgrades,
    close: async () => {
      for (const s of tunnels) s.destroy();
      await upstream.close();
    },
  };
}

async function exchangeUpgrade(addr: string, host: string): Promise<void> {
  const client = await open(addr);
  try {
    // The first tunnel bytes ride in the same packet as the request head.
    client.socket.write(`GET /chat?room=1 HTTP/1.1\r\nHost: ${host}\r\nUpgrade: loom-test\r\nConnection: Upgrade\r\n\r\nearly `);
    const head = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: loom-test\r\nConnection: Upgrade\r\n\r\n';
    await client.waitFor(`${head}welcome\nearly `);
    const binary = randomBytes(64 * 1024);
    client.socket.write(binary);
    await client.waitFor(head.length + 'welcome\nearly '.length + binary.length);
    assert.equal(sha256(client.received.subarray(client.received.length - binary.length)), sha256(binary));
    assert.equal(client.received.length, head.length + 'welcome\nearly '.length + binary.length);
    client.socket.end();
    await client.waitClosed();
    assert.equal(client.error, undefined);
  } finally {
    client.socket.destroy();
  }
}

test('an Upgrade through the outbound listener gets 101 and then carries bytes both ways', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await upgradeUpstream());
  const proxy = r.add(await startProxy({ LOOM_PROXY_DISCOVERY: `ws.test:80 -> ${upstream.addr}` }));
  await exchangeUpgrade(proxy.outbound, 'ws.test');
  assert.deepEqual(upstream.upgrades, ['GET /chat?room=1 host=ws.test upgrade=loom-test']);
});

test('an Upgrade through two proxies (outbound A -> meshed inbound B -> app) gets 101 and carries bytes', async (t) => {
  const r = new Resources();
  t.after(() => r.closeAll());
  const upstream = r.add(await upgradeUpstream());
  const b: TestProxy = r.add(await startProxy({ LOOM_PROXY_APP_ADDR: upstream.addr }));
  const a: TestProxy = r.add(await startProxy({ LOOM_PROXY_DISCOVERY: `ws.test:80 -> ${b.inbound} meshed` }));
  await exchangeUpgrade(a.outbound, 'ws.test');
  assert.deepEqual(upstream.upgrades, ['GET /chat?room=1 host=ws.test upgrade=loom-test']);
});
