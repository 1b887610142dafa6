// The mesh commands' answers to bad input, run in-process with captured output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from './io.js';
import { runDown } from './down.js';
import { runGet } from './get.js';
import { runLogs } from './logs.js';
import { runUp } from './up.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, {
    out: (t: string) => void (captured.stdout += t),
    err: (t: string) => void (captured.stderr += t),
    env: {},
  });
}

test('loom up with an invalid mesh file names file:line and the field, exits 2, starts nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  const file = join(dir, 'mesh.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n  colour: blue\n');
  const out = io();
  const code = await runUp({ files: [file], stateDir: join(dir, '.loom'), adminPort: 0, controllerPort: 0 }, out, null);
  assert.equal(code, 2);
  assert.match(out.stderr, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5:\\d+: Namespace/demo metadata\\.colour`));
  assert.equal(out.stdout, '');
});

test('loom up with a missing file says so and exits 2', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  const out = io();
  assert.equal(await runUp({ files: [join(dir, 'nope.yaml')], stateDir: join(dir, '.loom'), adminPort: 0, controllerPort: 0 }, out, null), 2);
  assert.match(out.stderr, /cannot read the mesh file/);
});

test('get, logs and down without a running mesh explain what to do and exit non-zero', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  const state = join(dir, '.loom');
  const get = io();
  assert.equal(await runGet('workloads', state, get), 1);
  assert.match(get.stderr, /no mesh is running from this directory.*loom up -f mesh\.yaml/);
  const kind = io();
  assert.equal(await runGet('pods', state, kind), 2);
  assert.match(kind.stderr, /unknown kind "pods"; supported: workloads/);
  const logs = io();
  assert.equal(await runLogs('web', state, logs), 1);
  assert.match(logs.stderr, /no logs for "web"/);
  const down = io();
  assert.equal(await runDown(state, down), 1);
  assert.match(down.stderr, /no mesh is running/);
});

test('loom up with its admin port taken says which port and what to do, and starts nothing', async () => {
  const { createServer } = await import('node:net');
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', () => resolve()));
  const taken = (blocker.address() as { port: number }).port;
  const dir = mkdtempSync(join(tmpdir(), 'loom-cli-'));
  const file = join(dir, 'mesh.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n');
  const out = io();
  try {
    assert.equal(await runUp({ files: [file], stateDir: join(dir, '.loom'), adminPort: taken, controllerPort: 0 }, out, null), 1);
    assert.match(out.stderr, new RegExp(`127\\.0\\.0\\.1:${taken} cannot be bound \\(EADDRINUSE\\).*--admin-port`));
  } finally {
    blocker.close();
  }
});

test('loom logs reads the namespace directories, not the controller.log beside them', async () => {
  const state = join(mkdtempSync(join(tmpdir(), 'loom-cli-')), '.loom');
  mkdirSync(join(state, 'logs', 'shop'), { recursive: true });
  writeFileSync(join(state, 'logs', 'controller.log'), 'controller\n');
  writeFileSync(join(state, 'logs', 'shop', 'web-0.proxy.log'), '127.0.0.1 - - [01/Jan/2026:00:00:00 +0000] "GET / HTTP/1.1" 200 2 "-" 1.0ms\n');
  const logs = io();
  assert.equal(await runLogs('web', state, logs, true), 0);
  assert.match(logs.stdout, /"GET \/ HTTP\/1\.1" 200/);
});
