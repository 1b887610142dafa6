import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runEdges, type EdgesOptions } from './edges.js';
import { captureIO, withFakeMesh } from './fake-mesh.test-helper.js';

const EDGE = {
  srcNamespace: 'shop', src: 'web', dstNamespace: 'shop', dst: 'api', secured: true, requests: 3,
  clientId: 'web.shop.serviceaccount.identity.loom.cluster.local', serverId: 'api.shop.serviceaccount.identity.loom.cluster.local',
};
const PLAIN = { srcNamespace: 'shop', src: 'web', dstNamespace: 'shop', dst: 'example.com:80', secured: false, notSecuredReason: 'not_provided_by_service_discovery', requests: 1 };

test('edges print source, destination and the identities; an unsecured edge says why', async () => {
  await withFakeMesh(() => ({ edges: [EDGE, PLAIN] }), async (stateDir, queries) => {
    const opts: EdgesOptions = { kind: 'deploy', namespace: 'shop', allNamespaces: false, window: '1m', output: 'table', stateDir };
    const out = captureIO();
    assert.equal(await runEdges(opts, out), 0, out.stderr);
    assert.match(out.stdout, /^web\s+api\s+shop\s+shop\s+√\s+web\.shop\.serviceaccount\.identity\.loom\.cluster\.local\s+api\.shop\.serviceaccount\.identity\.loom\.cluster\.local$/m);
    assert.match(out.stdout, /^web\s+example\.com:80\s+shop\s+shop\s+× not_provided_by_service_discovery\s+-\s+-$/m);
    assert.deepEqual(queries, ['/api/edges?window=1m&namespace=shop']);
  });
});

test('no edges is said plainly; bad kind, output or window exit 2', async () => {
  await withFakeMesh(() => ({ edges: [] }), async (stateDir) => {
    const base: EdgesOptions = { kind: 'deploy', namespace: 'shop', allNamespaces: false, window: '1m', output: 'table', stateDir };
    const none = captureIO();
    assert.equal(await runEdges(base, none), 0);
    assert.match(none.stdout, /^No edges: no workload in namespace shop called another in the last 1m$/m);
    for (const [o, message] of [
      [{ kind: 'pod' }, /unknown kind "pod"; edges are between workloads/],
      [{ output: 'wide' }, /unknown output "wide"; supported: table, json/],
      [{ window: 'forever' }, /"forever" is not a window/],
    ] as const) {
      const out = captureIO();
      assert.equal(await runEdges({ ...base, ...o }, out), 2);
      assert.match(out.stderr, message);
    }
  });
});
