// The metrics API's Prometheus backend against the embedded one, with real processes: the emoji
// demo mesh (its controller scraping every proxy each second), Debian's Prometheus scraping the same
// proxies through the config `loom prometheus-config` writes, and a second `loom controller
// --prometheus-url` answering from Prometheus. Both must tell the same story: voting fails the
// doughnut votes, web passes those failures on, emoji always succeeds, at the same rates.
// Windows are aligned differently (each backend's scrapes, Prometheus' extrapolation to the window's
// edges), so rates are compared within 10% and latencies within their histogram's resolution.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { captureIO, withFakeMesh } from '../src/cli/fake-mesh.test-helper.js';
import { runPrometheusConfig } from '../src/cli/prometheus-config.js';
import { runStat } from '../src/cli/stat.js';
import { Controller } from '../src/control/controller.js';
import type { Edge } from '../src/control/metrics-api/edges.js';
import type { MeshHealth } from '../src/control/web/health-api.js';
import type { StatRow } from '../src/control/metrics-api/stat.js';
import { freePorts } from '../src/platform/local/free-port.js';
import { LocalMesh } from '../src/platform/local/local-mesh.js';
import { LocalPlatformSource } from '../src/platform/local/local-source.js';
import { ensureBuilt, MAIN, ROOT } from './support/child.js';
import { openBrowser } from './support/browser.js';
import { startPrometheus } from './support/prometheus.js';
import { eventually } from './support/upstreams.js';

const WINDOW_S = 20;

async function get<T>(admin: string, path: string): Promise<T> {
  const res = await fetch(`${admin}${path}`);
  const body = (await res.json()) as T & { error?: string };
  assert.equal(res.status, 200, `${admin}${path}: ${body.error ?? ''}`);
  return body;
}

/** The same query to both controllers at once. */
async function both<T>(admins: [string, string], path: string): Promise<[T, T]> {
  return Promise.all([get<T>(admins[0], path), get<T>(admins[1], path)]);
}

const byName = (rows: StatRow[]): Map<string, StatRow> => new Map(rows.map((r) => [r.name, r]));

function assertAgree(embedded: StatRow[], prometheus: StatRow[], what: string): void {
  const e = byName(embedded);
  const p = byName(prometheus);
  assert.deepEqual([...p.keys()], [...e.keys()], `${what}: the same rows`);
  for (const [name, row] of e) {
    const other = p.get(name) as StatRow;
    const report = `${what} ${name}: embedded ${JSON.stringify(row)}, prometheus ${JSON.stringify(other)}`;
    assert.deepEqual(other.meshed, row.meshed, `MESHED: ${report}`);
    assert.equal(other.requests > 0, row.requests > 0, `traffic or none: ${report}`);
    if (row.rps === undefined || other.rps === undefined) continue;
    assert.ok(Math.abs(other.rps - row.rps) <= 0.1 * row.rps, `RPS within 10%: ${report}`);
    assert.equal(other.successRate === 1, row.successRate === 1, `failing or not: ${report}`);
    const [a, b] = [row.latencyMs?.p50 ?? NaN, other.latencyMs?.p50 ?? NaN];
    assert.ok(Math.abs(a - b) <= Math.max(1, 0.5 * Math.max(a, b)), `p50 close: ${report}`);
  }
}

