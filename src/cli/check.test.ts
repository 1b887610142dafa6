// `loom check --pre` and `loom check`, run in-process with captured output, temp state dirs and fake mesh servers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafFrom } from '../../test/support/forged-peer.js';
import { CertificateIssuer } from '../control/identity/issuer.js';
import { generateTrustRoots } from '../control/identity/trust-roots.js';
import { writeMeshState, type MeshState } from '../platform/local/state-file.js';
import { VERSION } from '../version.js';
import { runCheck, type CheckOptions } from './check.js';
import type { CliIO } from './io.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, {
    out: (t: string) => void (captured.stdout += t),
    err: (t: string) => void (captured.stderr += t),
    env: { PATH: process.env['PATH'] },
  });
}

function tempStateDir(): string {
  return join(mkdtempSync(join(tmpdir(), 'loom-check-')), '.loom');
}

async function listen(server: Server | http.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const server = createServer();
  const port = await listen(server);
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function preOptions(overrides: Partial<CheckOptions> = {}): Promise<CheckOptions> {
  return { pre: true, stateDir: tempStateDir(), adminPort: await freePort(), controllerPort: await freePort(), output: 'text', ...overrides };
}

function httpServer(routes: Record<string, [number, unknown]>): http.Server {
  return http.createServer((req, res) => {
    const [status, body] = routes[req.url ?? ''] ?? [404, 'not found\n'];
    res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  });
}

const WEB_ID = 'web.demo.serviceaccount.identity.loom.cluster.local';

/** Trust files as `loom up` writes them, and a certificate for WEB_ID, issued `issuedAgoMs` ago. */
async function identityFiles(dir: string, opts: { rootsAgoMs?: number } = {}): Promise<{ state: NonNullable<MeshState['identity']>; webChain: string }> {
  const roots = await generateTrustRoots({ trustDomain: 'cluster.local', now: new Date(Date.now() - (opts.rootsAgoMs ?? 0)) });
  const issuer = await CertificateIssuer.load({ anchorsPem: roots.anchorCertPem, issuerCertPem: roots.issuerCertPem, issuerKeyPem: roots.issuerKeyPem, trustDomain: 'cluster.local' });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'ca.crt'), roots.anchorCertPem);
  writeFileSync(join(dir, 'issuer.crt'), roots.issuerCertPem);
  const web = await leafFrom(issuer, WEB_ID);
  return { state: { trustDomain: 'cluster.local', anchorsFile: join(dir, 'ca.crt'), issuerCertFile: join(dir, 'issuer.crt') }, webChain: web.cert };
}

const closeAll = (...servers: Array<Server | http.Server>): Promise<unknown> =>
  Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));

test('check --pre passes on a clean directory with free ports, and creates the state directory', async () => {
  const out = io();
  const code = await runCheck(await preOptions(), out);
  assert.equal(code, 0, out.stdout);
  assert.match(out.stdout, /^√ Node\.js is >= 20\.18\.1$/m);
  assert.match(out.stdout, /^√ the state directory .*\.loom is writable$/m);
  assert.match(out.stdout, /^√ no mesh is running from this directory$/m);
  assert.doesNotMatch(out.stdout, /×/);
  assert.match(out.stdout, /Status check results are √\n$/);
});

test('check --pre fails on a taken port and says to stop its process or pass --admin-port', async () => {
  const taken = createServer();
  const port = await listen(taken);
  try {
    const out = io();
    assert.equal(await runCheck(await preOptions({ adminPort: port }), out), 1);
    assert.match(out.stdout, new RegExp(`^× port ${port} \\(mesh admin\\) is free on 127\\.0\\.0\\.1\\n    .*EADDRINUSE.*stop the process listening on it.*--admin-port <port>`, 'm'));
    assert.match(out.stdout, /^√ port \d+ \(Destination API\) is free/m);
    assert.match(out.stdout, /Status check results are ×\n$/);
  } finally {
    await closeAll(taken);
  }
});

test('check --pre fails when a live mesh state file exists and points to `loom down`', async () => {
  const opts = await preOptions();
  mkdirSync(opts.stateDir, { recursive: true });
  writeMeshState(opts.stateDir, { pid: process.pid, admin: 'http://127.0.0.1:9990', controller: '127.0.0.1:8086', files: [] });
  const out = io();
  assert.equal(await runCheck(opts, out), 1);
  assert.match(out.stdout, new RegExp(`^× no mesh is running from this directory\\n    .*pid ${process.pid}.*\`loom down\``, 'm'));
});

test('check --pre fails on a Node.js older than the engines requirement', async () => {
  const out = io();
  assert.equal(await runCheck(await preOptions({ nodeVersion: '20.9.0' }), out), 1);
  assert.match(out.stdout, /^× Node\.js is >= 20\.18\.1\n {4}this is Node\.js 20\.9\.0; install Node\.js 20\.18\.1 or newer/m);
});

test('check without a running mesh fails at once and says to run `loom up`', async () => {
  const out = io();
  assert.equal(await runCheck({ pre: false, stateDir: tempStateDir(), adminPort: 0, controllerPort: 0, output: 'text' }, out), 1);
  assert.equal(
    out.stdout.replace(/no \S+mesh\.json/, 'no .loom/mesh.json'),
    '× a mesh is running from this directory\n    no .loom/mesh.json: start a mesh with `loom up -f mesh.yaml`\n\nStatus check results are ×\n',
  );
});

