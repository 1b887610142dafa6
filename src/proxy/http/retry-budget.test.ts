import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RetryBudget } from './retry-budget.js';

function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

function withdrawAll(budget: RetryBudget): number {
  let n = 0;
  while (budget.tryWithdraw()) n += 1;
  return n;
}

test('with no reserve and a 0.2 ratio, 100 requests permit exactly 20 retries', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 0.2, minRetriesPerSecond: 0, now: clock.now });
  for (let i = 0; i < 100; i++) budget.deposit();
  assert.equal(budget.balance, 20);
  assert.equal(withdrawAll(budget), 20);
  assert.equal(budget.retriesAllowed, 20);
  assert.equal(budget.retriesSkipped, 1);
  assert.equal(budget.balance, 0);
});

test('the reserve alone permits minRetriesPerSecond * ttl retries in a window, then refills as they expire', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 0, minRetriesPerSecond: 3, ttlMs: 2000, now: clock.now });
  assert.equal(withdrawAll(budget), 6);
  clock.advance(1999);
  assert.equal(budget.tryWithdraw(), false);
  clock.advance(1);
  assert.equal(withdrawAll(budget), 6);
});

test('the defaults give 10/s over 10s plus 20% of requests', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ now: clock.now });
  for (let i = 0; i < 50; i++) budget.deposit();
  assert.equal(withdrawAll(budget), 100 + 10);
});

test('deposits expire after ttl, slot by slot', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 1, minRetriesPerSecond: 0, ttlMs: 1000, now: clock.now });
  budget.deposit();
  clock.advance(300);
  budget.deposit();
  clock.advance(699);
  assert.equal(budget.balance, 2, 'both deposits are younger than ttl');
  clock.advance(1);
  assert.equal(budget.balance, 1, 'the first deposit expired at ttl');
  clock.advance(300);
  assert.equal(budget.balance, 0);
  clock.advance(60_000);
  assert.equal(budget.tryWithdraw(), false, 'a long idle gap leaves nothing behind');
});

test('a retry spends the window it was made in, and its cost expires with it', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 1, minRetriesPerSecond: 0, ttlMs: 1000, now: clock.now });
  budget.deposit();
  clock.advance(500);
  assert.equal(budget.tryWithdraw(), true);
  budget.deposit();
  assert.equal(budget.balance, 1);
  clock.advance(500);
  // The first deposit expired but the retry made against it has not.
  assert.equal(budget.balance, 0);
  budget.deposit();
  assert.equal(budget.balance, 1);
});

test('a ratio above 1 permits several retries per request', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 2.5, minRetriesPerSecond: 0, now: clock.now });
  for (let i = 0; i < 10; i++) budget.deposit();
  assert.equal(withdrawAll(budget), 25);
});

test('a ratio that is not a power of two still counts exactly', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 0.3, minRetriesPerSecond: 0, now: clock.now });
  for (let i = 0; i < 1000; i++) budget.deposit();
  assert.equal(withdrawAll(budget), 300);
});

test('a clock that steps back keeps counting in the newest slot', () => {
  const clock = fakeClock();
  const budget = new RetryBudget({ retryRatio: 1, minRetriesPerSecond: 0, ttlMs: 1000, now: clock.now });
  clock.advance(5000);
  budget.deposit();
  clock.advance(-3000);
  assert.equal(budget.balance, 1);
  assert.equal(budget.tryWithdraw(), true);
});

test('options out of range are refused', () => {
  assert.throws(() => new RetryBudget({ ttlMs: 500 }), RangeError);
  assert.throws(() => new RetryBudget({ ttlMs: 61_000 }), RangeError);
  assert.throws(() => new RetryBudget({ retryRatio: -0.1 }), RangeError);
  assert.throws(() => new RetryBudget({ retryRatio: 1001 }), RangeError);
  assert.throws(() => new RetryBudget({ retryRatio: 0.0001 }), RangeError);
  assert.throws(() => new RetryBudget({ minRetriesPerSecond: -1 }), RangeError);
});
