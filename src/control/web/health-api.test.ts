import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsApi } from '../metrics-api/metrics-api.js';
import { emojivotoStore, storeBackend } from '../metrics-api/emojivoto-store.test-helper.js';
import { HealthApi, type MeshHealth } from './health-api.js';

const DAY = 86_400_000;
const pods = [
  { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' },
  { namespace: 'emojivoto', workload: 'web', pod: 'web-0' },
];

function health(issuerNotAfter: Date | undefined, up: Map<string, boolean>): HealthApi {
  const api = new MetricsApi(storeBackend(emojivotoStore(), 60_000, up), { pods: () => pods, services: () => [] });
  return new HealthApi({ metrics: () => api, startedAt: new Date(0), liveEveryMs: 1000, now: () => 100 * DAY, ...(issuerNotAfter ? { issuerNotAfter } : {}) });
}

test('proxies that missed their scrape are named; an issuer near its end is a problem', async () => {
  const { status, body } = await health(new Date(110 * DAY), new Map([['emojivoto/voting-0', true]])).answer();
  assert.equal(status, 200);
  const h = body as MeshHealth;
  assert.deepEqual(h.proxies, { up: 1, total: 2, down: ['emojivoto/web-0'] });
  assert.deepEqual(h.identity, { issuerExpiresAt: new Date(110 * DAY).toISOString(), problem: 'the issuer certificate expires in 10 days; rotate it' });
  assert.equal(h.controller.metricsBackend, 'test');
});

test('an expired issuer says what it breaks; a mesh without identity has no identity entry', async () => {
  const expired = (await health(new Date(99 * DAY), new Map()).answer()).body as MeshHealth;
  assert.equal(expired.identity?.problem, 'the issuer certificate has expired: proxies cannot renew theirs');
  const none = (await health(undefined, new Map()).answer()).body as MeshHealth;
  assert.equal(none.identity, undefined);
  const healthy = (await health(new Date(400 * DAY), new Map()).answer()).body as MeshHealth;
  assert.equal(healthy.identity?.problem, undefined);
});
