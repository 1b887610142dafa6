// TapHub: who taps, which requests each tap sees, at what rate, and what a tap costs when idle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ProxyRequest, RequestTarget } from '../http/types.js';
import { TokenBucket } from './rate-limit.js';
import type { TapEventRecord } from './tap-event.js';
import { TapHub, type TapSubscription } from './tap-hub.js';

const LOCAL = 'world.shop.serviceaccount.identity.loom.cluster.local';
const WEB = 'web.shop.serviceaccount.identity.loom.cluster.local';

function request(o: Partial<ProxyRequest> = {}): ProxyRequest {
  return { method: 'GET', scheme: 'http', authority: 'world.test', path: '/', headers: [], body: null, httpVersion: '1.1', clientAddr: '10.0.0.1:5000', clientId: '', ...o };
}

const APP: RequestTarget = { addr: '127.0.0.1:8080', identity: '', labels: {} };
const WORLD_0: RequestTarget = { addr: '10.0.0.2:4143', identity: LOCAL, labels: { namespace: 'shop', deployment: 'world', pod: 'world-0' } };

/** The events queued so far, without waiting for more. */
async function drain(sub: TapSubscription): Promise<TapEventRecord[]> {
  const n = sub.size;
  const events: TapEventRecord[] = [];
  const it = sub[Symbol.asyncIterator]();
  for (let i = 0; i < n; i++) events.push((await it.next()).value as TapEventRecord);
  return events;
}

test('tapping costs nothing when no one taps: inactive, open() is null, and inactive again after the last tap closes', () => {
  const hub = new TapHub(LOCAL);
  assert.equal(hub.active, false);
  assert.equal(hub.open(request(), 'inbound', APP), null);
  const a = hub.subscribe({}, 100);
  const b = hub.subscribe({}, 100);
  assert.equal(hub.active, true);
  a.close();
  assert.equal(hub.active, true, 'one tap is still open');
  b.close();
  assert.equal(hub.active, false);
  assert.equal(hub.open(request(), 'inbound', APP), null);
});

test('filters: method (any case), authority, path prefix and direction', () => {
  const cases: Array<[string, Parameters<TapHub['subscribe']>[0], ProxyRequest, 'inbound' | 'outbound', boolean]> = [
    ['method, any case', { method: 'post' }, request({ method: 'POST' }), 'inbound', true],
    ['a lower-case request method', { method: 'POST' }, request({ method: 'post' }), 'inbound', true],
    ['another method', { method: 'POST' }, request({ method: 'GET' }), 'inbound', false],
    ['authority, any case', { authority: 'World.Test' }, request(), 'inbound', true],
    ['another authority', { authority: 'web.test' }, request(), 'inbound', false],
    ['path prefix', { pathPrefix: '/api' }, request({ path: '/api/vote' }), 'inbound', true],
    ['another path', { pathPrefix: '/api' }, request({ path: '/healthz' }), 'inbound', false],
    ['direction', { direction: 'outbound' }, request(), 'outbound', true],
    ['another direction', { direction: 'outbound' }, request(), 'inbound', false],
  ];
  for (const [what, filter, req, direction, matches] of cases) {
    const hub = new TapHub(LOCAL);
    hub.subscribe(filter, 100);
    assert.equal(hub.open(req, direction, direction === 'inbound' ? APP : WORLD_0) !== null, matches, what);
  }
});

test('destination labels match outbound requests to an endpoint with all of them, never inbound ones', () => {
  const hub = new TapHub(LOCAL);
  hub.subscribe({ destinationLabels: { deployment: 'world', namespace: 'shop' } }, 100);
  assert.notEqual(hub.open(request(), 'outbound', WORLD_0), null);
  assert.equal(hub.open(request(), 'outbound', { ...WORLD_0, labels: { namespace: 'shop', deployment: 'billing' } }), null);
  assert.equal(hub.open(request(), 'inbound', { ...APP, labels: WORLD_0.labels }), null, 'inbound even with the same labels');
  const contradictory = new TapHub(LOCAL);
  contradictory.subscribe({ direction: 'inbound', destinationLabels: { deployment: 'world' } }, 100);
  assert.notEqual(contradictory.open(request(), 'outbound', WORLD_0), null, 'labels imply outbound');
});

test('a request two taps match goes to both; one tap\'s filter does not narrow the other', async () => {
  const hub = new TapHub(LOCAL);
  const all = hub.subscribe({}, 100);
  const api = hub.subscribe({ pathPrefix: '/api' }, 100);
  hub.open(request({ path: '/api/1' }), 'inbound', APP)?.responseEnd(200, 5, undefined, undefined);
  hub.open(request({ path: '/other' }), 'inbound', APP)?.responseEnd(200, 5, undefined, undefined);
  const paths = (events: TapEventRecord[]) => events.flatMap((e) => (e.event.case === 'requestInit' ? [e.event.value.path] : []));
  assert.deepEqual(paths(await drain(all)), ['/api/1', '/other']);
  assert.deepEqual(paths(await drain(api)), ['/api/1']);
});

test('TokenBucket admits a burst of perSecond, then refills at perSecond', () => {
  let now = 1000;
  const bucket = new TokenBucket(3, () => now);
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take()), [true, true, true, false]);
  now += 333;
  assert.equal(bucket.take(), false, 'a third of a second is not yet one token');
  now += 1;
  assert.equal(bucket.take(), true);
  assert.equal(bucket.take(), false);
  now += 60_000;
  assert.deepEqual([1, 2, 3, 4].map(() => bucket.take()), [true, true, true, false], 'an idle minute still bursts only one second\'s worth');
});

