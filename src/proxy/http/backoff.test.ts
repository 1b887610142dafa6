import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExponentialBackoff } from './backoff.js';

const none = (): number => 0;
const half = (): number => 0.5;
const almostOne = (): number => 1 - Number.EPSILON;

test('without jitter the delay doubles from minMs and stops at maxMs', () => {
  const backoff = new ExponentialBackoff({ minMs: 10, maxMs: 100, jitter: 0 });
  const delays = [0, 1, 2, 3, 4, 5].map((attempt) => backoff.delayMs(attempt, half));
  assert.deepEqual(delays, [10, 20, 40, 80, 100, 100]);
});

test('full jitter draws from [0, base): the random number decides, deterministically', () => {
  const backoff = new ExponentialBackoff({ minMs: 10, maxMs: 100, jitter: 1 });
  assert.equal(backoff.delayMs(2, none), 40);
  assert.equal(backoff.delayMs(2, half), 20);
  assert.ok(backoff.delayMs(2, almostOne) > 0);
  assert.equal(backoff.delayMs(2, half), backoff.delayMs(2, half));
});

test('equal jitter keeps at least half of the delay', () => {
  const backoff = new ExponentialBackoff({ minMs: 10, maxMs: 100, jitter: 0.5 });
  assert.equal(backoff.delayMs(1, none), 20);
  assert.equal(backoff.delayMs(1, half), 15);
  assert.ok(backoff.delayMs(1, almostOne) > 10);
});

test('jitter applies after the cap, so no delay exceeds maxMs', () => {
  const backoff = new ExponentialBackoff({ minMs: 10, maxMs: 100, jitter: 1 });
  for (let attempt = 0; attempt < 20; attempt++) {
    for (const r of [0, 0.25, 0.5, 0.999]) assert.ok(backoff.delayMs(attempt, () => r) <= 100);
  }
});

test('huge and negative attempt numbers stay finite', () => {
  const backoff = new ExponentialBackoff({ minMs: 10, maxMs: 100, jitter: 0 });
  assert.equal(backoff.delayMs(5000), 100);
  assert.equal(backoff.delayMs(-3), 10);
  assert.equal(new ExponentialBackoff({ minMs: 0, maxMs: 100, jitter: 0 }).delayMs(5000), 0);
});

test('the default random source stays within the range', () => {
  const backoff = new ExponentialBackoff({ minMs: 8, maxMs: 64, jitter: 1 });
  for (let i = 0; i < 100; i++) {
    const d = backoff.delayMs(3);
    assert.ok(d > 0 && d <= 64, String(d));
  }
});

test('options out of range are refused', () => {
  assert.throws(() => new ExponentialBackoff({ minMs: 100, maxMs: 10 }), RangeError);
  assert.throws(() => new ExponentialBackoff({ minMs: -1 }), RangeError);
  assert.throws(() => new ExponentialBackoff({ jitter: 1.5 }), RangeError);
  assert.throws(() => new ExponentialBackoff({ maxMs: Infinity }), RangeError);
});
