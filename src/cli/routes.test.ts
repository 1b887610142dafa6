// `loom routes` in-process against a fake metrics API: the table, wide and JSON, --to, "no requests", and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteRow } from '../control/metrics-api/routes.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';
import { runRoutes, type RoutesOptions } from './routes.js';

const VOTE: RouteRow = {
  route: 'POST /vote',
  authority: 'voting.emojivoto.svc:8080',
  requests: 120,
  successRate: 0.875,
  rps: 2,
  latencyMs: { p50: 1.5, p95: 4.2, p99: 12.6 },
  actual: { requests: 160, successRate: 0.65625, rps: 2.6666 },
  retries: { retried: 40 },
};
/** A row from inbound metrics: no attempts of its own to show. */
const INBOUND: RouteRow = { route: '[DEFAULT]', authority: '127.0.0.1:4143', requests: 60, successRate: 1, rps: 1 };

const options = (stateDir: string, o: Partial<RoutesOptions> = {}): RoutesOptions => ({ target: 'deploy/voting', namespace: 'emojivoto', window: '1m', output: 'table', stateDir, ...o });

test('the table: ROUTE, SERVICE and the effective success and RPS; the query names the workload', async () => {
  await withFakeMesh(() => ({ rows: [INBOUND, VOTE] }), async (stateDir, queries) => {
    const io = captureIO();
    assert.equal(await runRoutes(options(stateDir), io), 0, io.stderr);
    assert.equal(
      io.stdout,
      [
        'ROUTE       SERVICE                    SUCCESS  RPS     LATENCY_P50  LATENCY_P95  LATENCY_P99',
        '[DEFAULT]   127.0.0.1:4143             100.00%  1.0rps  -            -            -',
        'POST /vote  voting.emojivoto.svc:8080  87.50%   2.0rps  1.5ms        4.2ms        13ms',
        '',
      ].join('\n'),
    );
    assert.deepEqual(queries, ['/api/routes?kind=workload&namespace=emojivoto&name=voting&window=1m']);
  });
});

test('-o wide: effective and actual success and RPS, "-" where inbound metrics have no attempts; -o json: every field', async () => {
  await withFakeMesh(() => ({ rows: [INBOUND, VOTE] }), async (stateDir) => {
    const wide = captureIO();
    assert.equal(await runRoutes(options(stateDir, { output: 'wide' }), wide), 0, wide.stderr);
    assert.equal(
      wide.stdout,
      [
        'ROUTE       SERVICE                    EFFECTIVE_SUCCESS  EFFECTIVE_RPS  ACTUAL_SUCCESS  ACTUAL_RPS  LATENCY_P50  LATENCY_P95  LATENCY_P99',
        '[DEFAULT]   127.0.0.1:4143             100.00%            1.0rps         -               -           -            -            -',
        'POST /vote  voting.emojivoto.svc:8080  87.50%             2.0rps         65.63%          2.7rps      1.5ms        4.2ms        13ms',
        '',
      ].join('\n'),
    );
    const json = captureIO();
    assert.equal(await runRoutes(options(stateDir, { output: 'json' }), json), 0);
    assert.deepEqual(JSON.parse(json.stdout), [INBOUND, VOTE]);
  });
});

test('--to svc/<name> asks for the routes toward that service, in --to-namespace when given', async () => {
  await withFakeMesh((url) => ({ rows: url.searchParams.get('toNamespace') === 'other' ? [] : [VOTE] }), async (stateDir, queries) => {
    const io = captureIO();
    assert.equal(await runRoutes(options(stateDir, { target: 'deploy/web', to: 'svc/voting' }), io), 0, io.stderr);
    assert.match(io.stdout, /^POST \/vote {2}voting\.emojivoto\.svc:8080 {2}87\.50%/m);
    const other = captureIO();
    assert.equal(await runRoutes(options(stateDir, { target: 'po/web-0', to: 'service/voting', toNamespace: 'other' }), other), 0);
    assert.equal(other.stdout, '(no requests from po/web-0 to svc/voting in the last 1m)\n');
    assert.deepEqual(queries, [
      '/api/routes?kind=workload&namespace=emojivoto&name=web&window=1m&to=service%2Fvoting',
      '/api/routes?kind=pod&namespace=emojivoto&name=web-0&window=1m&to=service%2Fvoting&toNamespace=other',
    ]);
  });
});

test('no traffic says so instead of printing zeros; an unknown workload is the API\'s 404 and exit 1', async () => {
  await withFakeMesh((url) => (url.searchParams.get('name') === 'nope' ? new HttpAnswer(404, { error: 'no deploy/nope in namespace emojivoto' }) : { rows: [] }), async (stateDir) => {
    const quiet = captureIO();
    assert.equal(await runRoutes(options(stateDir, { target: 'deploy/web' }), quiet), 0);
    assert.equal(quiet.stdout, '(no requests to deploy/web in the last 1m)\n');
    const missing = captureIO();
    assert.equal(await runRoutes(options(stateDir, { target: 'deploy/nope' }), missing), 1);
    assert.equal(missing.stderr, 'loom routes: no deploy/nope in namespace emojivoto\n');
  });
});

test('bad targets, --to, outputs and windows are usage errors (exit 2) before anything is asked', async () => {
  for (const [o, message] of [
    [{ target: 'svc/voting' }, /"svc\/voting" is not a workload or pod; write deploy\/<name> or pod\/<name>/],
    [{ target: 'deploy' }, /"deploy" is not a workload or pod/],
    [{ to: 'deploy/voting' }, /--to "deploy\/voting" is not a service; routes are measured toward a service: write --to svc\/<name>/],
    [{ to: 'svc/' }, /--to "svc\/" is not a service/],
    [{ output: 'yaml' }, /unknown output "yaml"; supported: table, wide, json/],
    [{ window: '5x' }, /"5x" is not a window/],
  ] as const) {
    const io = captureIO();
    assert.equal(await runRoutes(options('/nonexistent', o), io), 2);
    assert.match(io.stderr, message);
  }
});
