// End-to-end: the real `loom proxy` process — settings errors, help, readiness, graceful shutdown on
// SIGTERM and POST /shutdown, the grace period, and changing the log level at run time.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { SETTINGS } from '../src/proxy/env.js';
import { ensureBuilt, runLoom, startProxyChild, type ProxyChild } from './support/child.js';
import { eventually, httpUpstream, type Upstream } from './support/upstreams.js';

const children = new Set<ProxyChild>();
const upstreams = new Set<Upstream>();

async function proxyChild(env: Record<string, string> = {}): Promise<ProxyChild> {
  const child = await startProxyChild(env);
  children.add(child);
  return child;
}

before(() => ensureBuilt(), { timeout: 60_000 });

after(async () => {
  await Promise.all([...children].map((c) => c.kill()));
  await Promise.all([...upstreams].map((u) => u.close()));
});

function port(addr: string): number {
  return Number(addr.slice(addr.lastIndexOf(':') + 1));
}

/** Resolves with 'connected' or the connect error's code. */
function tryConnect(addr: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port(addr), '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
  });
}

interface Answer {
  status: number;
  body: string;
}

/** One GET through the proxy's outbound listener, on its own connection. */
function getThrough(outbound: string, host: string, path: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port: port(outbound), path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function admin(child: ProxyChild, path: string, init?: RequestInit): Promise<Answer> {
  const res = await fetch(`http://${child.admin}${path}`, init);
  return { status: res.status, body: await res.text() };
}

/** An upstream that answers after `delayMs` (never, if null) and counts the requests it has received. */
async function slowUpstream(delayMs: number | null): Promise<Upstream & { received: () => number }> {
  let received = 0;
  const timers = new Set<NodeJS.Timeout>();
  const upstream = await httpUpstream('slow', (_req, res) => {
    received++;
    if (delayMs === null) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      res.end('slow answer\n');
    }, delayMs);
    timers.add(timer);
  });
  const wrapped = {
    ...upstream,
    received: () => received,
    close: async () => {
      for (const t of timers) clearTimeout(t);
      await upstream.close();
    },
  };
  upstreams.add(wrapped);
  return wrapped;
}

test('an invalid setting exits 2 naming the variable', async () => {
  const res = await runLoom(['proxy'], { LOOM_PROXY_CONNECT_TIMEOUT: 'soon' });
  assert.deepEqual([res.code, res.signal], [2, null]);
  assert.equal(res.stderr, 'loom proxy: invalid setting LOOM_PROXY_CONNECT_TIMEOUT: "soon" is not a duration; write e.g. 500ms, 10s, 2m (0 disables)\n');
  assert.equal(res.stdout, '');
});

test('an unknown LOOM_PROXY_ variable exits 2 naming it', async () => {
  const res = await runLoom(['proxy'], { LOOM_PROXY_FOO: '1' });
  assert.deepEqual([res.code, res.signal], [2, null]);
  assert.match(res.stderr, /^loom proxy: invalid setting LOOM_PROXY_FOO: unknown setting; `loom proxy --help` lists them\n$/);
});

/** Runs the proxy with one listener's address taken by another server; returns what it printed. */
async function withPortTaken(variable: string): Promise<{ code: number | null; stderr: string; taken: string }> {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = `127.0.0.1:${(blocker.address() as net.AddressInfo).port}`;
  try {
    const res = await runLoom(['proxy'], {
      LOOM_PROXY_INBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_OUTBOUND_LISTEN_ADDR: '127.0.0.1:0',
      LOOM_PROXY_ADMIN_LISTEN_ADDR: '127.0.0.1:0',
      [variable]: taken,
    });
    // It must exit by itself, having closed the listeners it did open (not be killed by runLoom).
    assert.equal(res.signal, null, `still running after 5 s; stderr: ${res.stderr}`);
    return { code: res.code, stderr: res.stderr, taken };
  } finally {
    await new Promise((resolve) => blocker.close(resolve));
  }
}

