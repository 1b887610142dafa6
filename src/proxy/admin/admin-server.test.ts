import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createLogger } from '../log.js';
import { AdminServer } from './admin-server.js';
import { isLoopback } from './respond.js';

const logged: string[] = [];
const logger = createLogger({ level: 'info' }, { write: (s: string) => void logged.push(s) });
let ready = false;
let shutdowns = 0;
let base = '';
const admin = new AdminServer({
  metrics: { render: () => '# TYPE up gauge\nup 1\n' },
  logger,
  isReady: () => ready,
  onShutdown: () => void shutdowns++,
  config: () => ({ adminAddr: { host: '0.0.0.0', port: 4191 }, opaquePorts: new Set([25, 3306]) }),
});

before(async () => {
  const { host, port } = await admin.listen({ host: '127.0.0.1', port: 0 });
  assert.equal(host, '127.0.0.1');
  assert.ok(port > 0);
  base = `http://127.0.0.1:${port}`;
});
after(() => admin.close());

test('GET /metrics serves the rendered metrics as exposition format 0.0.4', async () => {
  const res = await fetch(`${base}/metrics`);
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  assert.equal(await res.text(), '# TYPE up gauge\nup 1\n');
});

test('/ready follows isReady() and /live always answers', async () => {
  ready = false;
  let res = await fetch(`${base}/ready`);
  assert.deepEqual([res.status, await res.text()], [503, 'not ready\n']);
  ready = true;
  res = await fetch(`${base}/ready`);
  assert.deepEqual([res.status, await res.text()], [200, 'ready\n']);
  res = await fetch(`${base}/live?probe=1`);
  assert.deepEqual([res.status, await res.text()], [200, 'live\n']);
});

test('GET /config pretty-prints the config with Sets as arrays', async () => {
  const res = await fetch(`${base}/config`);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const text = await res.text();
  assert.match(text, /^\{\n {2}"adminAddr"/);
  assert.deepEqual(JSON.parse(text), { adminAddr: { host: '0.0.0.0', port: 4191 }, opaquePorts: [25, 3306] });
});

test('/log-level reads and changes the logger level; invalid levels are refused', async () => {
  assert.equal(await (await fetch(`${base}/log-level`)).text(), 'info\n');
  let res = await fetch(`${base}/log-level`, { method: 'PUT', body: 'debug\n' });
  assert.deepEqual([res.status, await res.text()], [200, 'debug\n']);
  assert.equal(logger.level, 'debug');
  res = await fetch(`${base}/log-level`, { method: 'PUT', body: 'loud' });
  assert.equal(res.status, 400);
  assert.match(await res.text(), /"loud" is not a log level; use one of: trace, debug, info, warn, error, fatal, silent/);
  res = await fetch(`${base}/log-level`, { method: 'PUT', body: 'x'.repeat(5000) });
  assert.equal(res.status, 413);
  await res.text();
  assert.equal(logger.level, 'debug');
  logger.level = 'info';
});

test('unknown paths get 404 listing the endpoints; wrong methods get 405 with Allow', async () => {
  let res = await fetch(`${base}/nope`);
  assert.equal(res.status, 404);
  const text = await res.text();
  for (const e of ['GET /metrics', 'GET /ready', 'GET /live', 'POST /shutdown', 'GET /config', 'GET|PUT /log-level']) {
    assert.ok(text.includes(e), `${e} missing from: ${text}`);
  }
  res = await fetch(`${base}/shutdown`);
  assert.equal(res.status, 405);
  assert.equal(res.headers.get('allow'), 'POST');
  await res.text();
  res = await fetch(`${base}/metrics`, { method: 'DELETE' });
  assert.equal(res.headers.get('allow'), 'GET, HEAD');
  await res.text();
  assert.equal(shutdowns, 0);
});

test('a handler that throws answers 500 and is logged', async () => {
  const broken = new AdminServer({
    metrics: { render: () => { throw new Error('boom'); } },
    logger,
    isReady: () => true,
    onShutdown: () => {},
    config: () => ({}),
  });
  const { port } = await broken.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  assert.deepEqual([res.status, await res.text()], [500, '/metrics failed: boom\n']);
  assert.ok(logged.some((l) => l.includes('admin request failed')));
  await broken.close();
});

test('only loopback addresses count as loopback', () => {
  for (const a of ['127.0.0.1', '127.3.4.5', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '::ffff:10.0.0.1', '192.0.2.2', 'fd00::1', '1127.0.0.1', undefined]) assert.ok(!isLoopback(a), a);
});

const external = Object.values(networkInterfaces()).flat().find((i) => i && !i.internal && i.family === 'IPv4');
test('POST /shutdown from a non-loopback client is refused with 403', { skip: !external && 'no non-loopback IPv4 address' }, async () => {
  const open = new AdminServer({ metrics: { render: () => '' }, logger, isReady: () => true, onShutdown: () => void shutdowns++, config: () => ({}) });
  const { port } = await open.listen({ host: '0.0.0.0', port: 0 });
  const res = await fetch(`http://${external?.address}:${port}/shutdown`, { method: 'POST' });
  assert.equal(res.status, 403);
  const text = await res.text();
  assert.match(text, /^shutdown is only accepted from loopback clients; this request came from /);
  assert.ok(text.includes(external?.address ?? '?'), text);
  await open.close();
  assert.equal(shutdowns, 0);
});

test('POST /shutdown answers first, then calls onShutdown, even when that closes the admin server', async () => {
  let called: () => void = () => {};
  const calledOnce = new Promise<void>((resolve) => (called = resolve));
  const server: AdminServer = new AdminServer({
    metrics: { render: () => '' },
    logger,
    isReady: () => true,
    onShutdown: () => {
      called();
      void server.close();
    },
    config: () => ({}),
  });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const res = await fetch(`http://127.0.0.1:${port}/shutdown`, { method: 'POST', body: 'now' });
  assert.deepEqual([res.status, await res.text()], [200, 'shutdown\n']);
  await calledOnce;
  await server.close();
  await assert.rejects(fetch(`http://127.0.0.1:${port}/live`));
});

test('close() resolves while a keep-alive client still holds a connection', async () => {
  const server = new AdminServer({ metrics: { render: () => '' }, logger, isReady: () => true, onShutdown: () => {}, config: () => ({}) });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  await (await fetch(`http://127.0.0.1:${port}/live`)).text();
  await server.close();
});

test('close() lets a request in flight finish, answering it with Connection: close', async () => {
  const server = new AdminServer({ metrics: { render: () => '' }, logger, isReady: () => true, onShutdown: () => {}, config: () => ({}) });
  const { port } = await server.listen({ host: '127.0.0.1', port: 0 });
  const socket = connect(port, '127.0.0.1');
  let reply = '';
  socket.setEncoding('utf8').on('data', (d: string) => (reply += d));
  const ended = new Promise((resolve) => socket.on('close', resolve));
  socket.write('PUT /log-level HTTP/1.1\r\nhost: x\r\ncontent-length: 5\r\n\r\ninf');
  await new Promise((resolve) => setTimeout(resolve, 50));
  const closed = server.close();
  socket.write('o\n');
  await Promise.all([closed, ended]);
  assert.match(reply, /^HTTP\/1\.1 200 OK\r\n/);
  assert.match(reply, /\r\nconnection: close\r\n/i);
  assert.ok(reply.endsWith('\r\n\r\ninfo\n'), reply);
});
