import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MetricsBackend } from './backend.js';
import type { Inventory } from './inventory.js';
import { routes, serviceKey, type RoutesQuery } from './routes.js';
import { SeriesStore } from './series-store.js';
import { RouteCalls, served, storeBackend, VOTING, WEB } from './emojivoto-store.test-helper.js';

const INVENTORY: Inventory = { pods: () => [VOTING, WEB], services: () => [] };
const VOTE = 'POST /emojivoto.v1.VotingService/VoteDoughnut';
/** web names voting with the cluster domain; voting's inbound proxy saw `voting.emojivoto.svc:8080`. */
const VOTING_DST = 'voting.emojivoto.svc.cluster.local:8080';
const EMOJI_DST = 'emoji.emojivoto.svc:8080';

/** Only voting's inbound side: 100 calls under its service name and 20 under its address in a minute; web served none. */
function inboundOnly(store = new SeriesStore(3_600_000)): SeriesStore {
  const byAddress = (samples: ReturnType<typeof served>) => samples.map((s) => ({ ...s, labels: { ...s.labels, authority: '127.0.0.1:4143' } }));
  store.append(VOTING, [...served('inbound', 100, 0, 0), ...byAddress(served('inbound', 10, 0, 0))], 0);
  store.append(VOTING, [...served('inbound', 190, 10, 0), ...byAddress(served('inbound', 30, 0, 0))], 60_000);
  store.append(WEB, [], 0);
  return store;
}

/**
 * And web's outbound routes in that minute: 30 votes, 10 of them after a retried 500; 6 other calls
 * to voting on its [DEFAULT] route; 12 list calls to emoji.
 */
function withRoutes(): SeriesStore {
  const store = inboundOnly();
  // Every series a first time, as an increase() needs two samples of it.
  const web = new RouteCalls().call(VOTING_DST, VOTE, [500, 200]).call(VOTING_DST, '[DEFAULT]', [200]).call(EMOJI_DST, 'GET /api/list', [200], 30);
  store.append(WEB, web.scrape(), 0);
  web.calls(20, VOTING_DST, VOTE, [200]).calls(10, VOTING_DST, VOTE, [500, 200]).calls(6, VOTING_DST, '[DEFAULT]', [200]).calls(12, EMOJI_DST, 'GET /api/list', [200], 30);
  store.append(WEB, web.scrape(), 60_000);
  return store;
}

const backend = (store: SeriesStore): MetricsBackend => storeBackend(store, 60_000);
const query = (q: Partial<RoutesQuery> = {}): RoutesQuery => ({ kind: 'workload', namespace: 'emojivoto', name: 'voting', windowMs: 60_000, ...q });

test('without route metrics: one [DEFAULT] route per authority the workload answered, with its own success, RPS and latency', async () => {
  const rows = await routes(backend(inboundOnly()), INVENTORY, query());
  assert.deepEqual(rows?.map((r) => [r.route, r.authority, r.requests, r.successRate, r.actual]), [
    ['[DEFAULT]', '127.0.0.1:4143', 20, 1, undefined],
    ['[DEFAULT]', 'voting.emojivoto.svc:8080', 100, 0.9, undefined],
  ]);
  assert.equal(rows?.[1]?.rps, 100 / 60);
  assert.equal(rows?.[1]?.latencyMs?.p50, 3.5);
});