test('an outbound address already in use exits non-zero naming the listener and the address', async () => {
  const { code, stderr, taken } = await withPortTaken('LOOM_PROXY_OUTBOUND_LISTEN_ADDR');
  assert.equal(code, 1);
  assert.ok(stderr.includes(`loom proxy: outbound listener cannot bind ${taken}: EADDRINUSE`), stderr);
});

test('an inbound or admin address already in use also names its listener', async () => {
  const inbound = await withPortTaken('LOOM_PROXY_INBOUND_LISTEN_ADDR');
  assert.equal(inbound.code, 1);
  assert.ok(inbound.stderr.includes(`inbound listener cannot bind ${inbound.taken}: EADDRINUSE`), inbound.stderr);
  const adminTaken = await withPortTaken('LOOM_PROXY_ADMIN_LISTEN_ADDR');
  assert.equal(adminTaken.code, 1);
  assert.ok(adminTaken.stderr.includes(`admin listener cannot bind ${adminTaken.taken}: EADDRINUSE`), adminTaken.stderr);
});

test('`loom proxy --help` lists every LOOM_PROXY_* setting with its default', async () => {
  const res = await runLoom(['proxy', '--help']);
  assert.deepEqual([res.code, res.signal], [0, null], res.stderr);
  assert.equal(res.stderr, '');
  assert.equal(res.stdout.match(/^ {2}LOOM_PROXY_\w+/gm)?.length, SETTINGS.length, 'one help entry per setting');
  for (const s of SETTINGS) {
    const shown = s.default === '' ? '(none)' : s.default;
    const escaped = (x: string): string => x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(res.stdout, new RegExp(`^  ${s.name} +${escaped(s.describe)}\\n +default: ${escaped(shown)}$`, 'm'), s.name);
  }
  for (const [name, shown] of [
    ['LOOM_PROXY_INBOUND_LISTEN_ADDR', '0.0.0.0:4143'],
    ['LOOM_PROXY_OUTBOUND_LISTEN_ADDR', '127.0.0.1:4140'],
    ['LOOM_PROXY_ADMIN_LISTEN_ADDR', '0.0.0.0:4191'],
    ['LOOM_PROXY_OPAQUE_PORTS', '25,587,3306,4444,5432,6379,9300,11211'],
    ['LOOM_PROXY_SHUTDOWN_GRACE_PERIOD', '30s'],
    ['LOOM_PROXY_DISCOVERY', '(none)'],
  ]) {
    assert.match(res.stdout, new RegExp(`^  ${name} [^\\n]*\\n +default: ${shown?.replace(/[.()]/g, '\\$&')}$`, 'm'), name);
  }
});

test('`loom bogus` exits non-zero and says the command is unknown and where help is', async () => {
  const res = await runLoom(['bogus']);
  assert.equal(res.code, 1);
  assert.equal(res.stdout, '');
  assert.match(res.stderr, /^error: unknown command 'bogus'\n/);
  assert.match(res.stderr, /\(run with --help for usage\)\n$/);
});

test('readiness: /ready and /live answer 200 once the proxy has started', async () => {
  const child = await proxyChild();
  assert.deepEqual(await admin(child, '/ready'), { status: 200, body: 'ready\n' });
  assert.deepEqual(await admin(child, '/live'), { status: 200, body: 'live\n' });
  assert.equal(await tryConnect(child.outbound), 'connected');
  assert.equal(await tryConnect(child.inbound), 'connected');
  child.child.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: 0, signal: null });
});

/**
 * A request is in flight to an upstream that answers after 800 ms when `trigger` asks the proxy to
 * stop: new connections are refused and /ready fails while it drains, the request still gets its
 * answer, and the process exits 0.
 */
