// The one-machine mesh end to end: `loom up`'s runtime with the hello -> world demo, real proxies and
// apps as processes, discovery from the control plane.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { createClient } from '@connectrpc/connect';
import { createGrpcTransport } from '@connectrpc/connect-node';
import { Destination } from '../src/api/gen/loom/destination/v1/destination_pb.js';
import { parseResources } from '../src/platform/local/mesh-file.js';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { ResourceStore } from '../src/platform/local/resource-store.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { sample } from './support/proxy.js';
import { eventually } from './support/upstreams.js';

let mesh: LocalMesh;
let stateDir: string;

before(async () => {
  await ensureBuilt();
  mesh = new LocalMesh({
    files: [join(ROOT, 'demos/hello-world/mesh.yaml')],
    cwd: ROOT,
    stateDir: (stateDir = mkdtempSync(join(tmpdir(), 'loom-mesh-'))),
    loomCommand: [process.execPath, MAIN],
    baseEnv: process.env,
    controllerPort: 0,
  });
  await mesh.start();
});

after(async () => {
  await mesh.stop();
});

function replica(name: string) {
  const found = mesh.replicas.find((r) => r.replica.name === name);
  assert.ok(found, `replica ${name}`);
  return found;
}

async function metrics(name: string): Promise<string> {
  return (await fetch(`http://127.0.0.1:${replica(name).replica.describe().ports.admin}/metrics`)).text();
}

test('hello reaches world through both proxies, found through the control plane', async () => {
  await eventually(() => mesh.endpoints('world.hello.svc:80').length === 1, 20_000, 'world to be ready');
  await eventually(() => replica('hello-0').replica.describe().status === 'ready', 20_000, 'hello to be ready');
  const res = await request(`http://127.0.0.1:${replica('hello-0').inboundPort}/`);
  const body = await res.body.text();
  assert.equal(res.statusCode, 200);
  assert.match(body, /^Hello \(127\.0\.0\.1:\d+\) world \(127\.0\.0\.1:\d+\)!!\n$/);
  const out = sample(await metrics('hello-0'), 'response_total', { direction: 'outbound', authority: 'world.hello.svc:80', dst_pod: 'world-v1-0', status_code: '200' });
  const inb = sample(await metrics('world-v1-0'), 'response_total', { direction: 'inbound', status_code: '200' });
  assert.ok(out >= 1, 'hello proxy counted the call to world');
  assert.ok(inb >= 1, 'world proxy counted the call from hello');
});

test('a crashed replica leaves discovery and comes back through the supervisor', async () => {
  const world = replica('world-v1-0').replica;
  const pid = world.describe().pids.app;
  assert.ok(pid);
  process.kill(pid, 'SIGKILL');
  await eventually(() => mesh.endpoints('world.hello.svc:80').length === 0, 10_000, 'the endpoint to be withdrawn');
  await eventually(() => mesh.endpoints('world.hello.svc:80').length === 1, 20_000, 'the replica to be restarted');
  assert.ok(world.describe().restarts >= 1);
  const res = await request(`http://127.0.0.1:${replica('hello-0').inboundPort}/`);
  assert.equal(res.statusCode, 200);
  await res.body.dump();
});

test('a ServiceProfile applied to the store is served by GetProfile, and follows edits', async () => {
  const client = createClient(Destination, createGrpcTransport({ baseUrl: `http://${mesh.controllerAddr}` }));
  const abort = new AbortController();
  const seen: boolean[] = [];
  const stream = (async () => {
    for await (const p of client.getProfile({ path: 'world.hello.svc:80', contextToken: 'test' }, { signal: abort.signal })) {
      assert.equal(p.fullyQualifiedName, 'world.hello.svc.cluster.local');
      seen.push(p.opaqueProtocol);
    }
  })().catch(() => undefined);
  try {
    await eventually(() => seen.length === 1, 5000, 'the initial profile');
    assert.equal(seen[0], false);
    const store = new ResourceStore(join(stateDir, 'resources'));
    const [profile] = parseResources(
      'apiVersion: loom.io/v1alpha2\nkind: ServiceProfile\nmetadata:\n  name: world.hello.svc.cluster.local\n  namespace: hello\nspec:\n  opaquePorts: [80]\n',
      'profile.yaml',
    );
    assert.ok(profile);
    store.apply(profile);
    await eventually(() => seen.at(-1) === true, 5000, 'the applied profile to be served');
    store.delete('ServiceProfile', 'hello', 'world.hello.svc.cluster.local');
    await eventually(() => seen.at(-1) === false, 5000, 'the deleted profile to be withdrawn');
  } finally {
    abort.abort();
    await stream;
  }
});

test('restarting the control plane under steady traffic loses no request', async () => {
  const controller = mesh.controller;
  assert.ok(controller?.pid);
  const url = `http://127.0.0.1:${replica('hello-0').inboundPort}/`;
  let stop = false;
  const statuses: number[] = [];
  const traffic = (async () => {
    while (!stop) {
      const res = await request(url);
      await res.body.dump();
      statuses.push(res.statusCode);
    }
  })();
  await new Promise((r) => setTimeout(r, 200));
  const restartsBefore = controller.restarts;
  process.kill(controller.pid, 'SIGKILL');
  await eventually(() => controller.restarts > restartsBefore && controller.status === 'ready', 20_000, 'the controller to come back');
  await new Promise((r) => setTimeout(r, 300));
  stop = true;
  await traffic;
  assert.ok(statuses.length > 20, `steady traffic: ${statuses.length} requests`);
  assert.deepEqual([...new Set(statuses)], [200], 'every request succeeded while the control plane restarted');
  // Discovery works again through the new controller: a world restart is seen and routed.
  const before = sample(await metrics('hello-0'), 'response_total', { direction: 'outbound', authority: 'world.hello.svc:80', status_code: '200' });
  const res = await request(url);
  await res.body.dump();
  assert.equal(res.statusCode, 200);
  assert.ok(sample(await metrics('hello-0'), 'response_total', { direction: 'outbound', authority: 'world.hello.svc:80', status_code: '200' }) > before);
});
