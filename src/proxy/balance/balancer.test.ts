import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint } from '../discovery/types.js';
import { Balancer, type BalancedEndpoint, type BalancerOptions } from './balancer.js';
import { NoEndpointsError } from './errors.js';

function ep(addr: string, extra: Partial<Endpoint> = {}): Endpoint {
  const [host = '', port = '0'] = addr.split(':');
  return { addr, host, port: Number(port), meshed: false, weight: 1, labels: {}, ...extra };
}

interface Service {
  id: number;
  addr: string;
  dropped: boolean;
}

function setup(overrides: Partial<BalancerOptions<Service>> = {}) {
  let t = 0;
  let made = 0;
  const dropped: Service[] = [];
  const balancer = new Balancer<Service>({
    name: 'web.default.svc:80',
    makeService: (e) => ({ id: ++made, addr: e.addr, dropped: false }),
    dropService: (s) => {
      s.dropped = true;
      dropped.push(s);
    },
    defaultRttMs: 30,
    decayMs: 10_000,
    now: () => t,
    ...overrides,
  });
  return { balancer, dropped, made: () => made, setNow: (ms: number) => (t = ms), now: () => t };
}

/** A random source that replays `values` in a loop. */
function replay(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

function sample(entry: BalancedEndpoint<Service> | undefined, rttMs: number, env: ReturnType<typeof setup>): void {
  assert.ok(entry);
  const t0 = env.now();
  const start = entry.load.start();
  env.setNow(t0 + rttMs);
  entry.load.end(start);
}

function activeTimers(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}

test('pick: none gives undefined, one gives that one', () => {
  const { balancer } = setup();
  assert.equal(balancer.pick(), undefined);
  balancer.add([ep('10.0.0.1:80')]);
  assert.equal(balancer.size, 1);
  assert.equal(balancer.pick()?.endpoint.addr, '10.0.0.1:80');
});

test('p2c picks the cheaper of the two sampled endpoints', () => {
  // random 0.0 -> index 0; second draw 0.0 over the remaining -> index 1
  const env = setup({ random: replay(0, 0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [a, b] = env.balancer.endpoints();
  sample(a, 100, env);
  sample(b, 5, env);
  for (let i = 0; i < 10; i++) assert.equal(env.balancer.pick()?.endpoint.addr, '10.0.0.2:80');
});

test('a slow endpoint is avoided once its samples are in, whatever the random draws', () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  const [slow, ...fast] = env.balancer.endpoints();
  sample(slow, 500, env);
  for (const f of fast) sample(f, 5, env);
  const counts = new Map<string, number>();
  for (let i = 0; i < 3000; i++) {
    const addr = env.balancer.pick()?.endpoint.addr ?? 'none';
    counts.set(addr, (counts.get(addr) ?? 0) + 1);
  }
  assert.equal(counts.get(slow?.endpoint.addr ?? ''), undefined);
  // Each fast endpoint wins every pair with the slow one: at least a third of the picks each.
  for (const f of fast) assert.ok((counts.get(f?.endpoint.addr ?? '') ?? 0) > 800, JSON.stringify([...counts]));
});

test('pending requests raise cost: a busy endpoint loses to an idle one with the same rtt', () => {
  const env = setup({ random: replay(0, 0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [a] = env.balancer.endpoints();
  a?.load.start();
  assert.equal(env.balancer.pick()?.endpoint.addr, '10.0.0.2:80');
});

// Open-loop simulation on a fake clock: 2 requests per ms, each taking its endpoint's latency.
// Once the default estimate has decayed away, equilibrium is where 10 * (pending_fast + 1) =
// 30 * (pending_slow + 1): about 91% / 9%; the first seconds, still weighted by the default, share more.
test('p2c under load sends most traffic to the fast endpoint and still some to the slow one', () => {
  const env = setup();
  const latency: Record<string, number> = { '10.0.0.1:80': 10, '10.0.0.2:80': 30 };
  env.balancer.add(Object.keys(latency).map((a) => ep(a)));
  const due = new Map<number, { entry: BalancedEndpoint<Service>; start: number }[]>();
  const counts = new Map<string, number>();
  for (let t = 0; t < 20_000; t++) {
    env.setNow(t);
    for (const { entry, start } of due.get(t) ?? []) entry.load.end(start);
    due.delete(t);
    for (let k = 0; k < 2; k++) {
      const entry = env.balancer.pick();
      assert.ok(entry);
      const addr = entry.endpoint.addr;
      counts.set(addr, (counts.get(addr) ?? 0) + 1);
      const at = t + (latency[addr] ?? 0);
      due.set(at, [...(due.get(at) ?? []), { entry, start: entry.load.start() }]);
    }
  }
  const total = 40_000;
  const fast = (counts.get('10.0.0.1:80') ?? 0) / total;
  const slow = (counts.get('10.0.0.2:80') ?? 0) / total;
  const shares = JSON.stringify({ fast, slow });
  assert.ok(fast > 0.75, shares);
  assert.ok(slow > 0.04, shares);
});

test('weight divides cost; weight <= 0 loses every pair but is picked when alone', () => {
  const env = setup({ random: replay(0, 0) });
  env.balancer.add([ep('10.0.0.1:80', { weight: 1 }), ep('10.0.0.2:80', { weight: 3 })]);
  const [light] = env.balancer.endpoints();
  light?.load.start(); // cost 60 / 1 vs 30 / 3
  assert.equal(env.balancer.pick()?.endpoint.addr, '10.0.0.2:80');

  const zero = setup({ random: replay(0, 0) });
  zero.balancer.add([ep('10.0.0.1:80', { weight: 0 }), ep('10.0.0.2:80')]);
  const [, busy] = zero.balancer.endpoints();
  for (let i = 0; i < 100; i++) busy?.load.start();
  assert.equal(zero.balancer.pick()?.endpoint.addr, '10.0.0.2:80');
  zero.balancer.remove(['10.0.0.2:80']);
  assert.equal(zero.balancer.pick()?.endpoint.addr, '10.0.0.1:80');
});

test('swap-removal keeps every remaining endpoint reachable and drops the removed service', () => {
  const env = setup();
  const addrs = ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80', '10.0.0.5:80'];
  env.balancer.add(addrs.map((a) => ep(a)));
  env.balancer.remove(['10.0.0.2:80', '10.0.0.9:80']);
  assert.deepEqual(env.dropped.map((s) => s.addr), ['10.0.0.2:80']);
  assert.deepEqual(env.balancer.endpoints().map((e) => e.endpoint.addr).sort(), addrs.filter((a) => a !== '10.0.0.2:80'));
  const seen = new Set<string>();
  for (let i = 0; i < 2000; i++) seen.add(env.balancer.pick()?.endpoint.addr ?? 'none');
  assert.deepEqual([...seen].sort(), addrs.filter((a) => a !== '10.0.0.2:80'));

  env.balancer.remove(['10.0.0.5:80']); // the last slot
  env.balancer.add([ep('10.0.0.2:80')]);
  assert.deepEqual(env.balancer.endpoints().map((e) => e.endpoint.addr).sort(), ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80', '10.0.0.4:80']);
});

test('removing an endpoint with a request in flight is safe', () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80')]);
  const entry = env.balancer.pick();
  assert.ok(entry);
  const start = entry.load.start();
  env.balancer.remove(['10.0.0.1:80']);
  assert.equal(entry.service.dropped, true);
  env.setNow(40);
  assert.doesNotThrow(() => entry.load.end(start));
  assert.equal(env.balancer.size, 0);
  assert.equal(env.balancer.pick(), undefined);
});

test('a label or weight change keeps the service; a meshed change replaces it', () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80', { labels: { pod: 'a' } })]);
  const before = env.balancer.pick();
  env.balancer.add([ep('10.0.0.1:80', { labels: { pod: 'b' }, weight: 2 })]);
  const relabeled = env.balancer.pick();
  assert.equal(relabeled?.service, before?.service);
  assert.equal(relabeled?.load, before?.load);
  assert.deepEqual(relabeled?.endpoint.labels, { pod: 'b' });
  assert.equal(relabeled?.endpoint.weight, 2);
  assert.equal(env.made(), 1);

  env.balancer.add([ep('10.0.0.1:80', { meshed: true })]);
  const meshed = env.balancer.pick();
  assert.equal(env.made(), 2);
  assert.notEqual(meshed?.service, before?.service);
  assert.equal(before?.service.dropped, true);
  assert.equal(env.balancer.size, 1);
});

test('noEndpoints drops every service', () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  env.balancer.noEndpoints(true);
  assert.equal(env.balancer.size, 0);
  assert.equal(env.dropped.length, 2);
});

test('ready resolves at once when there are endpoints', async () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80')]);
  const entry = await env.balancer.ready(10);
  assert.equal(entry.endpoint.addr, '10.0.0.1:80');
});

test('ready waits for an add, resolves with it and leaves no timer behind', async () => {
  const env = setup();
  env.balancer.noEndpoints(true);
  const timersBefore = activeTimers();
  const waiting = [env.balancer.ready(60_000), env.balancer.ready(60_000)];
  assert.equal(activeTimers(), timersBefore + 2);
  env.balancer.add([ep('10.0.0.7:80')]);
  const entries = await Promise.all(waiting);
  assert.deepEqual(entries.map((e) => e.endpoint.addr), ['10.0.0.7:80', '10.0.0.7:80']);
  assert.equal(activeTimers(), timersBefore);
});

test('ready rejects after the timeout with NoEndpointsError saying whether the name exists', async () => {
  const env = setup();
  env.balancer.noEndpoints(true);
  await assert.rejects(env.balancer.ready(5), (err: unknown) => {
    assert.ok(err instanceof NoEndpointsError);
    assert.equal(err.code, 'LOOM_ERR_NO_ENDPOINTS');
    assert.equal(err.exists, true);
    assert.match(err.message, /web\.default\.svc:80/);
    return true;
  });
  env.balancer.noEndpoints(false);
  await assert.rejects(env.balancer.ready(5), (err: unknown) => err instanceof NoEndpointsError && !err.exists);
});

test('close drops services, rejects waiters, clears their timers and ignores later adds', async () => {
  const env = setup();
  env.balancer.add([ep('10.0.0.1:80')]);
  env.balancer.remove(['10.0.0.1:80']);
  const timersBefore = activeTimers();
  const waiting = env.balancer.ready(60_000);
  env.balancer.add([]); // an empty add must not release the waiter
  env.balancer.close();
  await assert.rejects(waiting, NoEndpointsError);
  assert.equal(activeTimers(), timersBefore);
  env.balancer.add([ep('10.0.0.2:80')]);
  assert.equal(env.balancer.size, 0);
  await assert.rejects(env.balancer.ready(60_000), NoEndpointsError);
});

// Failure accrual: backoffs of 50ms (random 0 from `replay` or jitter aside) keep the clock small.
const ACCRUAL = { minBackoffMs: 50, maxBackoffMs: 200 };

function eject(entry: BalancedEndpoint<Service> | undefined): void {
  assert.ok(entry?.health);
  for (let i = 0; i < 7; i++) entry.health.record(true);
  assert.equal(entry.health.state, 'ejected');
}

function pickCounts(balancer: Balancer<Service>, picks: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const addr = balancer.pick()?.endpoint.addr ?? 'none';
    counts.set(addr, (counts.get(addr) ?? 0) + 1);
  }
  return counts;
}

test('without a failure accrual policy there is no health and a pick draws exactly twice', () => {
  let draws = 0;
  const env = setup({ random: () => (draws++, 0.5) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  assert.ok(env.balancer.endpoints().every((e) => e.health === null));
  env.balancer.pick();
  assert.equal(draws, 2);
});

test('an ejected endpoint gets no picks while others are available', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  const [bad] = env.balancer.endpoints();
  eject(bad);
  assert.equal(env.balancer.ejected, 1);
  const counts = pickCounts(env.balancer, 2000);
  assert.equal(counts.get('10.0.0.1:80'), undefined, JSON.stringify([...counts]));
  assert.ok((counts.get('10.0.0.2:80') ?? 0) > 500 && (counts.get('10.0.0.3:80') ?? 0) > 500, JSON.stringify([...counts]));
});

test('random draws that keep landing on the ejected endpoint fall back to a scan for both choices', () => {
  const env = setup({ failureAccrual: ACCRUAL, random: replay(0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  const [bad, busy] = env.balancer.endpoints();
  eject(bad);
  busy?.load.start(); // the scan's first choice is 10.0.0.2, its second 10.0.0.3, which must win
  assert.equal(env.balancer.pick()?.endpoint.addr, '10.0.0.3:80');
});

test('the two choices stay distinct while some endpoint is ejected', () => {
  const env = setup({ failureAccrual: ACCRUAL, random: replay(0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80'), ep('10.0.0.3:80')]);
  const [busy, , bad] = env.balancer.endpoints();
  eject(bad);
  busy?.load.start(); // every draw is 0: the first choice is 10.0.0.1, so the second must be 10.0.0.2
  assert.equal(env.balancer.pick()?.endpoint.addr, '10.0.0.2:80');
});

test('after the backoff an ejected endpoint gets exactly one probe at a time, and a probe success readmits it', () => {
  const env = setup({ failureAccrual: ACCRUAL, random: replay(0, 0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [bad, busy] = env.balancer.endpoints();
  for (let i = 0; i < 50; i++) busy?.load.start(); // so the probed endpoint wins whenever it is available
  eject(bad);
  assert.deepEqual([...pickCounts(env.balancer, 10)], [['10.0.0.2:80', 10]]);
  env.setNow(50);
  assert.deepEqual([...pickCounts(env.balancer, 10)], [['10.0.0.1:80', 1], ['10.0.0.2:80', 9]]);
  bad?.health?.cancel(); // the probe was abandoned: the next pick probes again
  assert.equal(env.balancer.pick(), bad);
  assert.equal(env.balancer.pick(), busy);
  bad?.health?.record(false);
  assert.equal(bad?.health?.state, 'live');
  assert.equal(env.balancer.ejected, 0);
  assert.deepEqual([...pickCounts(env.balancer, 10)], [['10.0.0.1:80', 10]]);
});

test('a probe failure re-ejects for a longer backoff', () => {
  const env = setup({ failureAccrual: ACCRUAL, random: replay(0, 0) });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [bad, busy] = env.balancer.endpoints();
  for (let i = 0; i < 50; i++) busy?.load.start();
  eject(bad);
  env.setNow(50);
  assert.equal(env.balancer.pick(), bad);
  bad?.health?.record(true);
  env.setNow(149);
  assert.equal(pickCounts(env.balancer, 10).get('10.0.0.1:80'), undefined);
  env.setNow(150);
  assert.equal(env.balancer.pick(), bad);
  assert.equal(bad?.health?.ejections, 2);
});

test('when every endpoint is ejected, pick panics and still returns one', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  for (const entry of env.balancer.endpoints()) eject(entry);
  const counts = pickCounts(env.balancer, 200);
  assert.equal(counts.get('none'), undefined);
  assert.ok((counts.get('10.0.0.1:80') ?? 0) > 0 && (counts.get('10.0.0.2:80') ?? 0) > 0, JSON.stringify([...counts]));

  const one = setup({ failureAccrual: ACCRUAL });
  one.balancer.add([ep('10.0.0.9:80')]);
  eject(one.balancer.pick());
  assert.equal(one.balancer.pick()?.endpoint.addr, '10.0.0.9:80');
});

test('setFailureAccrual(undefined) readmits everyone; a new policy starts every endpoint live', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [bad] = env.balancer.endpoints();
  eject(bad);
  env.balancer.setFailureAccrual(undefined);
  assert.equal(env.balancer.ejected, 0);
  assert.ok(env.balancer.endpoints().every((e) => e.health === null));
  assert.ok((pickCounts(env.balancer, 200).get('10.0.0.1:80') ?? 0) > 0);
  bad?.health?.record(false); // a request picked before the change finishes: harmless

  env.balancer.setFailureAccrual({ ...ACCRUAL, consecutiveFailures: 2 });
  const [again] = env.balancer.endpoints();
  assert.equal(again?.health?.state, 'live');
  again?.health?.record(true);
  again?.health?.record(true);
  assert.equal(env.balancer.ejected, 1);
  assert.equal(again?.load, bad?.load, 'the load history survives a policy change');
});

test('a changed policy keeps the current ejections and health objects', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [bad] = env.balancer.endpoints();
  eject(bad);
  env.balancer.setFailureAccrual({ ...ACCRUAL, consecutiveFailures: 3 });
  assert.equal(env.balancer.endpoints()[0]?.health, bad?.health);
  assert.equal(env.balancer.ejected, 1);
  assert.equal(pickCounts(env.balancer, 50).get('10.0.0.1:80'), undefined);
  assert.throws(() => env.balancer.setFailureAccrual({ minBackoffMs: -1 }), RangeError);
  assert.equal(env.balancer.ejected, 1, 'a rejected policy changes nothing');
});

test('discovery removing an ejected endpoint clears its ejection; re-adding it starts live', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  const [bad] = env.balancer.endpoints();
  eject(bad);
  env.balancer.remove(['10.0.0.1:80']);
  assert.equal(env.balancer.ejected, 0);
  bad?.health?.record(true); // late responses from requests in flight at removal
  env.setNow(50);
  bad?.health?.record(false);
  assert.equal(env.balancer.ejected, 0);

  env.balancer.endpoints()[0]?.load.start(); // else the older, decayed estimate wins every pair
  env.balancer.add([ep('10.0.0.1:80')]);
  const readded = env.balancer.endpoints().find((e) => e.endpoint.addr === '10.0.0.1:80');
  assert.notEqual(readded?.health, bad?.health);
  assert.equal(readded?.health?.state, 'live');
  assert.ok((pickCounts(env.balancer, 200).get('10.0.0.1:80') ?? 0) > 0);
});

test('a label change keeps an ejection; a meshed change replaces the endpoint and its ejection', () => {
  const env = setup({ failureAccrual: ACCRUAL });
  env.balancer.add([ep('10.0.0.1:80'), ep('10.0.0.2:80')]);
  eject(env.balancer.endpoints()[0]);
  env.balancer.add([ep('10.0.0.1:80', { labels: { pod: 'b' } })]);
  assert.equal(env.balancer.endpoints()[0]?.health?.state, 'ejected');
  assert.equal(env.balancer.ejected, 1);
  env.balancer.add([ep('10.0.0.1:80', { meshed: true })]);
  assert.equal(env.balancer.endpoints()[0]?.health?.state, 'live');
  assert.equal(env.balancer.ejected, 0);
});
