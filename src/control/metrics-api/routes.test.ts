import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsBackend } from './backend.js';
import type { Inventory } from './inventory.js';
import { routes } from './routes.js';
import { SeriesStore } from './series-store.js';
import { served, storeBackend, VOTING, WEB } from './emojivoto-store.test-helper.js';

const INVENTORY: Inventory = { pods: () => [VOTING, WEB], services: () => [] };

/** voting answered 100 calls under its service name and 20 under its address in a minute; web served none. */
function backend(): MetricsBackend {
  const store = new SeriesStore(3_600_000);
  const byAddress = (samples: ReturnType<typeof served>) => samples.map((s) => ({ ...s, labels: { ...s.labels, authority: '127.0.0.1:4143' } }));
  store.append(VOTING, [...served('inbound', 100, 0, 0), ...byAddress(served('inbound', 10, 0, 0))], 0);
  store.append(VOTING, [...served('inbound', 190, 10, 0), ...byAddress(served('inbound', 30, 0, 0))], 60_000);
  store.append(WEB, [], 0);
  return storeBackend(store, 60_000);
}

test('one [DEFAULT] route per authority the workload answered, with its own success, RPS and latency', async () => {
  const rows = await routes(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', name: 'voting', windowMs: 60_000 });
  assert.deepEqual(rows?.map((r) => [r.route, r.authority, r.requests, r.successRate]), [
    ['[DEFAULT]', '127.0.0.1:4143', 20, 1],
    ['[DEFAULT]', 'voting.emojivoto.svc:8080', 100, 0.9],
  ]);
  assert.equal(rows?.[1]?.rps, 100 / 60);
  assert.equal(rows?.[1]?.latencyMs?.p50, 3.5);
});

test('a workload with no traffic has no rows; one that does not exist is undefined, not an empty table', async () => {
  assert.deepEqual(await routes(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', name: 'web', windowMs: 60_000 }), []);
  assert.equal(await routes(backend(), INVENTORY, { kind: 'workload', namespace: 'emojivoto', name: 'nope', windowMs: 60_000 }), undefined);
  assert.equal(await routes(backend(), INVENTORY, { kind: 'pod', namespace: 'other', name: 'voting-0', windowMs: 60_000 }), undefined);
});
