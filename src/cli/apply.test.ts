import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CliIO } from './io.js';
import { runApply, runDelete } from './apply.js';
import { runGet } from './get.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const c = { stdout: '', stderr: '' };
  return Object.assign(c, { out: (t: string) => void (c.stdout += t), err: (t: string) => void (c.stderr += t), env: {} });
}

const PROFILE = `apiVersion: loom.io/v1alpha2
kind: ServiceProfile
metadata:
  name: web.emojivoto.svc.cluster.local
  namespace: emojivoto
spec:
  routes:
    - name: vote
      condition: { method: GET, pathRegex: /api/vote }
  opaquePorts: [5432]
`;

test('apply stores a valid ServiceProfile; get lists it; delete removes it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-apply-'));
  const file = join(dir, 'profile.yaml');
  writeFileSync(file, PROFILE);
  const state = join(dir, '.loom');
  const first = io();
  assert.equal(await runApply([file], state, first), 0);
  assert.equal(first.stdout, 'serviceprofile/web.emojivoto.svc.cluster.local created\n');
  const again = io();
  assert.equal(await runApply([file], state, again), 0);
  assert.equal(again.stdout, 'serviceprofile/web.emojivoto.svc.cluster.local unchanged\n');
  const listed = io();
  assert.equal(await runGet('serviceprofiles', state, listed), 0);
  assert.equal(listed.stdout, 'emojivoto/web.emojivoto.svc.cluster.local\n');
  const del = io();
  assert.equal(await runDelete('serviceprofile', 'web.emojivoto.svc.cluster.local', 'emojivoto', state, del), 0);
  const missing = io();
  assert.equal(await runDelete('serviceprofile', 'web.emojivoto.svc.cluster.local', 'emojivoto', state, missing), 1);
  assert.match(missing.stderr, /not found in namespace emojivoto/);
});

test('apply rejects an invalid resource with its position, and kinds that belong in the mesh file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'loom-apply-'));
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, PROFILE.replace('method: GET', 'method: get'));
  const out = io();
  assert.equal(await runApply([bad], join(dir, '.loom'), out), 2);
  assert.match(out.stderr, /bad\.yaml:9:28: ServiceProfile\/web\.emojivoto\.svc\.cluster\.local spec\.routes\[0\]\.condition\.method: write an HTTP method in capitals/);
  const ns = join(dir, 'ns.yaml');
  writeFileSync(ns, 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: demo\n');
  const wrong = io();
  assert.equal(await runApply([ns], join(dir, '.loom'), wrong), 2);
  assert.match(wrong.stderr, /Namespace\/demo: declare workloads, Services and Namespaces in the mesh file/);
  const kind = io();
  assert.equal(await runDelete('gateways', 'x', 'default', join(dir, '.loom'), kind), 2);
});
