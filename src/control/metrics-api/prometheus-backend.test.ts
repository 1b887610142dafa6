import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MetricsBackendError } from './backend.js';
import { PrometheusBackend } from './prometheus-backend.js';
import { trafficSelector } from './stat-query.js';

type Answer = { status: number; body: string } | undefined;

/** A fake Prometheus: `answer` gets each query sent to POST <path>/api/v1/query. */
async function fakePrometheus(answer: (query: string, path: string) => Answer): Promise<{ url: string; queries: string[]; times: string[]; close(): Promise<void> }> {
  const queries: string[] = [];
  const times: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      const query = form.get('query') ?? '';
      queries.push(query);
      times.push(form.get('time') ?? 'now');
      const a = answer(query, req.url ?? '');
      if (a === undefined) return; // never answer
      res.writeHead(a.status, { 'content-type': 'application/json' });
      res.end(a.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    queries,
    times,
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const vector = (result: Array<[Record<string, string>, string]>): Answer => ({
  status: 200,
  body: JSON.stringify({ status: 'success', data: { resultType: 'vector', result: result.map(([metric, v]) => ({ metric, value: [1700000000.123, v] })) } }),
});

const VOTING = { namespace: 'emojivoto', workload: 'voting' };

test('stat answers become traffic by row: counts, quantiles (NaN is no data), connections, bytes; up per pod', async () => {
  const prom = await fakePrometheus((query, path) => {
    assert.equal(path, '/prefix/api/v1/query', 'a base URL with a path keeps it');
    if (query.startsWith('identity_cert_expiration_timestamp_seconds')) return vector([[{ namespace: 'emojivoto', pod: 'voting-0' }, '1700003600']]);
    if (query.startsWith('up')) return vector([[{ namespace: 'emojivoto', workload: 'voting', pod: 'voting-0', job: 'loom-proxy' }, '1'], [{ namespace: 'emojivoto', workload: 'web', pod: 'web-0' }, '0']]);
    if (query.includes('classification="success"')) return vector([[VOTING, '89.5']]);
    if (query.startsWith('sum by (namespace, workload) (increase(response_total')) return vector([[VOTING, '100.25'], [{ namespace: 'emojivoto', workload: 'web' }, '0']]);
    if (query.startsWith('histogram_quantile(0.5,')) return vector([[VOTING, '3.5'], [{ namespace: 'emojivoto', workload: 'web' }, 'NaN']]);
    if (query.startsWith('histogram_quantile(0.99,')) return vector([[VOTING, '+Inf']]);
    if (query.includes('tcp_open_connections')) return vector([[VOTING, '2']]);
    if (query.includes('tcp_read_bytes_total')) return vector([[VOTING, '6000']]);
    return vector([]);
  });
  try {
    const backend = new PrometheusBackend(`${prom.url}/prefix/`);
    const rows = await backend.traffic(trafficSelector({ kind: 'workload', namespace: 'emojivoto', windowMs: 60_000 }), 60_000);
    assert.deepEqual(rows.get('emojivoto/voting'), { requests: 100.25, successes: 89.5, latencyMs: { p50: 3.5, p95: undefined, p99: undefined }, tcpConnections: 2, readBytes: 6000 });
    assert.deepEqual(rows.get('emojivoto/web'), { requests: 0, successes: 0, latencyMs: { p50: undefined, p95: undefined, p99: undefined } });
    assert.equal(prom.queries.length, 8, 'one query per number');
    assert.equal(new Set(prom.times).size, 1, `every query at one instant: ${prom.times.join(', ')}`);
    assert.match(prom.times[0] ?? '', /^\d+\.\d{3}$/, 'seconds since the epoch');
    assert.deepEqual([...(await backend.proxiesUp())], [['emojivoto/voting-0', true], ['emojivoto/web-0', false]]);
    assert.deepEqual([...(await backend.certExpiries())], [['emojivoto/voting-0', 1_700_003_600_000]]);
    assert.equal(backend.description, `Prometheus at ${prom.url}/prefix/`);
  } finally {
    await prom.close();
  }
});

test('a route selector asks for the route_ families and answers per dst and rt_route, retries by result', async () => {
  const vote = { dst: 'voting.emojivoto.svc:8080', rt_route: 'POST /vote' };
  const prom = await fakePrometheus((query) => {
    if (query.includes('route_retry_total')) return vector([[{ ...vote, result: 'retried' }, '10'], [{ ...vote, result: 'budget_exhausted' }, '2']]);
    if (query.includes('classification="success"')) return vector([[vote, '30']]);
    if (query.startsWith('sum by (dst, rt_route) (increase(route_response_total')) return vector([[vote, '30'], [{ dst: 'voting.emojivoto.svc:8080' }, '5']]);
    if (query.startsWith('histogram_quantile(0.5,')) return vector([[vote, '2.5']]);
    return vector([]);
  });
  try {
    const rows = await new PrometheusBackend(prom.url).traffic(
      { direction: 'outbound', match: [['namespace', 'emojivoto'], ['workload', 'web']], prefixes: [['dst', 'voting.emojivoto.svc']], groupBy: { namespace: 'dst', name: 'rt_route' }, tcpPeer: 'dst', family: 'route_' },
      60_000,
    );
    assert.deepEqual([...rows], [['voting.emojivoto.svc:8080/POST /vote', { requests: 30, successes: 30, latencyMs: { p50: 2.5, p95: undefined, p99: undefined }, retries: { retried: 10, budget_exhausted: 2 } }]]);
    assert.equal(prom.queries.length, 6, 'HTTP numbers and retries, no TCP');
    assert.ok(prom.queries.every((q) => /route_(response_total|response_latency_ms_bucket|retry_total)\{direction="outbound",namespace="emojivoto",workload="web",/.test(q)), prom.queries.join('\n'));
  } finally {
    await prom.close();
  }
});

test('edge samples: outbound responses by label set, and the clients callees saw', async () => {
  const outbound = { namespace: 'shop', workload: 'web', dst_namespace: 'shop', dst_deployment: 'api', tls: 'true', server_id: 'api-id' };
  const prom = await fakePrometheus((query) => (query.startsWith('count by') ? vector([[{ namespace: 'shop', workload: 'api', client_id: 'web-id' }, '3']]) : vector([[outbound, '12']])));
  try {
    assert.deepEqual(await new PrometheusBackend(prom.url).edgeSamples(60_000), {
      outbound: [{ labels: outbound, requests: 12 }],
      clients: [{ namespace: 'shop', workload: 'api', clientId: 'web-id' }],
    });
  } finally {
    await prom.close();
  }
});

async function failure(backend: PrometheusBackend): Promise<string> {
  const err = await backend.proxiesUp().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof MetricsBackendError, String(err));
  return err.message;
}

test('Prometheus down, refusing a query, not Prometheus at all, or too slow: an error naming the URL and what to do', async () => {
  const gone = await fakePrometheus(() => vector([]));
  await gone.close();
  assert.match(await failure(new PrometheusBackend(gone.url)), new RegExp(`^Prometheus at ${gone.url} did not answer \\(ECONNREFUSED\\); start it, or point --prometheus-url at its base URL`));
  const refusing = await fakePrometheus(() => ({ status: 400, body: JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error' }) }));
  const silent = await fakePrometheus(() => undefined);
  try {
    assert.match(await failure(new PrometheusBackend(refusing.url)), /^Prometheus at http:\S+ answered 400 \(bad_data: parse error\) to up\{namespace!="",pod!=""\}$/);
    assert.match(await failure(new PrometheusBackend(silent.url, { timeoutMs: 50 })), /did not answer \(no answer in time\)/);
  } finally {
    await refusing.close();
    await silent.close();
  }
  const html = await fakePrometheus(() => ({ status: 404, body: '<html>not found</html>' }));
  try {
    assert.match(await failure(new PrometheusBackend(html.url)), /answered 404 without a Prometheus API response; is --prometheus-url the Prometheus server's base URL/);
  } finally {
    await html.close();
  }
});
