import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricsBackendError, type MetricsBackend } from './backend.js';
import type { Inventory } from './inventory.js';
import { emojivotoStore, storeBackend, VOTING, WEB } from './emojivoto-store.test-helper.js';
import { MetricsApi, type StatHistoryPoint } from './metrics-api.js';
import type { TrafficSelector } from './stat-query.js';
import { withServed } from '../serve.test-helper.js';

const INVENTORY: Inventory = {
  pods: () => [{ namespace: 'shop', workload: 'web', pod: 'web-0' }, { namespace: 'shop', workload: 'api', pod: 'api-0' }],
  services: () => [{ namespace: 'shop', name: 'api', workloads: ['api'] }],
};

function backend(fail?: string): MetricsBackend {
  const answer = async <T>(value: T): Promise<T> => {
    if (fail) throw new MetricsBackendError(fail);
    return value;
  };
  return {
    description: 'fake',
    minWindow: { ms: 2000, why: 'two scrapes' },
    start: () => undefined,
    stop: () => undefined,
    traffic: () => answer(new Map([['shop/api', { requests: 60, successes: 60 }]])),
    proxiesUp: () => answer(new Map([['shop/api-0', true]])),
    certExpiries: () => answer(new Map()),
    edgeSamples: () => answer({ outbound: [], clients: [] }),
  };
}

async function withApi(api: MetricsApi, body: (get: (path: string) => Promise<{ status: number; body: Record<string, unknown> }>) => Promise<void>): Promise<void> {
  await withServed((req, res) => api.handle(req, res), (base) =>
    body(async (path) => {
      const res = await fetch(`${base}${path}`);
      return { status: res.status, body: (await res.json()) as Record<string, unknown> };
    }),
  );
}

test('GET /api/stat answers rows with the backend named; bad, unknown or contradictory parameters say what is wrong', async () => {
  await withApi(new MetricsApi(backend(), INVENTORY), async (get) => {
    const ok = await get('/api/stat?kind=service&namespace=shop&window=1m');
    assert.equal(ok.status, 200);
    assert.equal(ok.body.backend, 'fake');
    assert.deepEqual(ok.body.rows, [{ kind: 'service', namespace: 'shop', name: 'api', meshed: { up: 1, total: 1 }, requests: 60, successRate: 1, rps: 1 }]);
    const cases: Array<[string, number, RegExp]> = [
      ['/api/stat?window=1s', 400, /^window "1s" must be a duration from 2s \(two scrapes\) to 1h/],
      ['/api/stat?kind=svc', 400, /^kind "svc" is not one of namespace, workload, pod, service$/],
      ['/api/stat?namespace=shop&to=workload/nope', 404, /^--to: no workload nope in namespace shop/],
      ['/api/stat?namespace=shop&to=service/api&from=workload/web', 400, /^to and from cannot be combined/],
      ['/api/stat?namespace=shop&from=service/api', 400, /^from: a service sends no traffic/],
      ['/api/stat?to=workload/web', 400, /^to: name the namespace of workload\/web \(toNamespace=\.\.\.\)$/],
    ];
    for (const [path, status, error] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, status, path);
      assert.match(String(answer.body.error), error, path);
    }
    const from = await get('/api/stat?namespace=shop&from=workload/web&fromNamespace=shop');
    assert.equal(from.status, 200);
  });
});

test('a backend that cannot answer is a 502 with its message, for stat and edges alike', async () => {
  const message = 'Prometheus at http://127.0.0.1:1 did not answer (ECONNREFUSED); start it';
  await withApi(new MetricsApi(backend(message), INVENTORY), async (get) => {
    for (const path of ['/api/stat?namespace=shop', '/api/edges']) {
      const answer = await get(path);
      assert.deepEqual([answer.status, answer.body.error, answer.body.code], [502, message, 'LOOM_ERR_METRICS_BACKEND'], path);
    }
  });
});

test('GET /api/routes: --to a service asks its routes from the workload\'s own proxies; other kinds and unknown services say why', async () => {
  const asked: TrafficSelector[] = [];
  const recording: MetricsBackend = { ...backend(), traffic: async (sel) => (asked.push(sel), new Map()) };
  await withApi(new MetricsApi(recording, INVENTORY), async (get) => {
    const ok = await get('/api/routes?kind=workload&namespace=shop&name=web&to=service/api&window=1m');
    assert.deepEqual([ok.status, ok.body.rows], [200, []]);
    assert.deepEqual(
      asked.map((s) => [s.family, s.direction, s.match, s.prefixes]),
      [
        ['route_', 'outbound', [['namespace', 'shop'], ['workload', 'web']], [['dst', 'api.shop.svc']]],
        ['route_actual_', 'outbound', [['namespace', 'shop'], ['workload', 'web']], [['dst', 'api.shop.svc']]],
      ],
    );
    const cases: Array<[string, number, RegExp]> = [
      ['/api/routes?namespace=shop&name=web&to=workload/api', 400, /^to: routes are measured toward a service/],
      ['/api/routes?namespace=shop&name=web&to=svc/api', 400, /^to "svc" is not one of/],
      ['/api/routes?namespace=shop&name=web&to=service/api&toNamespace=other', 404, /^--to: no service api in namespace other/],
      ['/api/routes?namespace=shop&name=nope', 404, /^no deploy\/nope in namespace shop/],
    ];
    for (const [path, status, error] of cases) {
      const answer = await get(path);
      assert.equal(answer.status, status, path);
      assert.match(String(answer.body.error), error, path);
    }
    asked.length = 0;
    assert.equal((await get('/api/routes?namespace=shop&name=api')).status, 200);
    assert.deepEqual(asked.map((s) => [s.family ?? '', s.direction]), [['', 'inbound'], ['route_', 'outbound'], ['route_actual_', 'outbound']], 'without to: what it served, and every client\'s routes');
  });
});

test('history=<span> answers rows at evenly spaced moments up to now, each over the window; a bad span says what fits', async () => {
  // The store's two scrapes are at 0 s and 60 s; "now" is 60 s; a live answer goes every 30 s.
  const api = new MetricsApi(storeBackend(emojivotoStore(), 60_000), { pods: () => [VOTING, WEB], services: () => [] }, 30_000, () => 60_000);
  await withApi(api, async (get) => {
    const ok = await get('/api/stat?namespace=emojivoto&name=voting&window=1m&history=2m');
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const history = ok.body.history as StatHistoryPoint[];
    assert.equal(ok.body.stepMs, 30_000);
    assert.deepEqual(history.map((p) => p.at), [-30_000, 0, 30_000, 60_000]);
    assert.deepEqual(history.map((p) => p.rows[0]?.requests), [0, 0, 0, 100], 'only the last window holds both scrapes');
    assert.equal(history[3]?.rows[0]?.successRate, 0.9);
    for (const span of ['10s', '2h', 'soon']) {
      const bad = await get(`/api/stat?namespace=emojivoto&history=${span}`);
      assert.equal(bad.status, 400);
      assert.match(String(bad.body.error), new RegExp(`^history "${span}" must be a duration from 30s to 30m, e\\.g\\. 15m$`));
    }
  });
});
