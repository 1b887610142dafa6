// `loom stat` in-process against a fake mesh admin and a fake metrics API: output and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatRow } from '../control/metrics-api/stat.js';
import { writeMeshState } from '../platform/local/state-file.js';
import type { CliIO } from './io.js';
import { runStat, type StatOptions } from './stat.js';

function io(): CliIO & { stdout: string; stderr: string } {
  const captured = { stdout: '', stderr: '' };
  return Object.assign(captured, { out: (t: string) => void (captured.stdout += t), err: (t: string) => void (captured.stderr += t), env: {} });
}

const VOTING: StatRow = {
  kind: 'workload', namespace: 'emojivoto', name: 'voting', meshed: { up: 1, total: 1 }, requests: 120, successRate: 0.875, rps: 2,
  latencyMs: { p50: 1.5, p95: 4.2, p99: 12.6 }, tcpConnections: 1, readBytesPerSec: 2048, writeBytesPerSec: 300,
};
const BOT: StatRow = { kind: 'workload', namespace: 'emojivoto', name: 'vote-bot', meshed: { up: 1, total: 1 }, requests: 0, tcpConnections: 0 };

async function listen(handler: http.RequestListener): Promise<{ url: string; server: http.Server }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function withMesh(rows: StatRow[], run: (opts: (o: Partial<StatOptions>) => StatOptions, queries: string[]) => Promise<void>): Promise<void> {
  const queries: string[] = [];
  const controller = await listen((req, res) => {
    queries.push(req.url ?? '');
    const name = new URL(req.url ?? '/', 'http://x').searchParams.get('name');
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ rows: rows.filter((r) => name === null || r.name === name) }));
  });
  const admin = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ controllerAdmin: controller.url, replicas: [] }));
  });
  const stateDir = join(mkdtempSync(join(tmpdir(), 'loom-stat-')), '.loom');
  mkdirSync(stateDir, { recursive: true });
  writeMeshState(stateDir, { pid: process.pid, admin: admin.url, controller: '127.0.0.1:1', files: [] });
  try {
    await run((o) => ({ target: 'deploy', namespace: 'emojivoto', allNamespaces: false, window: '1m', output: 'table', stateDir, ...o }), queries);
  } finally {
    await Promise.all([controller.server, admin.server].map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

test("a table with Linkerd's columns, '-' where there was no traffic, and the query the control plane got", async () => {
  await withMesh([BOT, VOTING], async (opts, queries) => {
    const out = io();
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
    const wide = io();
    assert.equal(await runStat(opts({ target: 'deploy/voting', output: 'wide', allNamespaces: true, window: '1h' }), wide), 0);
    assert.match(wide.stdout, /^NAMESPACE\s+NAME .* READ_BYTES\/SEC\s+WRITE_BYTES\/SEC\nemojivoto\s+voting .* 2\.0KiB\/s\s+300\.0B\/s\n$/);
    assert.equal(queries[1], '/api/stat?kind=workload&window=1h&name=voting');
    const json = io();
    assert.equal(await runStat(opts({ output: 'json' }), json), 0);
    assert.deepEqual(JSON.parse(json.stdout), [BOT, VOTING]);
  });
});

test('bad input: unknown kind or output, a bad window, an unknown name, no mesh, a control plane that is down', async () => {
  await withMesh([VOTING], async (opts) => {
    const cases: Array<[Partial<StatOptions>, number, RegExp]> = [
      [{ target: 'svc2' }, 2, /unknown kind "svc2"; use ns, deploy \(workload\) or pod/],
      [{ output: 'yaml' }, 2, /unknown output "yaml"; supported: table, wide, json/],
      [{ window: '5 minutes' }, 2, /"5 minutes" is not a window; write e\.g\. 30s, 1m or 1h/],
      [{ target: 'deploy/billing' }, 1, /no deploy\/billing in namespace emojivoto; `loom get workloads` lists what runs/],
    ];
    for (const [o, code, message] of cases) {
      const out = io();
      assert.equal(await runStat(opts(o), out), code, JSON.stringify(o));
      assert.match(out.stderr, message);
    }
  });
  const none = io();
  assert.equal(await runStat({ target: 'deploy', namespace: 'default', allNamespaces: false, window: '1m', output: 'table', stateDir: join(mkdtempSync(join(tmpdir(), 'loom-stat-')), '.loom') }, none), 1);
  assert.match(none.stderr, /no mesh is running from this directory/);
  const admin = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ controllerAdmin: 'http://127.0.0.1:1', replicas: [] }));
  });
  const stateDir = join(mkdtempSync(join(tmpdir(), 'loom-stat-')), '.loom');
  mkdirSync(stateDir, { recursive: true });
  writeMeshState(stateDir, { pid: process.pid, admin: admin.url, controller: '127.0.0.1:1', files: [] });
  try {
    const down = io();
    assert.equal(await runStat({ target: 'deploy', namespace: 'default', allNamespaces: false, window: '1m', output: 'table', stateDir }, down), 1);
    assert.match(down.stderr, /the control plane's metrics API at http:\/\/127\.0\.0\.1:1 did not answer/);
  } finally {
    await new Promise((resolve) => admin.server.close(resolve));
  }
});
