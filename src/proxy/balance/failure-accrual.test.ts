import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointHealth, HealthTally, resolveFailureAccrual, type FailureAccrualPolicy } from './failure-accrual.js';

const FAST: FailureAccrualPolicy = { minBackoffMs: 50, maxBackoffMs: 300 };

function setup(policy: FailureAccrualPolicy = FAST, jitter = 0) {
  let t = 1000;
  const tally = new HealthTally();
  const health = new EndpointHealth(resolveFailureAccrual(policy), { now: () => t, random: () => jitter, tally });
  return { health, tally, now: () => t, advance: (ms: number) => (t += ms) };
}

function fail(health: EndpointHealth, times: number): void {
  for (let i = 0; i < times; i++) health.record(true);
}

/** Ejects, waits out the backoff, and takes the probe slot. */
function probe(env: ReturnType<typeof setup>, backoffMs: number): void {
  env.advance(backoffMs - 1);
  assert.equal(env.health.available(env.now()), false, 'still ejected 1ms before the backoff ends');
  env.advance(1);
  assert.equal(env.health.state, 'probing');
  env.health.admit(env.now());
}

test('seven failures in a row eject; six do not', () => {
  const env = setup();
  fail(env.health, 6);
  assert.equal(env.health.state, 'live');
  assert.equal(env.health.available(env.now()), true);
  env.health.record(true);
  assert.equal(env.health.state, 'ejected');
  assert.equal(env.health.available(env.now()), false);
  assert.equal(env.health.ejections, 1);
  assert.equal(env.tally.unhealthy, 1);
});

test('a success in between resets the count of failures in a row', () => {
  const env = setup();
  fail(env.health, 6);
  env.health.record(false);
  fail(env.health, 6);
  assert.equal(env.health.state, 'live');
  env.health.record(true);
  assert.equal(env.health.state, 'ejected');
});

test('after the backoff exactly one probe at a time; cancel frees the slot without a verdict', () => {
  const env = setup();
  fail(env.health, 7);
  probe(env, 50);
  assert.equal(env.health.available(env.now()), false, 'the probe slot is taken');
  env.health.admit(env.now()); // a second pick must not steal or refresh the slot
  env.health.cancel();
  assert.equal(env.health.state, 'probing');
  assert.equal(env.health.available(env.now()), true);
  assert.equal(env.tally.unhealthy, 1);
});

test('a probe success readmits fully and resets the backoff', () => {
  const env = setup();
  fail(env.health, 7);
  probe(env, 50);
  env.health.record(true); // second ejection: 100ms
  probe(env, 100);
  env.health.record(false);
  assert.equal(env.health.state, 'live');
  assert.equal(env.health.available(env.now()), true);
  assert.equal(env.tally.unhealthy, 0);
  fail(env.health, 7); // the streak restarted: back to the minimum backoff
  probe(env, 50);
  assert.equal(env.health.ejections, 3);
});

test('a probe failure re-ejects with a doubled backoff, capped at the maximum', () => {
  const env = setup();
  fail(env.health, 7);
  for (const backoff of [50, 100, 200, 300, 300]) {
    probe(env, backoff);
    env.health.record(true);
    assert.equal(env.health.state, 'ejected');
  }
  assert.equal(env.health.ejections, 6);
  assert.equal(env.tally.unhealthy, 1);
});

test('jitter stretches a backoff by up to one more base, never past the maximum', () => {
  const env = setup({ minBackoffMs: 50, maxBackoffMs: 250 }, 0.5);
  fail(env.health, 7);
  probe(env, 75);
  env.health.record(true);
  probe(env, 150);
  env.health.record(true);
  probe(env, 250); // 200 * 1.5 capped
});

test('responses to requests sent before the ejection neither extend nor cut short the backoff', () => {
  const env = setup();
  fail(env.health, 7);
  env.advance(10);
  env.health.record(false);
  fail(env.health, 3);
  assert.equal(env.health.state, 'ejected');
  assert.equal(env.health.ejections, 1);
  probe(env, 40);
});

test('a probe never answered nor cancelled is presumed lost after probeTimeoutMs', () => {
  const env = setup({ ...FAST, probeTimeoutMs: 500 });
  fail(env.health, 7);
  probe(env, 50);
  env.advance(499);
  assert.equal(env.health.available(env.now()), false);
  env.advance(1);
  assert.equal(env.health.available(env.now()), true);
});