test('the Prometheus backend and the embedded store agree on the emoji demo: stat deploy, svc, --from, --to and edges', async () => {
  await ensureBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'loom-prometheus-'));
  const stateDir = join(dir, '.loom');
  mkdirSync(stateDir);
  // The demo with a vote every 100 ms rather than 500, so a window holds enough calls to compare rates.
  const demo = readFileSync(join(ROOT, 'demos/emojivoto/mesh.yaml'), 'utf8');
  const meshFile = join(dir, 'mesh.yaml');
  writeFileSync(meshFile, demo.replace(/(name: VOTE_INTERVAL_MS\n\s+value: )"500"/, '$1"100"'));
  assert.notEqual(readFileSync(meshFile, 'utf8'), demo, 'the vote interval is in the demo file');
  const mesh = new LocalMesh({
    files: [meshFile],
    cwd: ROOT,
    stateDir,
    loomCommand: [process.execPath, MAIN],
    baseEnv: process.env,
    controllerPort: 0,
    scrapeIntervalMs: 1000,
  });
  const stops: Array<() => Promise<unknown>> = [() => mesh.stop()];
  try {
    await mesh.start();
    const config = captureIO();
    assert.equal(runPrometheusConfig({ stateDir, scrapeInterval: '1s' }, config), 0, config.stderr);
    writeFileSync(join(dir, 'prometheus.yml'), config.stdout);
    const prometheus = await startPrometheus(join(dir, 'prometheus.yml'), dir);
    stops.unshift(() => prometheus.stop());

    const [grpc, admin] = (await freePorts(2)) as [number, number];
    const controller = spawn(process.execPath, [MAIN, 'controller', '--state-dir', stateDir, '--port', String(grpc), '--admin-port', String(admin), '--prometheus-url', prometheus.url, '--grafana-url', 'http://127.0.0.1:3000/grafana/'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    controller.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    controller.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    const exited = new Promise((resolve) => controller.once('exit', resolve));
    stops.unshift(async () => (controller.kill('SIGTERM'), exited));
    await eventually(() => output.includes(`metrics: Prometheus at ${prometheus.url}`), 10_000, `the second controller to start (${output})`);
    const admins: [string, string] = [mesh.controllerAdmin, `http://127.0.0.1:${admin}`];

    // Prometheus has scraped for a whole window, and doughnut votes have failed in it.
    const startedAt = Date.now();
    await eventually(async () => {
      const { rows } = await get<{ rows: StatRow[] }>(admins[1], `/api/stat?namespace=emojivoto&name=voting&window=${WINDOW_S}s`);
      return (rows[0]?.successRate ?? 1) < 1;
    }, 20_000, `Prometheus to see voting fail (${prometheus.log()})`);
    await sleep(Math.max(0, WINDOW_S * 1000 + 1500 - (Date.now() - startedAt)));

    const w = `window=${WINDOW_S}s`;
    const [embedded, fromPrometheus] = await both<{ rows: StatRow[]; backend: string }>(admins, `/api/stat?namespace=emojivoto&${w}`);
    assert.match(embedded.backend, /^embedded/);
    assert.equal(fromPrometheus.backend, `Prometheus at ${prometheus.url}`);
    assertAgree(embedded.rows, fromPrometheus.rows, 'stat deploy');
    const workloads = byName(fromPrometheus.rows);
    assert.ok((workloads.get('voting')?.successRate ?? 1) < 1, 'voting fails the doughnut votes');
    assert.ok((workloads.get('web')?.successRate ?? 1) < 1, 'web passes the failures on');
    assert.equal(workloads.get('emoji')?.successRate, 1, 'emoji always succeeds');
    assert.equal(workloads.get('vote-bot')?.requests, 0, 'nothing calls the vote bot');

    const services = await both<{ rows: StatRow[] }>(admins, `/api/stat?kind=service&namespace=emojivoto&${w}`);
    assertAgree(services[0].rows, services[1].rows, 'stat svc');
    assert.deepEqual(services[1].rows.map((r) => [r.name, r.requests > 0, r.meshed]), [
      ['emoji', true, { up: 1, total: 1 }],
      ['voting', true, { up: 1, total: 1 }],
      ['web', true, { up: 1, total: 1 }],
    ]);
    const from = await both<{ rows: StatRow[] }>(admins, `/api/stat?namespace=emojivoto&from=workload/web&fromNamespace=emojivoto&${w}`);
    assertAgree(from[0].rows, from[1].rows, 'stat deploy --from deploy/web');
    assert.deepEqual(from[1].rows.filter((r) => r.requests > 0).map((r) => r.name), ['emoji', 'voting'], 'web calls emoji and voting');
    const to = await both<{ rows: StatRow[] }>(admins, `/api/stat?namespace=emojivoto&to=service/voting&toNamespace=emojivoto&${w}`);
    assertAgree(to[0].rows, to[1].rows, 'stat deploy --to svc/voting');
    assert.deepEqual(to[1].rows.filter((r) => r.requests > 0).map((r) => r.name), ['web'], 'only web calls voting');

    const edges = await both<{ edges: Edge[] }>(admins, `/api/edges?namespace=emojivoto&${w}`);
    const shape = (list: Edge[]) => list.map((e) => `${e.src}>${e.dst} ${e.secured ? 'secured' : e.notSecuredReason}`);
    assert.deepEqual(shape(edges[1].edges), shape(edges[0].edges));
    assert.ok(shape(edges[1].edges).includes('web>voting secured'));

    // The dashboard links to this Prometheus with the metrics API's own queries, and they answer there.
    const health = await get<MeshHealth>(admins[1], '/api/health');
    assert.deepEqual(health.links, { prometheus: prometheus.url, grafana: 'http://127.0.0.1:3000/grafana/' });
    const browser = await openBrowser();
    stops.unshift(() => browser.close());
    await browser.page.goto(`${admins[1]}/namespaces/emojivoto/workloads/voting`);
    const href = new URL((await browser.page.getByTestId('prometheus-link').getAttribute('href', { timeout: 10_000 })) ?? '');
    assert.equal(`${href.origin}${href.pathname}`, `${prometheus.url}/graph`);
    assert.equal(await browser.page.getByTestId('grafana-link').getAttribute('href'), 'http://127.0.0.1:3000/grafana/d/loom-workload?var-namespace=emojivoto&var-workload=voting');
    const ask = async (expr: string): Promise<number> => {
      const res = await fetch(`${prometheus.url}/api/v1/query?${new URLSearchParams({ query: expr }).toString()}`);
      const body = (await res.json()) as { data: { result: Array<{ value: [number, string] }> } };
      return Number(body.data.result[0]?.value[1]);
    };
    const successRate = await ask(href.searchParams.get('g0.expr') ?? '');
    assert.ok(successRate > 0 && successRate < 1, `voting's success rate from the linked query: ${successRate}`);
    const linkedRps = await ask(href.searchParams.get('g1.expr') ?? '');
    const statRps = (await get<{ rows: StatRow[] }>(admins[1], '/api/stat?namespace=emojivoto&name=voting&window=1m')).rows[0]?.rps ?? NaN;
    assert.ok(Math.abs(linkedRps - statRps) <= 0.2 * statRps, `the linked RPS query (${linkedRps}) agrees with loom stat (${statRps})`);
    assert.deepEqual(browser.errors, []);
  } finally {
    for (const stop of stops) await stop();
  }
});

