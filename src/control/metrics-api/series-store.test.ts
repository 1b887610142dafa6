import { test } from 'node:test';
import assert from 'node:assert/strict';
import { histogramQuantile } from './quantile.js';
import { increase, latest, SeriesStore } from './series-store.js';

const POD = { namespace: 'emojivoto', workload: 'web', pod: 'web-0' };

test("a counter's increase over a window counts a reset (proxy restart) from zero", () => {
  const store = new SeriesStore(3_600_000);
  const values = [10, 20, 35, 5, 15]; // restart between 35 and 5
  values.forEach((value, i) => store.append(POD, [{ name: 'request_total', labels: { direction: 'inbound' }, value }], i * 10_000));
  const [series] = store.select('request_total', (l) => l.pod === 'web-0');
  assert.ok(series);
  assert.deepEqual(series.labels, { direction: 'inbound', ...POD });
  assert.equal(increase(series, 60_000, 40_000), 10 + 15 + 5 + 10);
  assert.equal(increase(series, 15_000, 40_000), 10, 'only the last two points are in a 15 s window');
  assert.equal(increase(series, 5_000, 40_000), undefined, 'one point is no rate');
  assert.equal(latest(series, 15_000, 40_000), 15);
  assert.equal(latest(series, 15_000, 100_000), undefined, 'stale');
});

test('prune drops points past the retention and series left empty', () => {
  const store = new SeriesStore(30_000);
  store.append(POD, [{ name: 'a', labels: {}, value: 1 }], 0);
  store.append({ ...POD, pod: 'web-1' }, [{ name: 'a', labels: {}, value: 1 }], 50_000);
  assert.equal(store.seriesCount, 2);
  store.prune(60_000);
  assert.equal(store.seriesCount, 1);
  assert.deepEqual(store.select('a').map((s) => s.labels.pod), ['web-1']);
});

test('histogram quantiles interpolate inside the bucket, like histogram_quantile', () => {
  const buckets = [
    { le: 1, count: 0 },
    { le: 10, count: 50 },
    { le: 100, count: 90 },
    { le: Infinity, count: 100 },
  ];
  assert.equal(histogramQuantile(0.5, buckets), 10);
  assert.equal(histogramQuantile(0.25, buckets), 1 + 9 * 0.5);
  assert.equal(histogramQuantile(0.7, buckets), 10 + 90 * 0.5);
  assert.equal(histogramQuantile(0.99, buckets), 100, 'in the +Inf bucket: the largest finite bound');
  assert.equal(histogramQuantile(0.5, [{ le: 1, count: 0 }, { le: Infinity, count: 0 }]), undefined, 'no observations');
});