test('the success rate over a request window ejects below minRate, only once minRequests are in', () => {
  const env = setup({ ...FAST, consecutiveFailures: 0, successRate: { minRate: 0.8, windowRequests: 10, minRequests: 5 } });
  fail(env.health, 4); // 0% but under minRequests
  assert.equal(env.health.state, 'live');
  for (let i = 0; i < 20; i++) env.health.record(false); // the failures slide out of the window
  // 10 requests: 8 ok, then the 3rd failure brings it to 7/10.
  fail(env.health, 2);
  assert.equal(env.health.state, 'live');
  env.health.record(true);
  assert.equal(env.health.state, 'ejected');
});

test('the success rate over a time window forgets responses older than the window', () => {
  const env = setup({ ...FAST, consecutiveFailures: 0, successRate: { minRate: 0.5, windowMs: 1000, minRequests: 4 } });
  fail(env.health, 3);
  env.advance(1500); // those three have expired
  env.health.record(false);
  env.health.record(false);
  env.health.record(true);
  assert.equal(env.health.state, 'live', '2 of 3 ok, and under minRequests anyway');
  env.health.record(true);
  assert.equal(env.health.state, 'live', '2 of 4 is not below 0.5');
  env.health.record(true);
  assert.equal(env.health.state, 'ejected', '2 of 5');
});

test('a readmitted endpoint starts with an empty window', () => {
  const env = setup({ ...FAST, consecutiveFailures: 0, successRate: { minRate: 0.9, windowRequests: 10 } });
  fail(env.health, 10);
  probe(env, 50);
  env.health.record(false);
  fail(env.health, 1);
  assert.equal(env.health.state, 'live');
});

test('configure restarts the success-rate window only when its shape changes', () => {
  const rule = { minRate: 0.9, windowRequests: 10, minRequests: 5 };
  const same = setup({ ...FAST, consecutiveFailures: 0, successRate: rule });
  fail(same.health, 4);
  same.health.configure(resolveFailureAccrual({ ...FAST, consecutiveFailures: 0, successRate: { ...rule, minRate: 0.5 } }));
  fail(same.health, 1);
  assert.equal(same.health.state, 'ejected');

  const reshaped = setup({ ...FAST, consecutiveFailures: 0, successRate: rule });
  fail(reshaped.health, 4);
  reshaped.health.configure(resolveFailureAccrual({ ...FAST, consecutiveFailures: 0, successRate: { ...rule, windowRequests: 20 } }));
  fail(reshaped.health, 1);
  assert.equal(reshaped.health.state, 'live');
});

test('configure keeps an ejection and applies the new thresholds', () => {
  const env = setup();
  fail(env.health, 7);
  env.health.configure(resolveFailureAccrual({ ...FAST, consecutiveFailures: 3 }));
  assert.equal(env.health.state, 'ejected');
  probe(env, 50);
  env.health.record(false);
  fail(env.health, 3);
  assert.equal(env.health.ejections, 2);
});

test('detach takes an out endpoint off the tally, and later records leave it alone', () => {
  const env = setup();
  fail(env.health, 7);
  env.health.detach();
  assert.equal(env.tally.unhealthy, 0);
  probe(env, 50);
  env.health.record(false);
  fail(env.health, 7);
  assert.equal(env.tally.unhealthy, 0);
});

test('resolveFailureAccrual fills defaults and rejects nonsense with the rule it broke', () => {
  const defaults = resolveFailureAccrual({});
  assert.deepEqual(defaults, { consecutiveFailures: 7, successRate: null, minBackoffMs: 1000, maxBackoffMs: 60_000, probeTimeoutMs: 30_000 });
  assert.equal(resolveFailureAccrual({ successRate: { minRate: 0.8, windowRequests: 100 } }).successRate?.minRequests, 100);
  assert.equal(resolveFailureAccrual({ successRate: { minRate: 0.8, windowMs: 10_000 } }).successRate?.minRequests, 10);
  const bad: [FailureAccrualPolicy, RegExp][] = [
    [{ consecutiveFailures: -1 }, /consecutiveFailures/],
    [{ minBackoffMs: 0 }, /minBackoffMs/],
    [{ minBackoffMs: 500, maxBackoffMs: 100 }, /maxBackoffMs/],
    [{ successRate: { minRate: 1.5, windowRequests: 10 } }, /minRate/],
    [{ successRate: { minRate: 0.8 } }, /exactly one/],
    [{ successRate: { minRate: 0.8, windowRequests: 10, windowMs: 100 } }, /exactly one/],
    [{ successRate: { minRate: 0.8, windowRequests: 10, minRequests: 11 } }, /minRequests/],
  ];
  for (const [policy, rule] of bad) assert.throws(() => resolveFailureAccrual(policy), (err: unknown) => err instanceof RangeError && rule.test(err.message));
});
