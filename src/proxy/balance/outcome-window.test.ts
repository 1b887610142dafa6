import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestWindow, TimeWindow } from './outcome-window.js';

test('a request window keeps the last N outcomes', () => {
  const w = new RequestWindow(3);
  w.add(true);
  w.add(true);
  assert.deepEqual([w.requests, w.failures], [2, 2]);
  w.add(false);
  w.add(false); // the first failure slides out
  assert.deepEqual([w.requests, w.failures], [3, 1]);
  w.add(false);
  assert.deepEqual([w.requests, w.failures], [3, 0]);
  w.clear();
  assert.deepEqual([w.requests, w.failures], [0, 0]);
});

test('a time window expires its buckets a tenth of the window at a time', () => {
  const w = new TimeWindow(1000);
  w.add(true, 0);
  w.add(false, 450);
  assert.deepEqual([w.requests, w.failures], [2, 1]);
  w.add(false, 999);
  assert.deepEqual([w.requests, w.failures], [3, 1]);
  w.add(false, 1000); // bucket [0, 100) is gone
  assert.deepEqual([w.requests, w.failures], [3, 0]);
  w.add(true, 1460); // bucket [400, 500) is gone too
  assert.deepEqual([w.requests, w.failures], [3, 1]);
  w.add(false, 5000); // everything older than a window
  assert.deepEqual([w.requests, w.failures], [1, 0]);
});
