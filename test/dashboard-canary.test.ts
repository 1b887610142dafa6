// The dashboard's resources page against the hello -> world canary (a real `loom up` with world-v2
// and the 70/30 route applied): a person can see the split in force, each backend's live share beside
// its configured one, explain a request's path, and spot a route that steers nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openBrowser, type TestBrowser } from './support/browser.js';
import { FixedRateLoad } from './support/fixed-rate-load.js';
import { startLoomUp, type LoomUp } from './support/loom-up.js';
import { eventually } from './support/upstreams.js';

let mesh: LoomUp;
let browser: TestBrowser;
let load: Promise<void>;
let base = '';

const TYPO_ROUTE = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: wrold-typo, namespace: hello }
spec:
  parentRefs: [{ kind: Service, name: wrold, port: 80 }]
`;

before(async () => {
  mesh = await startLoomUp(['demos/hello-world/mesh.yaml', 'demos/hello-world/world-v2.yaml'], 3);
  for (const file of ['demos/hello-world/canary.yaml', join(mesh.dir, 'typo.yaml')]) {
    if (file.endsWith('typo.yaml')) writeFileSync(file, TYPO_ROUTE);
    const applied = await mesh.loom(['apply', '-f', file]);
    assert.equal(applied.code, 0, applied.stderr);
  }
  base = /^Loom dashboard: (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec((await mesh.loom(['dashboard'])).stdout)?.[1] ?? '';
  assert.ok(base);
  load = new FixedRateLoad(`http://127.0.0.1:${await mesh.appPort('hello')}`).run({ rate: 40, durationMs: 60_000, path: () => '/' });
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await mesh?.stop();
  await load?.catch(() => undefined);
});

const text = (selector: string) => browser.page.locator(selector).innerText({ timeout: 5000 }).catch(() => '');

test('the resources page shows the canary split in force with each backend\'s observed share', async () => {
  await browser.page.goto(`${base}/resources?namespace=hello`);
  await eventually(async () => /world\.hello\.svc:80\s+2 \(2\)\s+1 route/.test(await text('[data-testid=services]')), 15_000, 'world with its route in the services table');
  assert.match(await text('[data-testid=services]'), /world-v2\.hello\.svc:80\s+1 \(1\)\s+direct/);
  const card = browser.page.getByTestId('policy-world.hello.svc:80');
  assert.match(await card.innerText(), /world-canary HTTPRoute\s+\/\*/);
  const share = (backend: string, what: 'configured' | 'observed') => card.locator(`[data-backend=${backend}]`).getAttribute(`data-${what}`);
  assert.deepEqual([await share('world-v1', 'configured'), await share('world-v2', 'configured')], ['70.0', '30.0']);
  // Observed shares come from hello's proxy's metrics, once the controller has scraped a few times.
  await eventually(async () => {
    const v2 = Number((await share('world-v2', 'observed')) || NaN);
    return v2 > 15 && v2 < 45;
  }, 40_000, 'world-v2 to be seen taking about 30% of the calls');
  await browser.screenshot('resources-canary');
});

test('a route naming a service the mesh does not have is flagged, and Explain shows a request\'s path', async () => {
  await browser.page.goto(`${base}/resources?namespace=hello`);
  await eventually(async () => /HTTPRoute hello\/wrold-typo names wrold\.hello\.svc:80, which the mesh does not have/.test(await browser.page.innerText('main')), 10_000, 'the typo route flagged');
  await browser.page.getByTestId('policy-world.hello.svc:80').getByRole('button', { name: 'Explain a request' }).click();
  await eventually(async () => /route: world-canary/.test(await text('[data-testid=diagnosis]')), 5000, 'a diagnosis of world');
  assert.match(await browser.page.locator('.outcomes').innerText(), /70%\s+world-v1\.hello\.svc:80\s+30%\s+world-v2\.hello\.svc:80/);
});

test('choosing a namespace keeps only its services; no console errors on the way', async () => {
  await browser.page.goto(`${base}/resources`);
  await eventually(async () => (await browser.page.getByTestId('namespace').locator('option').count()) >= 2, 10_000, 'namespaces to choose from');
  await browser.page.getByTestId('namespace').selectOption('hello');
  assert.equal(new URL(browser.page.url()).search, '?namespace=hello');
  assert.deepEqual(browser.errors, []);
});
