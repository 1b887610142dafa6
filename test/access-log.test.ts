// Access logs per workload on the one-machine mesh: `config.loom.io/access-log` on a Deployment's pod
// template turns on its proxy's access log, which `loom logs <workload> --proxy` shows; changing the
// annotation in the running mesh's file rolls the workload out with the new setting.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { runLogs } from '../src/cli/logs.js';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { eventually } from './support/upstreams.js';

const ACCESS_LOG = 'config.loom.io/access-log';
// `<client> - - [date] "GET / HTTP/1.1" 200 <bytes> "<agent>" <ms>ms`
const APACHE_LINE = /^\S+ - - \[[^\]]+\] "GET \/ HTTP\/[\d.]+" 200 \d+ "[^"]*" [\d.]+ms$/m;

let mesh: LocalMesh;
let stateDir: string;
let meshFile: string;
const notices: string[] = [];

/** The hello-world demo with access-log annotations on the named Deployments' pod templates. */
function writeMeshFile(annotations: Record<string, string>): void {
  const documents = parseAllDocuments(readFileSync(join(ROOT, 'demos/hello-world/mesh.yaml'), 'utf8'));
  for (const doc of documents) {
    const format = doc.get('kind') === 'Deployment' ? annotations[String(doc.getIn(['metadata', 'name']))] : undefined;
    if (format !== undefined) doc.setIn(['spec', 'template', 'metadata', 'annotations'], { [ACCESS_LOG]: format });
  }
  writeFileSync(meshFile, documents.map((d) => d.toString()).join(''));
}

async function proxyLog(workload: string): Promise<string> {
  let out = '';
  const code = await runLogs(workload, stateDir, { out: (text) => (out += text), err: () => undefined, env: {} }, true);
  assert.equal(code, 0, `loom logs ${workload} --proxy`);
  return out;
}

function replica(name: string) {
  const found = mesh.replicas.find((r) => r.replica.name === name);
  assert.ok(found, `replica ${name}`);
  return found;
}

async function callHello(): Promise<void> {
  await eventually(() => mesh.endpoints('world.hello.svc:80').length === 1 && replica('hello-0').replica.status === 'ready', 30_000, 'hello and world to be ready');
  const res = await fetch(`http://127.0.0.1:${replica('hello-0').inboundPort}/`);
  assert.equal(res.status, 200, await res.text());
}

before(async () => {
  await ensureBuilt();
  stateDir = mkdtempSync(join(tmpdir(), 'loom-access-log-'));
  meshFile = join(stateDir, 'mesh.yaml');
  writeMeshFile({ hello: 'apache' });
  // A developer's own LOOM_PROXY_ACCESS_LOG would reach every proxy.
  const baseEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('LOOM_PROXY_')));
  mesh = new LocalMesh({ files: [meshFile], cwd: ROOT, stateDir, loomCommand: [process.execPath, MAIN], baseEnv, controllerPort: 0, notify: (m) => notices.push(m) });
  await mesh.start();
});

after(async () => {
  await mesh.stop();
});

test('the annotated workload logs each request, in and out, and the other workload logs none', async () => {
  await callHello();
  // hello's proxy logs the request it received and the call to world it made.
  await eventually(async () => (await proxyLog('hello')).match(new RegExp(APACHE_LINE.source, 'gm'))?.length === 2, 5000, 'two access-log lines from hello');
  const world = await proxyLog('world-v1');
  assert.doesNotMatch(world, APACHE_LINE);
  assert.doesNotMatch(world, /"direction":"inbound"/);
});

test('changing the annotation in the running mesh file restarts the workload with the new setting', async () => {
  const before = replica('world-v1-0').replica;
  writeMeshFile({ hello: 'apache', 'world-v1': 'json' });
  await eventually(() => replica('world-v1-0').replica !== before, 10_000, 'world-v1 to be rolled out');
  assert.deepEqual(notices, ['hello/world-v1: proxy settings changed to LOOM_PROXY_ACCESS_LOG=json; restarting its replicas one at a time']);
  await callHello();
  let entry: Record<string, unknown> | undefined;
  await eventually(async () => {
    const lines = (await proxyLog('world-v1')).split('\n').filter((line) => line.includes('"direction":"inbound"'));
    entry = lines.length > 0 ? (JSON.parse(lines.at(-1) ?? '') as Record<string, unknown>) : undefined;
    return entry !== undefined;
  }, 5000, 'a JSON access-log line from world');
  assert.equal(entry?.['method'], 'GET');
  assert.equal(entry?.['status'], 200);
  assert.equal(entry?.['authority'], 'world.hello.svc');
});
