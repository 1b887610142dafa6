import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emojivotoStore } from './emojivoto-store.test-helper.js';
import { trafficSelector } from './stat-query.js';
import { storeTraffic } from './store-traffic.js';

test('per workload from inbound metrics: requests, successes, latency percentiles, TCP, bytes over the window', () => {
  const rows = storeTraffic(emojivotoStore(), trafficSelector({ kind: 'workload', namespace: 'emojivoto', windowMs: 60_000 }), 60_000, 60_000);
  const voting = rows.get('emojivoto/voting');
  assert.deepEqual([voting?.requests, voting?.successes], [100, 90]);
  assert.equal(voting?.latencyMs?.p50, 2 + 3 * 0.5, 'inside the 2-5 ms bucket');
  assert.equal(voting?.tcpConnections, 2);
  assert.equal(voting?.readBytes, 6000);
  assert.deepEqual([rows.get('emojivoto/web')?.requests, rows.get('emojivoto/web')?.readBytes], [0, 0], 'web served nothing');
  const pod = storeTraffic(emojivotoStore(), trafficSelector({ kind: 'pod', name: 'voting-0', windowMs: 60_000 }), 60_000, 60_000);
  assert.deepEqual([...pod.keys()], ['emojivoto/voting-0']);
});

test('a service, and --to, from the caller\'s outbound metrics; one scrape in the window has no increase', () => {
  const service = storeTraffic(emojivotoStore(), trafficSelector({ kind: 'service', namespace: 'emojivoto', windowMs: 60_000 }), 60_000, 60_000);
  assert.deepEqual([...service.keys()], ['emojivoto/voting']);
  assert.deepEqual([service.get('emojivoto/voting')?.requests, service.get('emojivoto/voting')?.successes, service.get('emojivoto/voting')?.readBytes], [100, 90, 6000]);
  const to = storeTraffic(emojivotoStore(), trafficSelector({ kind: 'workload', namespace: 'emojivoto', to: { kind: 'workload', namespace: 'emojivoto', name: 'voting' }, windowMs: 60_000 }), 60_000, 60_000);
  assert.deepEqual([...to.keys()], ['emojivoto/web']);
  assert.equal(to.get('emojivoto/web')?.requests, 100);
  const short = storeTraffic(emojivotoStore(), trafficSelector({ kind: 'workload', windowMs: 10_000 }), 10_000, 60_000);
  assert.equal(short.get('emojivoto/voting')?.requests, 0);
});
