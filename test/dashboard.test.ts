// The web dashboard in a real browser (Debian's Chromium) against the running emoji-voting demo:
// what a newcomer looks at first, and what they must be able to find — the failing doughnut vote.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { openBrowser, type TestBrowser } from './support/browser.js';
import { startLoomUp, type LoomUp } from './support/loom-up.js';
import { eventually } from './support/upstreams.js';

let mesh: LoomUp;
let browser: TestBrowser;
let base = '';

before(async () => {
  mesh = await startLoomUp(['demos/emojivoto/mesh.yaml'], 4);
  const printed = await mesh.loom(['dashboard']);
  assert.equal(printed.code, 0, printed.stderr);
  base = /^Loom dashboard: (http:\/\/127\.0\.0\.1:\d+)\/$/m.exec(printed.stdout)?.[1] ?? '';
  assert.ok(base, printed.stdout);
  browser = await openBrowser();
});

after(async () => {
  await browser?.close();
  await mesh?.stop();
});

const text = (selector: string) => browser.page.locator(selector).innerText({ timeout: 5000 }).catch(() => '');

test('the overview lists the demo namespace, its golden signals and the mesh health', async () => {
  await browser.page.goto(`${base}/`);
  await eventually(async () => /emojivoto\s+4\/4\s+\d+\.\d+%/.test(await text('[data-testid=namespaces]')), 40_000, 'emojivoto with a success rate');
  await eventually(async () => /Proxies ready\s+4\/4/i.test(await text('[data-testid=health]')), 15_000, 'every proxy ready');
  // The proxies' own certificates, from their identity_cert_expiration_timestamp_seconds.
  await eventually(async () => /the first expires at .+ \(emojivoto\/[a-z-]+-0\)/.test(await text('[data-testid=certificates]')), 15_000, 'the proxies\' certificate expiry');
  await browser.screenshot('overview');
});

test('the voting workload shows a success rate below 100%, its caller with its identity, and its pod', async () => {
  await browser.page.goto(`${base}/namespaces/emojivoto`);
  await browser.page.getByRole('link', { name: 'voting', exact: true }).click();
  assert.equal(new URL(browser.page.url()).pathname, '/namespaces/emojivoto/workloads/voting');
  await eventually(async () => {
    const rate = Number((await text('[data-testid=success-rate]')).replace('%', ''));
    return rate > 0 && rate < 100;
  }, 30_000, 'a success rate under 100%');
  // Each table has its own live stream: they arrive in any order.
  await eventually(async () => /web\s+✓ secured\s+web\.emojivoto\.serviceaccount\.identity\.loom\.cluster\.local/.test(await browser.page.innerText('main')), 15_000, 'the caller with its identity');
  await eventually(async () => /voting-0\s+1\/1/.test(await text('[data-testid=pods]')), 15_000, 'the pod');
  await browser.page.waitForTimeout(6000); // a second point on the charts
  await browser.screenshot('workload');
});

test('the service graph has the demo workloads and their calls', async () => {
  await browser.page.goto(`${base}/graph?namespace=emojivoto`);
  const graph = browser.page.getByTestId('service-graph');
  await eventually(async () => ((await graph.getAttribute('data-edges')) ?? '').split(' ').length >= 3, 20_000, 'three edges');
  assert.deepEqual(((await graph.getAttribute('data-nodes')) ?? '').split(' ').sort(), ['emojivoto/emoji', 'emojivoto/vote-bot', 'emojivoto/voting', 'emojivoto/web']);
  assert.deepEqual(((await graph.getAttribute('data-edges')) ?? '').split(' ').sort(), ['emojivoto/vote-bot>emojivoto/web', 'emojivoto/web>emojivoto/emoji', 'emojivoto/web>emojivoto/voting']);
  await browser.screenshot('graph');
});

test('live traffic: tap shows requests within seconds and top finds the failing doughnut vote', async () => {
  await browser.page.goto(`${base}/traffic`);
  await browser.page.getByTestId('live-target').selectOption('emojivoto/web');
  await eventually(async () => (await browser.page.locator('[data-testid=tap] li').count()) > 0, 10_000, 'a tapped request');
  assert.match(await text('[data-testid=tap]'), /(GET \/api\/vote|POST \/emojivoto\.v1\.)/);
  await eventually(async () => /\/emojivoto\.v1\.VotingService\/VoteDoughnut\s+\d+\s+\S+ ms\s+\S+ ms\s+0\.00%/.test(await text('[data-testid=top]')), 30_000, 'VoteDoughnut failing in top');
  await browser.screenshot('live');
});

test('charts open with the recent past from the metrics API\'s history, before any live answer', async () => {
  // Only the history can draw: the page's live streams are refused (and the errors that logs are the test's own).
  const errorsBefore = browser.errors.length;
  await browser.page.route('**/api/stat?**', (route) => (/event-stream/.test(route.request().headers().accept ?? '') ? route.abort() : route.fallback()));
  try {
    await browser.page.goto(`${base}/namespaces/emojivoto/workloads/voting`);
    const rps = browser.page.locator('figure.chart', { hasText: 'Requests per second' });
    await eventually(async () => Number(await rps.getAttribute('data-points')) >= 1, 10_000, 'past points on the RPS chart');
  } finally {
    await browser.page.unroute('**/api/stat?**');
    const during = browser.errors.splice(errorsBefore);
    browser.errors.push(...during.filter((e) => !e.endsWith('Failed to load resource: net::ERR_FAILED')));
  }
});

test('the delegation explorer explains where a service name goes', async () => {
  await browser.page.goto(`${base}/resources`);
  await browser.page.locator('[data-testid=explorer] input[name=name]').fill('http://voting.emojivoto.svc:8080/');
  await browser.page.getByTestId('explorer').getByRole('button', { name: 'Explain' }).click();
  await eventually(async () => /route: \[DEFAULT\]/.test(await text('[data-testid=diagnosis]')), 5000, 'a diagnosis');
  assert.match(await text('[data-testid=diagnosis]'), /voting\.emojivoto\.svc:8080 \(1 endpoint\)/);
  await browser.screenshot('resources');
});

test('an unknown workload in a URL is a clear not-found page', async () => {
  await browser.page.goto(`${base}/namespaces/emojivoto/workloads/nope`);
  await eventually(async () => /There is no workload nope in namespace emojivoto/.test(await text('[data-testid=not-found]')), 15_000, 'not found');
  await browser.screenshot('not-found');
});

test('no page logged an error', () => {
  assert.deepEqual(browser.errors, []);
});

test('a control plane that restarts: the page says so, then recovers by itself', async () => {
  await browser.page.goto(`${base}/`);
  await eventually(async () => /emojivoto/.test(await text('[data-testid=namespaces]')), 15_000, 'the overview');
  // This mesh's controller: the one whose trust anchors live in its directory.
  const pid = execFileSync('pgrep', ['-f', `controller --state-dir .*${mesh.dir}/.loom/identity/ca.crt`]).toString().trim().split('\n')[0];
  process.kill(Number(pid), 'SIGKILL');
  await eventually(async () => /control plane is not answering/.test(await text('[data-testid=banner]')), 15_000, 'the banner');
  await browser.screenshot('control-plane-down');
  // The supervisor starts it again on the same port; EventSource reconnects by itself.
  await eventually(async () => (await browser.page.locator('[data-testid=banner]').count()) === 0, 60_000, 'the banner to go');
  assert.match(await text('[data-testid=namespaces]'), /emojivoto\s+4\/4/);
});
