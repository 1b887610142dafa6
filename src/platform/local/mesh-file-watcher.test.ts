import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MeshFile } from './mesh-file.js';
import { MeshFileWatcher } from './mesh-file-watcher.js';

const namespace = (accessLog: string) =>
  `apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  annotations:\n    config.loom.io/access-log: ${accessLog}\n`;

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(check(), 'timed out');
}

test('a saved change is parsed again and handed on; an invalid one is reported with its position', async () => {
  const file = join(mkdtempSync(join(tmpdir(), 'loom-watch-')), 'mesh.yaml');
  writeFileSync(file, namespace('apache'));
  const changes: MeshFile[] = [];
  const problems: string[][] = [];
  const watcher = new MeshFileWatcher({ files: [file], onChange: (m) => changes.push(m), onInvalid: (p) => problems.push(p), intervalMs: 20 });
  watcher.start();
  try {
    // watchFile takes its first stat asynchronously: a write before it would be the baseline, not a change.
    await new Promise((r) => setTimeout(r, 150));
    writeFileSync(file, namespace('json'));
    await until(() => changes.length === 1);
    assert.equal(changes[0]?.namespaces[0]?.metadata.annotations?.['config.loom.io/access-log'], 'json');
    writeFileSync(file, namespace('xml'));
    await until(() => problems.length === 1);
    assert.deepEqual(problems[0], [`${file}:6:32: Namespace/shop metadata.annotations["config.loom.io/access-log"]: "xml" is not an access log format; use apache, json or off`]);
  } finally {
    watcher.stop();
  }
});
