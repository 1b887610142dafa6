import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { LATENCY_BUCKETS_MS, ProxyMetrics } from './proxy-metrics.js';
import { parseExposition, valueOf } from './exposition.test-helper.js';

const metrics: ProxyMetrics[] = [];
function fresh(): ProxyMetrics {
  const m = new ProxyMetrics();
  metrics.push(m);
  return m;
}
after(() => metrics.forEach((m) => m.close()));

const world = {
  direction: 'outbound',
  authority: 'world.default.svc:80',
  target_addr: '127.0.0.1:7001',
  target_ip: '127.0.0.1',
  target_port: '7001',
  tls: 'no_identity',
  dst_pod: 'world-1',
};

test('http() and tcp() return the same handle for equal label sets', () => {
  const m = fresh();
  const h = m.http(world);
  assert.equal(m.http({ ...world }), h);
  assert.equal(m.http(Object.fromEntries(Object.entries(world).reverse())), h);
  assert.notEqual(m.http({ ...world, dst_pod: 'world-2' }), h);
  const t = m.tcp({ ...world, peer: 'dst' });
  assert.equal(m.tcp({ ...world, peer: 'dst' }), t);
  assert.notEqual(m.tcp({ ...world, peer: 'src' }), t);
});

test('responses carry status_code, classification, grpc_status and error; latency only status_code', () => {
  const m = fresh();
  const h = m.http(world);
  for (let i = 0; i < 3; i++) h.request();
  h.response(200, undefined, false, 3);
  h.response(200, undefined, false, 7);
  h.response(200, 14, true, 12);
  h.response(502, undefined, true, 1000, 'LOOM_ERR_CONNECT');
  const parsed = parseExposition(m.render());
  assert.equal(valueOf(parsed, 'request_total', world), 3);
  const ok = { ...world, status_code: '200', classification: 'success', grpc_status: '', error: '' };
  assert.equal(valueOf(parsed, 'response_total', ok), 2);
  const grpcFailure = { ...ok, classification: 'failure', grpc_status: '14' };
  assert.equal(valueOf(parsed, 'response_total', grpcFailure), 1);
  const connectError = { ...world, status_code: '502', classification: 'failure', grpc_status: '', error: 'LOOM_ERR_CONNECT' };
  assert.equal(valueOf(parsed, 'response_total', connectError), 1);
  const latency200 = { ...world, status_code: '200' };
  assert.equal(valueOf(parsed, 'response_latency_ms_count', latency200), 3);
  assert.equal(valueOf(parsed, 'response_latency_ms_sum', latency200), 22);
  assert.equal(valueOf(parsed, 'response_latency_ms_bucket', { ...latency200, le: '5' }), 1);
  assert.equal(valueOf(parsed, 'response_latency_ms_bucket', { ...latency200, le: '10' }), 2);
  assert.equal(valueOf(parsed, 'response_latency_ms_bucket', { ...latency200, le: '20' }), 3);
  const latencySample = parsed.get('response_latency_ms')?.samples.find((s) => s.name.endsWith('_count'));
  assert.equal(latencySample?.labels['classification'], undefined);
});

test('latency histograms use Linkerd buckets', () => {
  const m = fresh();
  m.http(world).response(200, undefined, false, 1);
  const les = parseExposition(m.render())
    .get('response_latency_ms')
    ?.samples.filter((s) => s.name === 'response_latency_ms_bucket')
    .map((s) => s.labels['le']);
  assert.deepEqual(les, [...LATENCY_BUCKETS_MS.map(String), '+Inf']);
});

test('tcp handles count opens, closes by errno, open connections, bytes and durations', () => {
  const m = fresh();
  const labels = { ...world, peer: 'dst' };
  const t = m.tcp(labels);
  const a = t.open();
  const b = t.open();
  t.open();
  t.read(100);
  t.write(40);
  t.write(2);
  t.close(a);
  t.close(b, 'ECONNRESET');
  const parsed = parseExposition(m.render());
  assert.equal(valueOf(parsed, 'tcp_open_total', labels), 3);
  assert.equal(valueOf(parsed, 'tcp_open_connections', labels), 1);
  assert.equal(valueOf(parsed, 'tcp_close_total', { ...labels, errno: '' }), 1);
  assert.equal(valueOf(parsed, 'tcp_close_total', { ...labels, errno: 'ECONNRESET' }), 1);
  assert.equal(valueOf(parsed, 'tcp_read_bytes_total', labels), 100);
  assert.equal(valueOf(parsed, 'tcp_write_bytes_total', labels), 42);
  assert.equal(valueOf(parsed, 'tcp_connection_duration_ms_count', labels), 2);
  assert.ok((valueOf(parsed, 'tcp_connection_duration_ms_sum', labels) ?? -1) >= 0);
});

test('process metrics are present with plausible values', async () => {
  const m = fresh();
  await new Promise((resolve) => setTimeout(resolve, 30));
  const parsed = parseExposition(m.render());
  const v = (name: string): number => {
    const value = valueOf(parsed, name);
    assert.equal(typeof value, 'number', `${name} missing`);
    return value as number;
  };
  const now = Date.now() / 1000;
  assert.ok(v('process_cpu_seconds_total') > 0);
  assert.ok(v('process_resident_memory_bytes') > 10e6);
  assert.ok(v('process_virtual_memory_bytes') >= v('process_resident_memory_bytes'));
  const start = v('process_start_time_seconds');
  assert.ok(start <= now && start > now - process.uptime() - 5, `start ${start}`);
  assert.ok(v('process_open_fds') >= 3);
  assert.ok(v('process_max_fds') >= v('process_open_fds'));
  assert.ok(v('nodejs_heap_used_bytes') > 1e6);
  const lag = v('nodejs_eventloop_lag_seconds');
  assert.ok(lag >= 0 && lag < 5, `lag ${lag}`);
  assert.equal(parsed.get('process_cpu_seconds_total')?.type, 'counter');
});
