// `loom identity` on bad input: no mesh, an unknown output format, a workload that does not exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeMeshState } from '../platform/local/state-file.js';
import { runIdentity } from './identity.js';
import type { CliIO } from './io.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, { out: (t: string) => void (captured.stdout += t), err: (t: string) => void (captured.stderr += t), env: {} });
}

const stateDir = (): string => join(mkdtempSync(join(tmpdir(), 'loom-identity-')), '.loom');

test('without a running mesh, loom identity says how to start one', async () => {
  const out = io();
  assert.equal(await runIdentity({ target: 'web', namespace: undefined, output: 'text', stateDir: stateDir() }, out), 1);
  assert.match(out.stderr, /no mesh is running from this directory .* start one with `loom up -f mesh\.yaml`/);
});

test('an unknown output format exits 2', async () => {
  const out = io();
  assert.equal(await runIdentity({ target: 'web', namespace: undefined, output: 'der', stateDir: stateDir() }, out), 2);
  assert.match(out.stderr, /unknown output "der"; supported: text, pem/);
});

test('an unknown workload lists the workloads the mesh runs', async () => {
  const admin = http.createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ replicas: [{ name: 'web-0', namespace: 'shop', workload: 'web', status: 'ready', restarts: 0, ports: { app: 1, inbound: 2, outbound: 3, admin: 4 } }] }));
  });
  await new Promise<void>((resolve) => admin.listen(0, '127.0.0.1', resolve));
  const dir = stateDir();
  mkdirSync(dir, { recursive: true });
  writeMeshState(dir, { pid: process.pid, admin: `http://127.0.0.1:${(admin.address() as AddressInfo).port}`, controller: '127.0.0.1:1', files: [] });
  try {
    const out = io();
    assert.equal(await runIdentity({ target: 'billing', namespace: undefined, output: 'text', stateDir: dir }, out), 1);
    assert.match(out.stderr, /no workload or replica "billing"; the mesh runs: shop\/web/);
    const wrongNs = io();
    assert.equal(await runIdentity({ target: 'web', namespace: 'other', output: 'text', stateDir: dir }, wrongNs), 1);
    assert.match(wrongNs.stderr, /no workload or replica "web" in namespace other/);
  } finally {
    await new Promise((resolve) => admin.close(resolve));
  }
});
