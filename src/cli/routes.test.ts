// `loom routes` in-process against a fake metrics API: the table, "no requests", and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RouteRow } from '../control/metrics-api/routes.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';
import { runRoutes, type RoutesOptions } from './routes.js';

const ROW: RouteRow = { route: '[DEFAULT]', authority: 'voting.emojivoto.svc:8080', requests: 120, successRate: 0.875, rps: 2, latencyMs: { p50: 1.5, p95: 4.2, p99: 12.6 } };

const options = (stateDir: string, o: Partial<RoutesOptions> = {}): RoutesOptions => ({ target: 'deploy/voting', namespace: 'emojivoto', window: '1m', output: 'table', stateDir, ...o });

test('a [DEFAULT] row per authority, and the query names the workload', async () => {
  await withFakeMesh(() => ({ rows: [ROW] }), async (stateDir, queries) => {
    const io = captureIO();
    assert.equal(await runRoutes(options(stateDir), io), 0, io.stderr);
    assert.equal(
      io.stdout,
      [
        'ROUTE      AUTHORITY                  SUCCESS  RPS     LATENCY_P50  LATENCY_P95  LATENCY_P99',
        '[DEFAULT]  voting.emojivoto.svc:8080  87.50%   2.0rps  1.5ms        4.2ms        13ms',
        '',
      ].join('\n'),
    );
    assert.deepEqual(queries, ['/api/routes?kind=workload&namespace=emojivoto&name=voting&window=1m']);
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

test('bad targets, outputs and windows are usage errors (exit 2) before anything is asked', async () => {
  for (const [o, message] of [
    [{ target: 'svc/voting' }, /"svc\/voting" is not a workload or pod; write deploy\/<name> or pod\/<name>/],
    [{ target: 'deploy' }, /"deploy" is not a workload or pod/],
    [{ output: 'yaml' }, /unknown output "yaml"; supported: table, json/],
    [{ window: '5x' }, /"5x" is not a window/],
  ] as const) {
    const io = captureIO();
    assert.equal(await runRoutes(options('/nonexistent', o), io), 2);
    assert.match(io.stderr, message);
  }
});
