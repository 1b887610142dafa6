import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MeshFileError } from './mesh-file-error.js';
import { loadMeshFiles } from './mesh-file.js';

test('several files form one mesh: a later file may use what an earlier one declares', () => {
  const mesh = loadMeshFiles(['demos/hello-world/mesh.yaml', 'demos/hello-world/world-v2.yaml']);
  assert.deepEqual(mesh.deployments.map((d) => d.metadata.name).sort(), ['hello', 'world-v1', 'world-v2']);
});

test('on its own, a file that relies on another names the missing piece with its own file', () => {
  assert.throws(
    () => loadMeshFiles(['demos/hello-world/world-v2.yaml']),
    (err: unknown) => err instanceof MeshFileError && err.lines.every((l) => l.startsWith('demos/hello-world/world-v2.yaml:')),
  );
});
