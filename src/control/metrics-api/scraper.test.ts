import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsScraper } from './scraper.js';
import { increase, SeriesStore } from './series-store.js';

/** A fake proxy admin port whose request_total grows by `step` on every scrape. */
async function proxyAdmin(step: number, status = 200): Promise<{ url: string; close(): Promise<void> }> {
  let total = 0;
  const server = http.createServer((_req, res) => {
    total += step;
    res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(`# TYPE request_total counter\nrequest_total{direction="inbound"} ${total}\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

test('scrapes every target into the store with its replica labels; a broken target is down, the rest unaffected', async () => {
  const web = await proxyAdmin(10);
  const broken = await proxyAdmin(1, 503);
  let clock = 0;
  const store = new SeriesStore(60_000);
  const targets = [
    { url: web.url, labels: { namespace: 'emojivoto', workload: 'web', pod: 'web-0' } },
    { url: broken.url, labels: { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' } },
    { url: 'http://127.0.0.1:1/metrics', labels: { namespace: 'emojivoto', workload: 'emoji', pod: 'emoji-0' } },
  ];
  const scraper = new MetricsScraper(store, () => targets, { intervalMs: 1000, timeoutMs: 1000, now: () => clock });
  try {
    for (clock = 0; clock <= 20_000; clock += 10_000) await scraper.scrapeOnce();
    const [series] = store.select('request_total', (l) => l.workload === 'web');
    assert.ok(series);
    assert.deepEqual(series.labels, { direction: 'inbound', namespace: 'emojivoto', workload: 'web', pod: 'web-0' });
    assert.equal(increase(series, 30_000, 20_000), 20);
    assert.equal(store.select('request_total').length, 1, 'nothing stored from the targets that failed');
    const health = Object.fromEntries(scraper.targetHealth().map((h) => [h.labels.pod, h]));
    assert.equal(health['web-0']?.up, true);
    assert.equal(health['voting-0']?.up, false);
    assert.match(health['voting-0']?.lastError ?? '', /answered 503/);
    assert.equal(health['emoji-0']?.up, false);
  } finally {
    await Promise.all([web.close(), broken.close()]);
  }
});
