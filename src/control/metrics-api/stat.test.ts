import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Sample } from './prom-text.js';
import { SeriesStore } from './series-store.js';
import { stat } from './stat.js';

const VOTING = { namespace: 'emojivoto', workload: 'voting', pod: 'voting-0' };
const WEB = { namespace: 'emojivoto', workload: 'web', pod: 'web-0' };

/** Inbound metrics of a proxy that has served `ok` successes and `failed` failures, each taking 3 ms. */
function inbound(ok: number, failed: number, bytes: number): Sample[] {
  const base = { direction: 'inbound', authority: 'voting.emojivoto.svc:8080', tls: 'true' };
  const total = ok + failed;
  return [
    { name: 'response_total', labels: { ...base, classification: 'success', status_code: '200' }, value: ok },
    { name: 'response_total', labels: { ...base, classification: 'failure', status_code: '200' }, value: failed },
    ...[1, 2, 5, 10].map((le) => ({ name: 'response_latency_ms_bucket', labels: { ...base, le: String(le) }, value: le >= 5 ? total : 0 })),
    { name: 'response_latency_ms_bucket', labels: { ...base, le: '+Inf' }, value: total },
    { name: 'tcp_open_connections', labels: { direction: 'inbound', peer: 'src', target_addr: 'x' }, value: 2 },
    { name: 'tcp_read_bytes_total', labels: { direction: 'inbound', peer: 'src', target_addr: 'x' }, value: bytes },
  ];
}

test('stat per workload: success rate, RPS, latency percentiles, TCP, bytes over the window', () => {
  const store = new SeriesStore(3_600_000);
  // 60 s apart: voting served 90 successes and 10 failures, web nothing.
  store.append(VOTING, inbound(100, 0, 1000), 0);
  store.append(VOTING, inbound(190, 10, 7000), 60_000);
  store.append(WEB, inbound(5, 0, 0), 0);
  store.append(WEB, inbound(5, 0, 0), 60_000);
  const rows = stat(store, [{ ...VOTING, up: true }, { ...WEB, up: true }, { ...WEB, pod: 'web-1', up: false }], { kind: 'workload', windowMs: 60_000, now: 60_000 });
  assert.equal(rows.length, 2);
  const [voting, web] = rows as [(typeof rows)[number], (typeof rows)[number]];
  assert.equal(voting.name, 'voting');
  assert.equal(voting.requests, 100);
  assert.equal(voting.successRate, 0.9);
  assert.equal(voting.rps, 100 / 60);
  assert.equal(voting.latencyMs?.p50, 2 + 3 * 0.5, 'inside the 2-5 ms bucket');
  assert.equal(voting.tcpConnections, 2);
  assert.equal(voting.readBytesPerSec, 100);
  assert.deepEqual(voting.meshed, { up: 1, total: 1 });
  assert.equal(web.requests, 0, 'no traffic');
  assert.equal(web.successRate, undefined, 'no pretend zeros');
  assert.equal(web.rps, undefined);
  assert.deepEqual(web.meshed, { up: 1, total: 2 });
  const [namespace] = stat(store, [{ ...VOTING, up: true }, { ...WEB, up: true }], { kind: 'namespace', windowMs: 60_000, now: 60_000 });
  assert.deepEqual([namespace?.name, namespace?.requests, namespace?.successRate], ['emojivoto', 100, 0.9], 'a namespace sums its workloads');
  const pods = stat(store, [{ ...VOTING, up: true }, { ...WEB, up: true }], { kind: 'pod', name: 'voting-0', windowMs: 60_000, now: 60_000 });
  assert.deepEqual(pods.map((p) => [p.name, p.requests]), [['voting-0', 100]]);
});

test('stat filters by namespace and workload; a window with one scrape has no rates', () => {
  const store = new SeriesStore(3_600_000);
  store.append(VOTING, inbound(10, 0, 0), 0);
  const targets = [{ ...VOTING, up: true }, { ...WEB, up: true }];
  assert.deepEqual(stat(store, targets, { kind: 'workload', name: 'web', windowMs: 60_000, now: 0 }).map((r) => r.name), ['web']);
  assert.deepEqual(stat(store, targets, { kind: 'workload', namespace: 'other', windowMs: 60_000, now: 0 }), []);
  const [voting] = stat(store, targets, { kind: 'workload', name: 'voting', windowMs: 60_000, now: 0 });
  assert.equal(voting?.requests, 0);
  assert.equal(voting?.rps, undefined);
});
