import { test } from 'node:test';
import assert from 'node:assert/strict';
import { edgeQueries, quote, range, selector, statQueries } from './promql.js';
import { trafficSelector } from './stat-query.js';

test('the stat queries of a workload: increase over the window summed by row, histogram_quantile of summed buckets', () => {
  const q = statQueries(trafficSelector({ kind: 'workload', namespace: 'emojivoto', windowMs: 60_000 }), 60_000);
  assert.deepEqual(q, {
    requests: 'sum by (namespace, workload) (increase(response_total{direction="inbound",namespace="emojivoto"}[60s]))',
    successes: 'sum by (namespace, workload) (increase(response_total{direction="inbound",namespace="emojivoto",classification="success"}[60s]))',
    p50: 'histogram_quantile(0.5, sum by (le, namespace, workload) (increase(response_latency_ms_bucket{direction="inbound",namespace="emojivoto"}[60s])))',
    p95: 'histogram_quantile(0.95, sum by (le, namespace, workload) (increase(response_latency_ms_bucket{direction="inbound",namespace="emojivoto"}[60s])))',
    p99: 'histogram_quantile(0.99, sum by (le, namespace, workload) (increase(response_latency_ms_bucket{direction="inbound",namespace="emojivoto"}[60s])))',
    tcpConnections: 'sum by (namespace, workload) (tcp_open_connections{direction="inbound",namespace="emojivoto",peer="src"})',
    readBytes: 'sum by (namespace, workload) (increase(tcp_read_bytes_total{direction="inbound",namespace="emojivoto",peer="src"}[60s]))',
    writeBytes: 'sum by (namespace, workload) (increase(tcp_write_bytes_total{direction="inbound",namespace="emojivoto",peer="src"}[60s]))',
  });
});

test('a service reads outbound metrics by dst_service; a namespace groups by one label; --from names the sender', () => {
  const svc = statQueries(trafficSelector({ kind: 'service', namespace: 'emojivoto', name: 'voting', windowMs: 30_000 }), 30_000);
  assert.equal(svc.requests, 'sum by (dst_namespace, dst_service) (increase(response_total{direction="outbound",dst_namespace="emojivoto",dst_service="voting"}[30s]))');
  assert.equal(svc.tcpConnections, 'sum by (dst_namespace, dst_service) (tcp_open_connections{direction="outbound",dst_namespace="emojivoto",dst_service="voting",peer="dst"})');
  assert.match(statQueries(trafficSelector({ kind: 'namespace', windowMs: 3_600_000 }), 3_600_000).requests, /^sum by \(namespace\) \(increase\(response_total\{direction="inbound"\}\[3600s\]\)\)$/);
  const from = statQueries(trafficSelector({ kind: 'pod', namespace: 'a', from: { kind: 'workload', namespace: 'a', name: 'web' }, windowMs: 60_000 }), 60_000);
  assert.equal(from.requests, 'sum by (dst_namespace, dst_pod) (increase(response_total{direction="outbound",namespace="a",workload="web",dst_namespace="a"}[60s]))');
});

test('label values are escaped; ranges are whole seconds where they can be', () => {
  assert.equal(quote('a"b\\c\nd'), '"a\\"b\\\\c\\nd"');
  assert.equal(selector([['pod', 'x"}']]), '{pod="x\\"}"}');
  assert.equal(range(90_000), '90s');
  assert.equal(range(1500), '1500ms');
});

test('edges: outbound responses by caller and destination, and the client identities callees saw', () => {
  assert.deepEqual(edgeQueries(60_000), {
    outbound: 'sum by (namespace, workload, dst_namespace, dst_deployment, authority, tls, server_id, no_tls_reason) (increase(response_total{direction="outbound"}[60s])) > 0',
    clients: 'count by (namespace, workload, client_id) (last_over_time(request_total{direction="inbound",client_id!=""}[60s]))',
  });
});

test('route families: route_ and route_actual_ by dst and rt_route, a service as a dst prefix, retries by result, no TCP', () => {
  const sel = (family: 'route_' | 'route_actual_') =>
    statQueries(
      {
        direction: 'outbound',
        match: [['namespace', 'emojivoto'], ['workload', 'web']],
        prefixes: [['dst', 'voting.emojivoto.svc']],
        groupBy: { namespace: 'dst', name: 'rt_route' },
        tcpPeer: 'dst',
        family,
      },
      60_000,
    );
  const labels = 'direction="outbound",namespace="emojivoto",workload="web",dst=~"voting\\\\.emojivoto\\\\.svc.*"';
  assert.deepEqual(sel('route_'), {
    requests: `sum by (dst, rt_route) (increase(route_response_total{${labels}}[60s]))`,
    successes: `sum by (dst, rt_route) (increase(route_response_total{direction="outbound",namespace="emojivoto",workload="web",classification="success",dst=~"voting\\\\.emojivoto\\\\.svc.*"}[60s]))`,
    p50: `histogram_quantile(0.5, sum by (le, dst, rt_route) (increase(route_response_latency_ms_bucket{${labels}}[60s])))`,
    p95: `histogram_quantile(0.95, sum by (le, dst, rt_route) (increase(route_response_latency_ms_bucket{${labels}}[60s])))`,
    p99: `histogram_quantile(0.99, sum by (le, dst, rt_route) (increase(route_response_latency_ms_bucket{${labels}}[60s])))`,
    retries: `sum by (dst, rt_route, result) (increase(route_retry_total{${labels}}[60s]))`,
  });
  const actual = sel('route_actual_');
  assert.deepEqual(Object.keys(actual), ['requests', 'successes', 'p50', 'p95', 'p99'], 'attempts have no retries of their own');
  assert.equal(actual.requests, `sum by (dst, rt_route) (increase(route_actual_response_total{${labels}}[60s]))`);
  assert.equal(selector([], [['dst', 'a.b(c)*']]), '{dst=~"a\\\\.b\\\\(c\\\\)\\\\*.*"}', 'a prefix is a literal, not a pattern');
});