async function drainsGracefully(trigger: (child: ProxyChild) => Promise<void>): Promise<void> {
  const upstream = await slowUpstream(800);
  const child = await proxyChild({ LOOM_PROXY_DISCOVERY: `slow.test:80 -> ${upstream.addr}`, LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '5s' });
  let answered = false;
  const inFlight = getThrough(child.outbound, 'slow.test', '/slow').finally(() => (answered = true));
  await eventually(() => upstream.received() === 1, 2000, 'the request to reach the upstream');
  const stoppedAt = performance.now();
  await trigger(child);

  await eventually(async () => (await tryConnect(child.outbound)) === 'ECONNREFUSED', 500, 'outbound to refuse connections');
  assert.equal(await tryConnect(child.inbound), 'ECONNREFUSED');
  assert.deepEqual(await admin(child, '/ready'), { status: 503, body: 'not ready\n' });
  assert.equal(answered, false, 'the drain checks ran after the request had finished; they prove nothing');

  assert.deepEqual(await inFlight, { status: 200, body: 'slow answer\n' });
  assert.deepEqual(await child.exited, { code: 0, signal: null });
  const took = performance.now() - stoppedAt;
  assert.ok(took < 2500, `exit took ${took.toFixed(0)} ms after the shutdown began`);
  assert.match(child.stderr(), /"msg":"draining"/);
  assert.match(child.stderr(), /"msg":"shutdown complete"/);
  assert.doesNotMatch(child.stderr(), /grace period over/);
}

test('SIGTERM drains: the in-flight request completes, new connections are refused, /ready fails, exit 0', async () => {
  await drainsGracefully(async (child) => {
    child.child.kill('SIGTERM');
  });
});

test('POST /shutdown on the admin port drains the same way and exits 0', async () => {
  await drainsGracefully(async (child) => {
    assert.deepEqual(await admin(child, '/shutdown', { method: 'POST' }), { status: 200, body: 'shutdown\n' });
  });
});

test('the grace period bounds the drain: an upstream that never answers does not keep the proxy up', async () => {
  const upstream = await slowUpstream(null);
  const child = await proxyChild({ LOOM_PROXY_DISCOVERY: `stuck.test:80 -> ${upstream.addr}`, LOOM_PROXY_SHUTDOWN_GRACE_PERIOD: '500ms' });
  const inFlight = getThrough(child.outbound, 'stuck.test', '/never').then(
    (answer) => `answered ${answer.status}`,
    (err: NodeJS.ErrnoException) => err.code ?? err.message,
  );
  await eventually(() => upstream.received() === 1, 2000, 'the request to reach the upstream');
  const stoppedAt = performance.now();
  child.child.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: 0, signal: null });
  const took = performance.now() - stoppedAt;
  assert.ok(took >= 450 && took < 1500, `exit took ${took.toFixed(0)} ms after SIGTERM; grace period is 500 ms`);
  assert.equal(await inFlight, 'ECONNRESET');
  assert.match(child.stderr(), /"connections":1,"msg":"grace period over; closing remaining connections"/);
});

test('PUT /log-level changes the level at run time: debug lines appear only after it', async () => {
  const child = await proxyChild({ LOOM_PROXY_LOG_LEVEL: 'info' });
  const noTarget = async (): Promise<void> => {
    // Opaque bytes on the outbound listener have no target: the proxy closes them and logs at debug.
    const socket = net.connect(port(child.outbound), '127.0.0.1');
    socket.on('error', () => undefined);
    socket.write('\x00\x01');
    await new Promise((resolve) => socket.once('close', resolve));
  };
  const debugLine = /"level":"debug"[^\n]*"msg":"outbound: opaque connection with no target; closing"/;

  await noTarget();
  assert.deepEqual(await admin(child, '/log-level'), { status: 200, body: 'info\n' });
  assert.doesNotMatch(child.stderr(), debugLine);

  assert.deepEqual(await admin(child, '/log-level', { method: 'PUT', body: 'debug' }), { status: 200, body: 'debug\n' });
  assert.deepEqual(await admin(child, '/log-level'), { status: 200, body: 'debug\n' });
  await noTarget();
  await eventually(() => debugLine.test(child.stderr()), 2000, 'the debug line');
  assert.match(child.stderr(), /"from":"info","to":"debug","msg":"log level changed on the admin port"/);

  assert.equal((await admin(child, '/log-level', { method: 'PUT', body: 'chatty' })).status, 400);
  assert.deepEqual(await admin(child, '/log-level'), { status: 200, body: 'debug\n' });
  child.child.kill('SIGTERM');
  assert.deepEqual(await child.exited, { code: 0, signal: null });
});
