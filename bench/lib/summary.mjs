// Loom/HAProxy ratios and the pass/fail targets, computed from the measured shapes.

const byName = (results) => Object.fromEntries(results.map((r) => [r.name, r]));
const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? a / b : NaN);

export const MB = 1e6; // RSS targets are in MB = 10^6 bytes (the stricter reading of "MB")

export function ratios(results) {
  const s = byName(results);
  const v = (name, pick) => {
    try {
      return pick(s[name]);
    } catch {
      return NaN;
    }
  };
  return [
    { label: 'two-hop HTTP throughput, Loom / HAProxy', value: ratio(v('loom-2hop', (r) => r.http.rps), v('haproxy-2hop', (r) => r.http.rps)) },
    { label: 'one-hop HTTP throughput, Loom / HAProxy', value: ratio(v('loom-1hop', (r) => r.http.rps), v('haproxy-1hop', (r) => r.http.rps)) },
    { label: 'one-hop p99 at 1,000 req/s, Loom / HAProxy', value: ratio(v('loom-1hop', (r) => r.http.latency.p99Ms), v('haproxy-1hop', (r) => r.http.latency.p99Ms)) },
    { label: 'two-hop p99 at 1,000 req/s, Loom / HAProxy', value: ratio(v('loom-2hop', (r) => r.http.latency.p99Ms), v('haproxy-2hop', (r) => r.http.latency.p99Ms)) },
    { label: 'one-hop gRPC throughput, Loom / HAProxy', value: ratio(v('loom-1hop', (r) => r.grpc.rps), v('haproxy-1hop', (r) => r.grpc.rps)) },
    { label: 'two-hop gRPC throughput, Loom / HAProxy', value: ratio(v('loom-2hop', (r) => r.grpc.rps), v('haproxy-2hop', (r) => r.grpc.rps)) },
    { label: 'one-hop HTTP CPU per request, Loom / HAProxy', value: ratio(v('loom-1hop', (r) => r.http.cpuUsPerReq), v('haproxy-1hop', (r) => r.http.cpuUsPerReq)) },
    { label: 'two-hop HTTP CPU per request, Loom / HAProxy', value: ratio(v('loom-2hop', (r) => r.http.cpuUsPerReq), v('haproxy-2hop', (r) => r.http.cpuUsPerReq)) },
    { label: 'two-hop mTLS HTTP throughput, Loom / HAProxy', value: ratio(v('loom-2hop-mtls', (r) => r.http.rps), v('haproxy-2hop-mtls', (r) => r.http.rps)) },
    { label: 'two-hop mTLS gRPC throughput, Loom / HAProxy', value: ratio(v('loom-2hop-mtls', (r) => r.grpc.rps), v('haproxy-2hop-mtls', (r) => r.grpc.rps)) },
    { label: 'two-hop mTLS p99 at 1,000 req/s, Loom / HAProxy', value: ratio(v('loom-2hop-mtls', (r) => r.http.latency.p99Ms), v('haproxy-2hop-mtls', (r) => r.http.latency.p99Ms)) },
    { label: 'two-hop mTLS HTTP CPU per request, Loom / HAProxy', value: ratio(v('loom-2hop-mtls', (r) => r.http.cpuUsPerReq), v('haproxy-2hop-mtls', (r) => r.http.cpuUsPerReq)) },
  ];
}

export function targets(results, ratioList) {
  const r = Object.fromEntries(ratioList.map((x) => [x.label, x.value]));
  // The memory target is the plain proxy's (static discovery, no identity); mTLS proxies also load the
  // gRPC client for the Identity API, and their RSS is reported in the table and its own row.
  const idleOf = (shapes) => results
    .filter((x) => shapes(x.name) && x.http)
    .flatMap((x) => x.http.idleRssKb.map((kb, i) => ({ mb: (kb * 1024) / MB, label: x.http.labels[i] })));
  const largest = (list) => list.reduce((a, b) => (b.mb > (a?.mb ?? -1) ? b : a), null);
  const loomIdle = idleOf((name) => name.startsWith('loom') && !name.includes('-mtls'));
  const mtlsIdle = idleOf((name) => name.startsWith('loom') && name.includes('-mtls'));
  const worst = largest(loomIdle);
  const worstIdle = worst?.mb ?? NaN;
  const worstMtls = largest(mtlsIdle);
  const judge = (value, ok) => (Number.isFinite(value) ? (ok(value) ? 'PASS' : 'FAIL') : 'not measured');
  const twoHop = r['two-hop HTTP throughput, Loom / HAProxy'];
  const p99 = r['one-hop p99 at 1,000 req/s, Loom / HAProxy'];
  const mtlsHttp = r['two-hop mTLS HTTP throughput, Loom / HAProxy'];
  const mtlsGrpc = r['two-hop mTLS gRPC throughput, Loom / HAProxy'];
  const mtlsP99 = r['two-hop mTLS p99 at 1,000 req/s, Loom / HAProxy'];
  return [
    { target: 'Loom two-hop throughput >= 0.5x HAProxy two-hop', measured: fmtRatio(twoHop), verdict: judge(twoHop, (x) => x >= 0.5) },
    { target: 'Loom one-hop p99 at 1,000 req/s <= 2x HAProxy one-hop p99', measured: fmtRatio(p99), verdict: judge(p99, (x) => x <= 2) },
    { target: 'Loom two-hop mTLS HTTP throughput >= 0.5x HAProxy two-hop mTLS', measured: fmtRatio(mtlsHttp), verdict: judge(mtlsHttp, (x) => x >= 0.5) },
    { target: 'Loom two-hop mTLS gRPC throughput >= 0.5x HAProxy two-hop mTLS', measured: fmtRatio(mtlsGrpc), verdict: judge(mtlsGrpc, (x) => x >= 0.5) },
    { target: 'Loom two-hop mTLS p99 at 1,000 req/s <= 2x HAProxy two-hop mTLS p99', measured: fmtRatio(mtlsP99), verdict: judge(mtlsP99, (x) => x <= 2) },
    { target: 'idle RSS of one Loom proxy (no identity) <= 60 MB', measured: worst ? `${worstIdle.toFixed(1)} MB (largest of ${loomIdle.length} Loom proxies: ${worst.label})` : '-', verdict: judge(worstIdle, (x) => x <= 60) },
    { target: 'idle RSS of one Loom proxy with mTLS (reported, no target)', measured: worstMtls ? `${worstMtls.mb.toFixed(1)} MB (${worstMtls.label})` : '-', verdict: worstMtls ? 'reported' : 'not measured' },
  ];
}

export function fmtRatio(x) {
  return Number.isFinite(x) ? `${x.toFixed(2)}x` : 'n/a';
}
