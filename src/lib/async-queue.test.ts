import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsyncQueue } from './async-queue.js';

test('take waits for the first item, lingers for more, and returns them together', async () => {
  const q = new AsyncQueue<number>();
  const taken = q.take(50);
  setTimeout(() => q.push(1), 10);
  setTimeout(() => q.push(2), 30);
  setTimeout(() => q.push(3), 200);
  assert.deepEqual(await taken, [1, 2]);
  assert.deepEqual(await q.take(0), [3]);
});

test('closing ends a linger early and an empty closed queue takes nothing', async () => {
  const q = new AsyncQueue<string>();
  q.push('a');
  const started = Date.now();
  const taken = q.take(5000);
  setTimeout(() => q.close(), 20);
  assert.deepEqual(await taken, ['a']);
  assert.ok(Date.now() - started < 1000, 'the close cut the linger short');
  assert.deepEqual(await q.take(10), []);
});

test('a full queue refuses items instead of growing', () => {
  const q = new AsyncQueue<number>(2);
  assert.deepEqual([q.push(1), q.push(2), q.push(3)], [true, true, false]);
  assert.equal(q.size, 2);
});
