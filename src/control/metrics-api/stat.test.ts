import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsBackend } from './backend.js';
import type { Inventory } from './inventory.js';
import { stat } from './stat.js';
import { emojivotoStore, storeBackend } from './emojivoto-store.test-helper.js';

const PODS = [
  { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' },
  { namespace: 'emojivoto', workload: 'web', pod: 'web-0' },
  { namespace: 'emojivoto', workload: 'web', pod: 'web-1' },
];
const INVENTORY: Inventory = {
  pods: () => PODS,
  services: () => [{ namespace: 'emojivoto', name: 'voting', workloads: ['voting'] }, { namespace: 'emojivoto', name: 'web', workloads: ['web'] }],
};

/** The embedded store's numbers at t = 60 s, with web-1's proxy down. */
function backend(): MetricsBackend {
  return storeBackend(emojivotoStore(), 60_000, new Map([['emojivoto/voting-0', true], ['emojivoto/web-0', true], ['emojivoto/web-1', false]]));
}

test('rows per workload: success rate, RPS, latency, bytes per second; no traffic is "no data", not zeros', async () => {
  const rows = await stat(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', windowMs: 60_000 });
  const [voting, web] = rows;
  assert.deepEqual(rows.map((r) => r.name), ['voting', 'web']);
  assert.deepEqual([voting?.requests, voting?.successRate, voting?.rps, voting?.readBytesPerSec], [100, 0.9, 100 / 60, 100]);
  assert.equal(voting?.latencyMs?.p50, 3.5);
  assert.deepEqual(voting?.meshed, { up: 1, total: 1 });
  assert.deepEqual([web?.requests, web?.successRate, web?.rps, web?.latencyMs], [0, undefined, undefined, undefined]);
  assert.deepEqual(web?.meshed, { up: 1, total: 2 });
  const [ns] = await stat(backend(), INVENTORY, { kind: 'namespace', windowMs: 60_000 });
  assert.deepEqual([ns?.name, ns?.requests, ns?.successRate, ns?.meshed], ['emojivoto', 100, 0.9, { up: 2, total: 3 }], 'a namespace sums its workloads');
  assert.deepEqual(await stat(backend(), INVENTORY, { kind: 'workload', namespace: 'other', windowMs: 60_000 }), []);
});

test('rows per service: what clients sent it, and MESHED counts the pods behind it', async () => {
  const rows = await stat(backend(), INVENTORY, { kind: 'service', namespace: 'emojivoto', windowMs: 60_000 });
  assert.deepEqual(rows.map((r) => [r.kind, r.name, r.requests, r.successRate, r.meshed]), [
    ['service', 'voting', 100, 0.9, { up: 1, total: 1 }],
    ['service', 'web', 0, undefined, { up: 1, total: 2 }],
  ]);
});

test('--from deploy/web: every workload is a row, with what web sent it', async () => {
  const rows = await stat(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', from: { kind: 'workload', namespace: 'emojivoto', name: 'web' }, windowMs: 60_000 });
  assert.deepEqual(rows.map((r) => [r.name, r.requests]), [['voting', 100], ['web', 0]]);
  const to = await stat(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', name: 'web', to: { kind: 'service', namespace: 'emojivoto', name: 'voting' }, windowMs: 60_000 });
  assert.deepEqual(to.map((r) => [r.name, r.requests, r.successRate]), [['web', 100, 0.9]]);
});
