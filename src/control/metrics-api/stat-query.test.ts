import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rowKey, selects, trafficSelector } from './stat-query.js';

const W = 60_000;

test("a workload's own traffic is its inbound proxies', grouped by the scrape labels", () => {
  assert.deepEqual(trafficSelector({ kind: 'workload', namespace: 'emojivoto', name: 'voting', windowMs: W }), {
    direction: 'inbound',
    match: [['namespace', 'emojivoto'], ['workload', 'voting']],
    groupBy: { namespace: 'namespace', name: 'workload' },
    tcpPeer: 'src',
  });
  assert.deepEqual(trafficSelector({ kind: 'namespace', windowMs: W }).groupBy, { namespace: 'namespace', name: 'namespace' });
});

test("a service's traffic is what meshed clients' outbound proxies sent to it (dst_service)", () => {
  assert.deepEqual(trafficSelector({ kind: 'service', namespace: 'emojivoto', windowMs: W }), {
    direction: 'outbound',
    match: [['dst_namespace', 'emojivoto']],
    groupBy: { namespace: 'dst_namespace', name: 'dst_service' },
    tcpPeer: 'dst',
  });
  const toPod = trafficSelector({ kind: 'service', namespace: 'emojivoto', name: 'voting', to: { kind: 'pod', namespace: 'emojivoto', name: 'voting-1' }, windowMs: W });
  assert.deepEqual(toPod.match, [['dst_namespace', 'emojivoto'], ['dst_service', 'voting'], ['dst_namespace', 'emojivoto'], ['dst_pod', 'voting-1']]);
});

test('--to reads the stat\'d resources\' outbound proxies; --from reads the sender\'s, with rows named by dst_*', () => {
  const to = trafficSelector({ kind: 'workload', namespace: 'emojivoto', name: 'web', to: { kind: 'service', namespace: 'emojivoto', name: 'voting' }, windowMs: W });
  assert.deepEqual(to.match, [['namespace', 'emojivoto'], ['workload', 'web'], ['dst_namespace', 'emojivoto'], ['dst_service', 'voting']]);
  assert.deepEqual([to.direction, to.groupBy, to.tcpPeer], ['outbound', { namespace: 'namespace', name: 'workload' }, 'dst']);
  const from = trafficSelector({ kind: 'workload', namespace: 'emojivoto', from: { kind: 'workload', namespace: 'emojivoto', name: 'web' }, windowMs: W });
  assert.deepEqual(from.match, [['namespace', 'emojivoto'], ['workload', 'web'], ['dst_namespace', 'emojivoto']]);
  assert.deepEqual([from.direction, from.groupBy], ['outbound', { namespace: 'dst_namespace', name: 'dst_deployment' }]);
  assert.throws(() => trafficSelector({ kind: 'workload', from: { kind: 'service', namespace: 'emojivoto', name: 'voting' }, windowMs: W }), /a service sends no traffic/);
});

test('a label named twice with different values selects nothing; rows are keyed namespace/name', () => {
  const sel = trafficSelector({ kind: 'service', namespace: 'a', to: { kind: 'workload', namespace: 'b', name: 'x' }, windowMs: W });
  assert.equal(selects(sel, { direction: 'outbound', dst_namespace: 'a', dst_deployment: 'x' }), false);
  assert.equal(selects(sel, { direction: 'outbound', dst_namespace: 'b', dst_deployment: 'x' }), false);
  const plain = trafficSelector({ kind: 'service', windowMs: W });
  assert.equal(selects(plain, { direction: 'inbound', dst_namespace: 'a', dst_service: 's' }), false, 'direction');
  assert.equal(rowKey(plain, { dst_namespace: 'a', dst_service: 's' }), 'a/s');
  assert.equal(rowKey(plain, { dst_namespace: 'a' }), undefined, 'no service label: not a service row');
});
