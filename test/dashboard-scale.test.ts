// The dashboard with a 200-workload mesh: a real controller scrapes 200 generated proxy metric
// endpoints (200 real proxies and apps would need about 12 GB here), and Chromium shows the namespace
// table and the service graph. Both must stay usable: every workload listed, sorting puts the failing
// one first, the graph lays out all 200 workloads and 199 calls. The times are printed for the record;
// the bounds only catch a page that has become unusable, not a benchmark.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { Controller } from '../src/control/controller.js';
import type { StatRow } from '../src/control/metrics-api/stat.js';
import { openBrowser, type TestBrowser } from './support/browser.js';
import { ensureBuilt } from './support/child.js';
import { serveGeneratedMesh, type GeneratedMesh } from './support/generated-mesh.js';
import { eventually } from './support/upstreams.js';

const WORKLOADS = 200;
const USABLE_MS = 5000;

let mesh: GeneratedMesh;
let controller: Controller;
let browser: TestBrowser;
let base = '';

before(async () => {
  await ensureBuilt();
  mesh = await serveGeneratedMesh(WORKLOADS);
  controller = new Controller(undefined, { scrapeIntervalMs: 1000 });
  const { admin } = await controller.start(0, 0, () => ({ start: () => undefined, stop: () => undefined, scrapeTargets: () => mesh.targets }));
  base = `http://127.0.0.1:${admin}`;
  await eventually(async () => {
    const { rows } = (await (await fetch(`${base}/api/stat?namespace=big&window=10s`)).json()) as { rows: StatRow[] };
    return rows.length === WORKLOADS && rows.every((r) => r.requests > 0);
  }, 20_000, 'every generated workload to have traffic');
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await controller?.stop();
  await mesh?.close();
});

test('the namespace table lists all 200 workloads and sorting by success puts the failing one first', async () => {
  const began = performance.now();
  await browser.page.goto(`${base}/namespaces/big`);
  const rows = browser.page.locator('[data-testid=workloads] tbody tr');
  await eventually(async () => (await rows.count()) === WORKLOADS, 15_000, `${WORKLOADS} rows`);
  const shown = performance.now() - began;
  const sortBegan = performance.now();
  await browser.page.locator('[data-testid=workloads] th', { hasText: 'Success' }).getByRole('button').click();
  await eventually(async () => (await rows.first().innerText()).startsWith(mesh.failing), 5000, 'the failing workload first');
  const sorted = performance.now() - sortBegan;
  assert.match(await rows.first().innerText(), /^w-7\s+1\/1\s+[4-6]\d\.\d\d%/);
  assert.match((await rows.first().getAttribute('class')) ?? '', /failing/);
  console.log(`200 workloads: table shown in ${shown.toFixed(0)} ms after navigation, sorted in ${sorted.toFixed(0)} ms`);
  assert.ok(sorted < USABLE_MS, `sorting took ${sorted.toFixed(0)} ms`);
  await browser.screenshot('namespace-200');
});

test('the service graph lays out 200 workloads and their 199 calls, the failing one marked', async () => {
  const began = performance.now();
  await browser.page.goto(`${base}/graph?namespace=big`);
  const graph = browser.page.getByTestId('service-graph');
  await eventually(async () => ((await graph.getAttribute('data-edges')) ?? '').split(' ').filter(Boolean).length === WORKLOADS - 1, 20_000, `${WORKLOADS - 1} edges`);
  await eventually(async () => (await graph.getAttribute('data-layout-ms')) !== null, 10_000, 'the layout to finish');
  const drawn = performance.now() - began;
  assert.equal(((await graph.getAttribute('data-nodes')) ?? '').split(' ').length, WORKLOADS);
  assert.deepEqual(((await graph.getAttribute('data-failing')) ?? '').split(' ').sort(), ['big/w-3>big/w-7', 'big/w-7']);
  const layoutMs = Number(await graph.getAttribute('data-layout-ms'));
  console.log(`200 workloads: graph drawn ${drawn.toFixed(0)} ms after navigation, layout ${layoutMs} ms`);
  assert.ok(layoutMs < USABLE_MS, `the layout took ${layoutMs} ms`);
  // The page still answers: the namespace picker works while the graph is on screen.
  await browser.page.getByRole('link', { name: 'Overview' }).click();
  await eventually(async () => /big\s+200\/200/.test(await browser.page.innerText('main')), 10_000, 'the overview after the graph');
  await browser.page.goto(`${base}/graph?namespace=big`);
  await eventually(async () => (await graph.getAttribute('data-layout-ms')) !== null, 20_000, 'the layout again');
  await browser.screenshot('graph-200');
  assert.deepEqual(browser.errors, []);
});
