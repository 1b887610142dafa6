import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PeakEwma } from './peak-ewma.js';

function clock(start = 0): { now: () => number; set(ms: number): void } {
  let t = start;
  return { now: () => t, set: (ms) => (t = ms) };
}

test('before any response the cost is the default rtt, growing with pending', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000, now: c.now });
  assert.equal(load.cost(), 30);
  load.start();
  load.start();
  assert.equal(load.pending, 2);
  assert.equal(load.cost(), 90);
});

test('a faster first sample decays in from the default, weighted by the time since creation', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000, now: c.now });
  const t0 = load.start();
  c.set(5);
  load.end(t0);
  const w = Math.exp(-5 / 10_000);
  assert.ok(Math.abs(load.rttMs - (30 * w + 5 * (1 - w))) < 1e-9, `rtt ${load.rttMs}`);
});

test('reading the cost decays an unmeasured estimate towards zero, so idle endpoints get probed', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 1000, now: c.now });
  c.set(1000);
  assert.ok(Math.abs(load.cost() - 30 * Math.exp(-1)) < 1e-9);
  c.set(10_000);
  assert.ok(load.cost() < 0.01);
});

test('a slower sample is taken at once; a faster one decays in with weight exp(-elapsed/decay)', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 1000, now: c.now });
  let t = load.start();
  c.set(10);
  load.end(t); // first sample: 10
  t = load.start();
  c.set(110);
  load.end(t); // peak: 100 > 10
  assert.equal(load.rttMs, 100);

  // One decay period later a 10ms sample: 100*e^-1 + 10*(1-e^-1)
  c.set(1100);
  t = load.start();
  c.set(1110);
  load.end(t);
  const w = Math.exp(-1000 / 1000);
  assert.ok(Math.abs(load.rttMs - (100 * w + 10 * (1 - w))) < 1e-9, `rtt ${load.rttMs}`);
  assert.ok(load.rttMs > 43 && load.rttMs < 44);

  // Back-to-back fast samples barely move it: elapsed ~0 means the old estimate keeps its weight.
  const before = load.rttMs;
  t = load.start();
  c.set(1111);
  load.end(t);
  assert.ok(load.rttMs < before && load.rttMs > before - 0.1, `rtt ${load.rttMs}`);
});

test('a long quiet period lets a fast sample nearly replace the estimate', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 100, now: c.now });
  let t = load.start();
  c.set(500);
  load.end(t); // 500
  c.set(10_000);
  t = load.start();
  c.set(10_002);
  load.end(t);
  assert.ok(load.rttMs < 2.01, `rtt ${load.rttMs}`);
});

test('pending multiplies the estimate: cost = rtt * (pending + 1)', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 10, decayMs: 10_000, now: c.now });
  const t = load.start();
  c.set(20);
  load.end(t);
  load.start();
  load.start();
  load.start();
  assert.equal(load.cost(), 80);
});

test('cancel stops counting a request without recording latency', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 30, decayMs: 10_000, now: c.now });
  load.start();
  c.set(5000);
  load.cancel();
  assert.equal(load.pending, 0);
  assert.equal(load.rttMs, 30);
});

test('extra end or cancel calls never drive pending below zero', () => {
  const c = clock();
  const load = new PeakEwma({ defaultRttMs: 5, decayMs: 10_000, now: c.now });
  const t = load.start();
  c.set(7);
  load.end(t);
  load.end(t);
  load.cancel();
  assert.equal(load.pending, 0);
  assert.equal(load.cost(), 7);
});