test("clients' route metrics replace the authority's [DEFAULT] row: effective and actual success, retries, [DEFAULT] last", async () => {
  const rows = await routes(backend(withRoutes()), INVENTORY, query());
  assert.deepEqual(rows?.map((r) => [r.route, r.authority, r.requests, r.successRate, r.actual?.requests, r.actual?.successRate, r.retries]), [
    ['[DEFAULT]', '127.0.0.1:4143', 20, 1, undefined, undefined, undefined],
    [VOTE, VOTING_DST, 30, 1, 40, 0.75, { retried: 10 }],
    ['[DEFAULT]', VOTING_DST, 6, 1, 6, 1, undefined],
  ]);
  const vote = rows?.[1];
  assert.equal(vote?.rps, 0.5);
  assert.equal(vote?.actual?.rps, 40 / 60);
  // 20 answers took 3 ms, 10 took 6 ms (two attempts): the median is in the (2, 3] bucket, p99 in (5, 10].
  assert.ok(vote?.latencyMs?.p50 !== undefined && vote.latencyMs.p50 > 2 && vote.latencyMs.p50 <= 3, `p50 ${vote?.latencyMs?.p50}`);
  assert.ok(vote?.latencyMs?.p99 !== undefined && vote.latencyMs.p99 > 5 && vote.latencyMs.p99 <= 10, `p99 ${vote?.latencyMs?.p99}`);
  assert.ok(!rows?.some((r) => r.authority === EMOJI_DST), 'emoji is a service voting does not back');
});

test('--to svc/S: the routes the workload itself took to S, whatever the cluster domain and port', async () => {
  const store = withRoutes();
  const toVoting = await routes(backend(store), INVENTORY, query({ name: 'web', to: { namespace: 'emojivoto', service: 'voting' } }));
  assert.deepEqual(toVoting?.map((r) => [r.route, r.authority, r.requests, r.actual?.requests]), [
    [VOTE, VOTING_DST, 30, 40],
    ['[DEFAULT]', VOTING_DST, 6, 6],
  ]);
  const toEmoji = await routes(backend(store), INVENTORY, query({ kind: 'pod', name: 'web-0', to: { namespace: 'emojivoto', service: 'emoji' } }));
  assert.deepEqual(toEmoji?.map((r) => [r.route, r.authority, r.requests, r.latencyMs?.p50 !== undefined && r.latencyMs.p50 > 20]), [['GET /api/list', EMOJI_DST, 12, true]]);
  assert.deepEqual(await routes(backend(store), INVENTORY, query({ to: { namespace: 'emojivoto', service: 'emoji' } })), [], 'voting called nothing');
  assert.deepEqual(await routes(backend(store), INVENTORY, query({ name: 'web', to: { namespace: 'other', service: 'voting' } })), []);
});

test('a route with no requests in the window leaves the inbound row in place', async () => {
  const store = inboundOnly();
  const web = new RouteCalls().calls(5, VOTING_DST, VOTE, [200]);
  store.append(WEB, web.scrape(), 0);
  store.append(WEB, web.scrape(), 60_000);
  const rows = await routes(backend(store), INVENTORY, query());
  assert.deepEqual(rows?.map((r) => [r.route, r.authority]), [
    ['[DEFAULT]', '127.0.0.1:4143'],
    ['[DEFAULT]', 'voting.emojivoto.svc:8080'],
  ]);
});

test('a workload with no traffic has no rows; one that does not exist is undefined, not an empty table', async () => {
  assert.deepEqual(await routes(backend(withRoutes()), INVENTORY, query({ name: 'web' })), []);
  assert.equal(await routes(backend(withRoutes()), INVENTORY, query({ name: 'nope' })), undefined);
  assert.equal(await routes(backend(withRoutes()), INVENTORY, query({ kind: 'pod', namespace: 'other', name: 'voting-0' })), undefined);
});

test('one spelling per service: the cluster domain and port 80 are optional, other ports are not', () => {
  assert.equal(serviceKey('web.shop.svc'), 'web.shop.svc');
  assert.equal(serviceKey('web.shop.svc.cluster.local:80'), 'web.shop.svc');
  assert.equal(serviceKey('Web.Shop.svc.cluster.local.'), 'web.shop.svc');
  assert.equal(serviceKey('web.shop.svc.cluster.local:8080'), 'web.shop.svc:8080');
  assert.notEqual(serviceKey('web.shop.svc:8080'), serviceKey('web.shop.svc'));
});
