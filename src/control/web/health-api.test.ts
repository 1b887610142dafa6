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

const HOUR = 3_600_000;

/** `certs`: each pod's proxy certificate expiry, as its latest scrape (at store time 60 s) reported it. */
function health(issuerNotAfter: Date | undefined, up: Map<string, boolean>, certs: Record<string, number> = {}, links: MeshHealth['links'] = {}): HealthApi {
  const store = emojivotoStore();
  for (const [pod, expiresAt] of Object.entries(certs)) {
    store.append({ namespace: 'emojivoto', pod }, [{ name: 'identity_cert_expiration_timestamp_seconds', labels: {}, value: expiresAt / 1000 }], 60_000);
  }
  const api = new MetricsApi(storeBackend(store, 60_000, up), { pods: () => pods, services: () => [] });
  return new HealthApi({ metrics: () => api, startedAt: new Date(0), liveEveryMs: 1000, now: () => 100 * DAY, issuanceLifetimeMs: 24 * HOUR, links, ...(issuerNotAfter ? { issuerNotAfter } : {}) });
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

test('the proxies\' own certificates: the soonest to expire, and any that failed to renew named as a problem', async () => {
  const fine = (await health(new Date(400 * DAY), new Map(), { 'voting-0': 100 * DAY + 20 * HOUR, 'web-0': 100 * DAY + 10 * HOUR }).answer()).body as MeshHealth;
  assert.deepEqual(fine.identity?.proxies, { soonest: { pod: 'emojivoto/web-0', expiresAt: new Date(100 * DAY + 10 * HOUR).toISOString() }, late: [] });
  assert.equal(fine.identity?.problem, undefined);
  // Renewal happens at 70% of the lifetime: an hour left of 24 means it did not happen.
  const late = (await health(new Date(400 * DAY), new Map(), { 'voting-0': 100 * DAY + HOUR, 'web-0': 100 * DAY + 10 * HOUR }).answer()).body as MeshHealth;
  assert.deepEqual(late.identity?.proxies?.late, ['emojivoto/voting-0']);
  assert.equal(late.identity?.problem, '1 proxy has not renewed a certificate that is about to expire (emojivoto/voting-0); check that they reach the control plane');
  const none = (await health(new Date(400 * DAY), new Map()).answer()).body as MeshHealth;
  assert.equal(none.identity?.proxies, undefined, 'no proxy reported a certificate');
});

test('the Prometheus and Grafana the user configured are in the answer for the dashboard to link to', async () => {
  const links = { prometheus: 'http://127.0.0.1:9090', grafana: 'http://127.0.0.1:3000' };
  assert.deepEqual(((await health(undefined, new Map(), {}, links).answer()).body as MeshHealth).links, links);
  assert.deepEqual(((await health(undefined, new Map()).answer()).body as MeshHealth).links, {});
});