test('check against a fake mesh names the replica whose proxy is not ready, and prints JSON that parses', async () => {
  const stateDir = tempStateDir();
  const { state: identity, webChain } = await identityFiles(join(stateDir, 'identity'));
  const readyProxy = httpServer({
    '/ready': [200, 'ready\n'],
    '/metrics': [200, `loom_proxy_build_info{version="${VERSION}"} 1\n`],
    '/identity': [200, webChain],
    '/config': [200, { identityLocalName: WEB_ID }],
  });
  const unreadyProxy = httpServer({
    '/ready': [503, 'not ready\n'],
    '/metrics': [200, 'loom_proxy_build_info{version="0.0.9"} 1\n'],
    '/identity': [503, 'no certificate yet: the Identity API has not issued one\n'],
  });
  const controller = createServer((socket) => socket.end());
  const [readyPort, unreadyPort, controllerPort] = [await listen(readyProxy), await listen(unreadyProxy), await listen(controller)];
  const replica = (name: string, workload: string, admin: number, status: string, lastError?: string): unknown => ({
    name, namespace: 'demo', workload, status, restarts: 0, pids: {}, ports: { app: 1, inbound: 2, outbound: 3, admin }, lastError,
  });
  const admin = httpServer({
    '/ready': [200, 'ready\n'],
    '/api/workloads': [200, {
      controller: `127.0.0.1:${controllerPort}`,
      replicas: [replica('web-0', 'web', readyPort, 'ready'), replica('world-0', 'world', unreadyPort, 'unready', 'proxy /ready answered 503')],
    }],
  });
  const adminPort = await listen(admin);
  writeMeshState(stateDir, { pid: process.pid, admin: `http://127.0.0.1:${adminPort}`, controller: `127.0.0.1:${controllerPort}`, files: [], identity });
  try {
    const out = io();
    assert.equal(await runCheck({ pre: false, stateDir, adminPort: 0, controllerPort: 0, output: 'text' }, out), 1);
    assert.match(out.stdout, /^√ the mesh admin is ready$/m);
    assert.match(out.stdout, /^√ the control plane \(Destination API\) accepts connections$/m);
    assert.match(out.stdout, /^× every replica is ready\n {4}demo\/world-0: unready \(proxy \/ready answered 503\)$/m);
    assert.match(out.stdout, new RegExp(`^× every proxy runs this version \\(${VERSION.replace(/\./g, '\\.')}\\)\\n {4}demo/world-0: proxy 0\\.0\\.9$`, 'm'));
    assert.match(out.stdout, new RegExp(`^× every replica's proxy answers /ready\\n {4}demo/world-0: proxy admin 127\\.0\\.0\\.1:${unreadyPort} answered 503$`, 'm'));
    assert.match(out.stdout, /^√ the trust anchors are valid$/m);
    assert.match(out.stdout, /^√ the identity issuer is valid and signed by a trust anchor$/m);
    assert.match(out.stdout, /^× every proxy holds a valid certificate for its identity\n {4}demo\/world-0: the proxy has no certificate \(503: no certificate yet/m);
    assert.doesNotMatch(out.stdout, /demo\/web-0/);
    assert.match(out.stdout, /^× every workload has a ready replica\n {4}no ready replica: demo\/world;/m);

    const json = io();
    assert.equal(await runCheck({ pre: false, stateDir, adminPort: 0, controllerPort: 0, output: 'json' }, json), 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; hint?: string }> };
    assert.equal(parsed.ok, false);
    assert.equal(parsed.checks.length, 10);
    const proxies = parsed.checks.find((c) => c.name === "every replica's proxy answers /ready");
    assert.equal(proxies?.ok, false);
    assert.match(proxies?.hint ?? '', /demo\/world-0/);
    assert.equal(parsed.checks[0]?.hint, undefined);
  } finally {
    await closeAll(readyProxy, unreadyProxy, controller, admin);
  }
});

test('check --output with an unknown format exits 2', async () => {
  const out = io();
  assert.equal(await runCheck({ ...(await preOptions()), output: 'yaml' }, out), 2);
  assert.match(out.stderr, /unknown output "yaml"; supported: text, json/);
});

test('check warns about an issuer that expires within 60 days and fails one from another CA', async () => {
  const stateDir = tempStateDir();
  // Issued 330 days ago: the one-year issuer has about 35 days left.
  const { state: identity } = await identityFiles(join(stateDir, 'identity'), { rootsAgoMs: 330 * 86_400_000 });
  const other = await identityFiles(join(stateDir, 'other'));
  const admin = httpServer({ '/ready': [200, 'ready\n'], '/api/workloads': [200, { replicas: [] }] });
  const controller = createServer((socket) => socket.end());
  const [adminPort, controllerPort] = [await listen(admin), await listen(controller)];
  try {
    writeMeshState(stateDir, { pid: process.pid, admin: `http://127.0.0.1:${adminPort}`, controller: `127.0.0.1:${controllerPort}`, files: [], identity });
    const warned = io();
    assert.equal(await runCheck({ pre: false, stateDir, adminPort: 0, controllerPort: 0, output: 'text' }, warned), 0, warned.stdout);
    assert.match(warned.stdout, /^‼ the identity issuer is valid and signed by a trust anchor\n {4}issuer CN=identity\.loom\.cluster\.local expires in 3\d days$/m);

    writeMeshState(stateDir, { pid: process.pid, admin: `http://127.0.0.1:${adminPort}`, controller: `127.0.0.1:${controllerPort}`, files: [], identity: { ...identity, issuerCertFile: other.state.issuerCertFile } });
    const failed = io();
    assert.equal(await runCheck({ pre: false, stateDir, adminPort: 0, controllerPort: 0, output: 'text' }, failed), 1);
    assert.match(failed.stdout, /^× the identity issuer is valid and signed by a trust anchor\n {4}issuer CN=identity\.loom\.cluster\.local does not chain to the trust anchors/m);
  } finally {
    await closeAll(admin, controller);
  }
});