test('Prometheus unreachable: the API names the URL and what to do; `loom stat` prints it and exits 1, no table', async () => {
  const [deadPort] = (await freePorts(1)) as [number];
  const url = `http://127.0.0.1:${deadPort}`;
  const controller = new Controller(undefined, { prometheusUrl: url });
  const stateDir = mkdtempSync(join(tmpdir(), 'loom-prometheus-down-'));
  const { admin } = await controller.start(0, 0, (c) => new LocalPlatformSource(stateDir, c.index, c.policies));
  try {
    const res = await fetch(`http://127.0.0.1:${admin}/api/stat?namespace=emojivoto`);
    const body = (await res.json()) as { error: string };
    assert.equal(res.status, 502);
    const message = `Prometheus at ${url} did not answer (ECONNREFUSED); start it, or point --prometheus-url at its base URL (e.g. http://127.0.0.1:9090)`;
    assert.equal(body.error, message);
    await withFakeMesh(() => ({}), async (meshState) => {
      const out = captureIO();
      assert.equal(await runStat({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir: meshState }, out), 1);
      assert.equal(out.stderr, `loom stat: ${message}\n`);
      assert.equal(out.stdout, '');
    }, `http://127.0.0.1:${admin}`);
  } finally {
    await controller.stop();
  }
});
