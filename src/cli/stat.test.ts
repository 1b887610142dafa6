// `loom stat` in-process against a fake mesh admin and a fake metrics API: output and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatRow } from '../control/metrics-api/stat.js';
import { captureIO, HttpAnswer, withFakeMesh } from './fake-mesh.test-helper.js';
import { runStat, type StatOptions } from './stat.js';

const VOTING: StatRow = {
  kind: 'workload', namespace: 'emojivoto', name: 'voting', meshed: { up: 1, total: 1 }, requests: 120, successRate: 0.875, rps: 2,
  latencyMs: { p50: 1.5, p95: 4.2, p99: 12.6 }, tcpConnections: 1, readBytesPerSec: 2048, writeBytesPerSec: 300,
};
const BOT: StatRow = { kind: 'workload', namespace: 'emojivoto', name: 'vote-bot', meshed: { up: 1, total: 1 }, requests: 0, tcpConnections: 0 };

async function withMesh(rows: StatRow[], run: (opts: (o: Partial<StatOptions>) => StatOptions, queries: string[]) => Promise<void>): Promise<void> {
  const answer = (url: URL) => ({ rows: rows.filter((r) => url.searchParams.get('name') === null || r.name === url.searchParams.get('name')) });
  await withFakeMesh(answer, (stateDir, queries) =>
    run((o) => ({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir, ...o }), queries),
  );
}

test("a table with Linkerd's columns, '-' where there was no traffic, and the query the control plane got", async () => {
  await withMesh([BOT, VOTING], async (opts, queries) => {
    const out = captureIO();
    assert.equal(await runStat(opts({}), out), 0, out.stderr);
    assert.equal(
      out.stdout,
      [
        'NAME      MESHED  SUCCESS  RPS     LATENCY_P50  LATENCY_P95  LATENCY_P99  TCP_CONN',
        'vote-bot  1/1     -        -       -            -            -            0',
        'voting    1/1     87.50%   2.0rps  1.5ms        4.2ms        13ms         1',
        '',
      ].join('\n'),
    );
    assert.deepEqual(queries, ['/api/stat?kind=workload&window=1m&namespace=emojivoto']);
    const wide = captureIO();
    assert.equal(await runStat(opts({ target: 'deploy/voting', output: 'wide', allNamespaces: true, window: '1h' }), wide), 0);
    assert.match(wide.stdout, /^NAMESPACE\s+NAME .* READ_BYTES\/SEC\s+WRITE_BYTES\/SEC\nemojivoto\s+voting .* 2\.0KiB\/s\s+300\.0B\/s\n$/);
    assert.equal(queries[1], '/api/stat?kind=workload&window=1h&name=voting');
    const json = captureIO();
    assert.equal(await runStat(opts({ output: 'json' }), json), 0);
    assert.deepEqual(JSON.parse(json.stdout), [BOT, VOTING]);
  });
});

test('bad input: unknown kind or output, a bad window, an unknown name, no mesh, a control plane that is down', async () => {
  await withMesh([VOTING], async (opts) => {
    const cases: Array<[Partial<StatOptions>, number, RegExp]> = [
      [{ target: 'svc2' }, 2, /unknown kind "svc2"; use ns, deploy \(workload\), pod or svc/],
      [{ to: 'deployment/voting', from: 'deploy/web' }, 2, /--to and --from cannot be combined/],
      [{ to: 'job/x' }, 2, /--to "job\/x": unknown kind "job"; use ns, deploy \(workload\), pod or svc, e\.g\. --to deploy\/web/],
      [{ from: 'svc/voting' }, 2, /--from: a service sends no traffic; name the namespace, deployment or pod that calls it/],
      [{ to: 'ns' }, 2, /--to: name the namespace, e\.g\. --to ns\/emojivoto/],
      [{ output: 'yaml' }, 2, /unknown output "yaml"; supported: table, wide, json/],
      [{ window: '5 minutes' }, 2, /"5 minutes" is not a window; write e\.g\. 30s, 1m or 1h/],
      [{ target: 'deploy/billing' }, 1, /no deploy\/billing in namespace emojivoto; `loom get workloads` lists what runs/],
    ];
    for (const [o, code, message] of cases) {
      const out = captureIO();
      assert.equal(await runStat(opts(o), out), code, JSON.stringify(o));
      assert.match(out.stderr, message);
    }
  });
  const none = captureIO();
  assert.equal(await runStat({ target: 'deploy', namespace: 'default', allNamespaces: false, window: '1m', output: 'table', stateDir: join(mkdtempSync(join(tmpdir(), 'loom-stat-')), '.loom') }, none), 1);
  assert.match(none.stderr, /no mesh is running from this directory/);
  await withFakeMesh(
    () => ({}),
    async (stateDir) => {
      const down = captureIO();
      assert.equal(await runStat({ target: 'deploy', namespace: 'default', allNamespaces: false, window: '1m', output: 'table', stateDir }, down), 1);
      assert.match(down.stderr, /the control plane's metrics API at http:\/\/127\.0\.0\.1:1 did not answer/);
    },
    'http://127.0.0.1:1',
  );
});

test('svc, --to and --from become the API\'s kind, to/from and their namespaces', async () => {
  const SVC: StatRow = { ...VOTING, kind: 'service' };
  await withFakeMesh(() => ({ rows: [SVC] }), async (stateDir, queries) => {
    const opts = (o: Partial<StatOptions>): StatOptions => ({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir, ...o });
    const runs: Array<Partial<StatOptions>> = [
      { target: 'svc/voting' },
      { target: 'deploy/web', to: 'svc/voting' },
      { target: 'po', from: 'deploy/web', fromNamespace: 'other' },
      { target: 'deploy', allNamespaces: true, to: 'ns/emojivoto' },
    ];
    for (const o of runs) {
      const out = captureIO();
      assert.equal(await runStat(opts(o), out), 0, out.stderr);
    }
    assert.deepEqual(queries, [
      '/api/stat?kind=service&window=1m&namespace=emojivoto&name=voting',
      '/api/stat?kind=workload&window=1m&namespace=emojivoto&name=web&to=service%2Fvoting&toNamespace=emojivoto',
      '/api/stat?kind=pod&window=1m&namespace=emojivoto&from=workload%2Fweb&fromNamespace=other',
      '/api/stat?kind=workload&window=1m&to=namespace%2Femojivoto',
    ]);
  });
});

test("the control plane's error (Prometheus down, an unknown --to) is printed as is, with a non-zero exit and no table", async () => {
  const down = 'Prometheus at http://127.0.0.1:9 did not answer (ECONNREFUSED); start it, or point --prometheus-url at its base URL (e.g. http://127.0.0.1:9090)';
  await withFakeMesh(() => new HttpAnswer(502, { error: down }), async (stateDir) => {
    const out = captureIO();
    assert.equal(await runStat({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir }, out), 1);
    assert.equal(out.stderr, `loom stat: ${down}\n`);
    assert.equal(out.stdout, '');
  });
  await withFakeMesh(() => new HttpAnswer(404, { error: '--to: no workload nope in namespace emojivoto' }), async (stateDir) => {
    const out = captureIO();
    assert.equal(await runStat({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir, to: 'deploy/nope' }, out), 1);
    assert.match(out.stderr, /^loom stat: --to: no workload nope in namespace emojivoto\n$/);
  });
});