test('a tap over its rate skips requests without spending another tap\'s budget', () => {
  const hub = new TapHub(LOCAL);
  const slow = hub.subscribe({}, 2);
  const fast = hub.subscribe({}, 100);
  for (let i = 0; i < 5; i++) hub.open(request(), 'inbound', APP);
  assert.equal(slow.size, 2, 'a burst of max_rps requests, then nothing until the bucket refills');
  assert.equal(fast.size, 5);
  const onlyApi = new TapHub(LOCAL);
  const api = onlyApi.subscribe({ pathPrefix: '/api' }, 1);
  for (let i = 0; i < 5; i++) onlyApi.open(request({ path: '/other' }), 'inbound', APP);
  assert.notEqual(onlyApi.open(request({ path: '/api' }), 'inbound', APP), null, 'requests the filter rejects spend no tokens');
  assert.equal(api.size, 1);
});

test('a consumer that does not read loses events beyond 10k and counts them in dropped', async () => {
  const hub = new TapHub(LOCAL);
  const sub = hub.subscribe({}, 100);
  const tapped = hub.open(request(), 'inbound', APP);
  assert.ok(tapped);
  for (let i = 0; i < 10_004; i++) tapped.responseInit(200);
  assert.equal(sub.size, 10_000);
  assert.equal(sub.dropped, 5);
  const first = (await sub[Symbol.asyncIterator]().next()).value as TapEventRecord;
  assert.equal(first.event.case, 'requestInit', 'the oldest events are kept, the newest lost');
});

test('the events of one request share an id; ids increase from request to request', async () => {
  const hub = new TapHub(LOCAL);
  const sub = hub.subscribe({}, 100);
  for (const path of ['/a', '/b']) {
    const tapped = hub.open(request({ path }), 'inbound', APP);
    tapped?.responseInit(200);
    tapped?.responseEnd(200, 5, undefined, undefined);
  }
  const events = await drain(sub);
  assert.deepEqual(events.map((e) => [e.id, e.event.case]), [
    [1, 'requestInit'], [1, 'responseInit'], [1, 'responseEnd'],
    [2, 'requestInit'], [2, 'responseInit'], [2, 'responseEnd'],
  ]);
  assert.ok(events.every((e) => Math.abs(e.timestampMs - Date.now()) < 5000), 'wall-clock timestamps');
});

test('response events carry status, latency, bytes, and grpcStatus only when there is one', async () => {
  const hub = new TapHub(LOCAL);
  const sub = hub.subscribe({}, 100);
  const tapped = hub.open(request(), 'inbound', APP);
  tapped?.responseInit(503);
  tapped?.responseEnd(200, 42, undefined, 'LOOM_ERR_UPSTREAM');
  hub.open(request(), 'inbound', APP)?.responseEnd(200, 0, 14, undefined);
  const [, rsp, end, , grpcEnd] = await drain(sub);
  assert.ok(rsp?.event.case === 'responseInit' && rsp.event.value.httpStatus === 503 && rsp.event.value.sinceRequestInitMs >= 0);
  assert.ok(end?.event.case === 'responseEnd');
  assert.equal(end.event.value.responseBytes, 42);
  assert.equal(end.event.value.error, 'LOOM_ERR_UPSTREAM');
  assert.equal('grpcStatus' in end.event.value, false);
  assert.ok(grpcEnd?.event.case === 'responseEnd');
  assert.equal(grpcEnd.event.value.grpcStatus, 14);
  assert.equal(grpcEnd.event.value.error, '');
});

test('inbound: tls and identities come from the client id and this proxy\'s identity', async () => {
  const hub = new TapHub(LOCAL);
  const sub = hub.subscribe({}, 100);
  hub.open(request({ clientId: WEB }), 'inbound', APP);
  hub.open(request({ clientId: '' }), 'inbound', APP);
  const [mtls, plain] = await drain(sub);
  assert.deepEqual([mtls?.tls, mtls?.source.identity, mtls?.destination.identity], [true, WEB, LOCAL]);
  assert.deepEqual([plain?.tls, plain?.source.identity, plain?.destination.identity], [false, '', '']);
  assert.equal(mtls?.source.address, '10.0.0.1:5000');
  assert.equal(mtls?.destination.address, APP.addr);
});

test('outbound: tls and identities come from the target\'s identity and this proxy\'s identity', async () => {
  const hub = new TapHub(WEB);
  const sub = hub.subscribe({}, 100);
  hub.open(request(), 'outbound', WORLD_0);
  hub.open(request(), 'outbound', { addr: '93.184.216.34:80', identity: '', labels: {} });
  const [mtls, plain] = await drain(sub);
  assert.deepEqual([mtls?.tls, mtls?.source.identity, mtls?.destination.identity], [true, WEB, LOCAL]);
  assert.deepEqual(mtls?.destination.labels, WORLD_0.labels);
  assert.deepEqual([plain?.tls, plain?.source.identity, plain?.destination.identity], [false, '', '']);
});

test('closeAll ends every tap\'s iteration and leaves the hub inactive', async () => {
  const hub = new TapHub(LOCAL);
  const subs = [hub.subscribe({}, 100), hub.subscribe({ method: 'POST' }, 100)];
  const reading = subs.map(async (sub) => {
    const seen: TapEventRecord[] = [];
    for await (const e of sub) seen.push(e);
    return seen.length;
  });
  hub.open(request(), 'inbound', APP);
  hub.closeAll();
  assert.deepEqual(await Promise.all(reading), [1, 0]);
  assert.equal(hub.active, false);
});
