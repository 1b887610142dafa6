import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from './free-port.js';
import { Replica, type ReplicaPorts } from './replica.js';

const dir = mkdtempSync(join(tmpdir(), 'loom-replica-'));
const replicas: Replica[] = [];
test.after(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  rmSync(dir, { recursive: true, force: true });
});

// Both fakes append what happens to them to EVENTS, so the test can read the order across processes.
const fakeProxy = `
import { createServer } from 'node:http';
import { appendFileSync } from 'node:fs';
const note = (what) => appendFileSync(process.env.EVENTS, what + '\\n');
note('proxy-start');
const [host, port] = process.env.LOOM_PROXY_ADMIN_LISTEN_ADDR.split(':');
const admin = createServer((req, res) => { res.statusCode = req.url === '/ready' ? 200 : 404; res.end(); });
setTimeout(() => admin.listen(Number(port), host, () => note('proxy-ready')), 300);
process.on('SIGTERM', () => { note('proxy-stop'); process.exit(0); });
`;

const fakeApp = `
import { createServer } from 'node:net';
import { appendFileSync } from 'node:fs';
const note = (what) => appendFileSync(process.env.EVENTS, what + '\\n');
note('app-start PORT=' + process.env.PORT + ' LOOM_OUTBOUND=' + process.env.LOOM_OUTBOUND + ' GREETING=' + process.env.GREETING);
createServer().listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', () => { note('app-stop'); process.exit(0); });
`;

async function newReplica(): Promise<{ replica: Replica; events: () => string[]; ports: ReplicaPorts }> {
  const [app, inbound, outbound, admin, tap] = await freePorts(5);
  assert.ok(app !== undefined && inbound !== undefined && outbound !== undefined && admin !== undefined && tap !== undefined);
  const ports = { app, inbound, outbound, admin, tap };
  const eventsFile = join(dir, `events-${replicas.length}.log`);
  writeFileSync(join(dir, 'proxy.mjs'), fakeProxy);
  writeFileSync(join(dir, 'app.mjs'), fakeApp);
  appendFileSync(eventsFile, '');
  const replica = new Replica({
    name: `web-${replicas.length}`,
    namespace: 'emojivoto',
    workload: 'web',
    // The mesh file's PORT loses to the platform's.
    app: { command: [process.execPath, join(dir, 'app.mjs')], env: { GREETING: 'hi', PORT: '1', EVENTS: eventsFile }, cwd: dir },
    proxy: { command: [process.execPath, join(dir, 'proxy.mjs')], env: { EVENTS: eventsFile } },
    ports,
    logDir: join(dir, 'logs'),
    baseEnv: { PATH: '/usr/bin:/bin' },
    timing: { backoff: { initialMs: 50, maxMs: 200 }, probeIntervalMs: { notReady: 50, ready: 100 }, stopGraceMs: 2000 },
  });
  replicas.push(replica);
  const events = (): string[] => readFileSync(eventsFile, 'utf8').split('\n').filter((line) => line !== '');
  return { replica, events, ports };
}

function next(replica: Replica, event: 'ready' | 'unready', timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no '${event}' within ${timeoutMs} ms: ${JSON.stringify(replica.describe())}`)), timeoutMs);
    replica.once(event, () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

test('the app starts only after its proxy is ready, with the platform-set environment', async () => {
  const { replica, events, ports } = await newReplica();
  const ready = next(replica, 'ready');
  const starting = replica.start();
  assert.equal(replica.status, 'starting');
  await starting;
  await ready;

  assert.deepEqual(events(), [
    'proxy-start',
    'proxy-ready',
    `app-start PORT=${ports.app} LOOM_OUTBOUND=127.0.0.1:${ports.outbound} GREETING=hi`,
  ]);
  assert.equal(replica.status, 'ready');
  const description = replica.describe();
  assert.equal(description.name, 'web-0');
  assert.equal(description.namespace, 'emojivoto');
  assert.equal(description.workload, 'web');
  assert.equal(description.status, 'ready');
  assert.equal(description.restarts, 0);
  assert.equal(typeof description.pids.app, 'number');
  assert.equal(typeof description.pids.proxy, 'number');
  assert.deepEqual(description.ports, ports);
  assert.equal(description.lastError, undefined);
  assert.ok(existsSync(join(dir, 'logs', 'emojivoto', 'web-0.proxy.log')));
  assert.ok(existsSync(join(dir, 'logs', 'emojivoto', 'web-0.app.log')));

  await replica.stop();
});

test("'unready' when the app dies, 'ready' again after its restart; stop() stops the app, then the proxy", async () => {
  const { replica, events } = await newReplica();
  await Promise.all([next(replica, 'ready'), replica.start()]);

  const unready = next(replica, 'unready');
  const readyAgain = unready.then(() => next(replica, 'ready'));
  const appPid = replica.app.pid;
  assert.ok(appPid !== undefined);
  process.kill(appPid, 'SIGKILL');
  await unready;
  await readyAgain;
  assert.equal(replica.restarts, 1);
  assert.equal(replica.app.restarts, 1);
  assert.notEqual(replica.app.pid, appPid);
  assert.equal(replica.describe().lastError, undefined, 'cleared once the app is ready again');

  // Deregistration ('unready') comes before the app is asked to stop, so no new work reaches it.
  const order: string[] = [];
  replica.once('unready', () => order.push(`unready with ${events().filter((e) => e.endsWith('-stop')).length} stopped`));
  await replica.stop();
  assert.deepEqual(order, ['unready with 0 stopped']);
  assert.deepEqual(events().filter((e) => e.endsWith('-stop')), ['app-stop', 'proxy-stop']);
  assert.equal(replica.status, 'stopped');
  assert.equal(replica.app.status, 'stopped');
  assert.equal(replica.proxy.status, 'stopped');
});

test('stop() while the proxy is still starting never starts the app', async () => {
  const { replica, events } = await newReplica();
  const starting = replica.start();
  await replica.stop();
  await starting;
  assert.equal(replica.status, 'stopped');
  assert.equal(replica.app.pid, undefined);
  assert.ok(!events().some((e) => e.startsWith('app-start')));
});

test('a proxy command that does not exist shows as crashed with the reason in describe()', async () => {
  const [app = 0, inbound = 0, outbound = 0, admin = 0, tap = 0] = await freePorts(5);
  const crashed = new Replica({
    name: 'web-9',
    namespace: 'emojivoto',
    workload: 'web',
    logDir: join(dir, 'logs'),
    ports: { app, inbound, outbound, admin, tap },
    app: { command: [process.execPath, join(dir, 'app.mjs')], env: {}, cwd: dir },
    proxy: { command: ['loom-no-such-proxy'], env: {} },
    timing: { backoff: { initialMs: 50, maxMs: 200 } },
  });
  replicas.push(crashed);
  const statusCrashed = new Promise<void>((resolve) => crashed.on('status', (status) => status === 'crashed' && resolve()));
  void crashed.start();
  await statusCrashed;
  assert.equal(
    crashed.describe().lastError,
    'proxy: command "loom-no-such-proxy" not found: the proxy command comes from Loom itself: check the Loom installation',
  );
  assert.equal(crashed.app.pid, undefined);
  await crashed.stop();
});
