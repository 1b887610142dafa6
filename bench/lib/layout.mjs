// Which core runs what. Two cores: the proxies of a shape get one core to themselves; the load generator
// and the upstreams share the other. See LAYOUT_WHY (copied into RESULTS.md) for why.
// BENCH_LOADGEN_CPU / BENCH_PROXY_CPU / BENCH_UPSTREAM_CPU override it for experiments.

function cpu(name, fallback) {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

export const LAYOUT = {
  loadgen: cpu('BENCH_LOADGEN_CPU', 0),
  proxies: cpu('BENCH_PROXY_CPU', 1),
  upstream: cpu('BENCH_UPSTREAM_CPU', 0),
};

export function describeLayout() {
  return `load generator (wrk, h2load, fixed-rate) on CPU ${LAYOUT.loadgen}; ` +
    `every proxy process of the shape on CPU ${LAYOUT.proxies}; upstreams on CPU ${LAYOUT.upstream}`;
}

export const LAYOUT_WHY = `Why: the machine has two cores, and what the bench measures is the proxies, so every proxy
process of a shape runs on a core of its own and nothing else runs there. Each proxy is limited to one
core (HAProxy nbthread 1, nginx worker_processes 1, Loom one Node process), and the two-hop shapes put
both hops on that core for Loom and HAProxy alike, so the two-hop comparison is like for like. The load
generators (wrk, h2load, the Node fixed-rate generator) and the upstreams share the other core. In trials
with the upstream beside the proxies instead, HAProxy one-hop could use only ~55 % of its core (the
rest went to the upstream nginx) and measured ~30k instead of ~47k req/s: the upstream set the pace. The direct row is the ceiling of the generator+upstream core; "core %" is the proxies'
CPU time over the run's wall time, so a row near 100 % was limited by the proxy and a row well below it
by the other core. The gRPC upstream (node:http2, as specified) is much slower than nginx, so the
direct gRPC row is a low ceiling: a proxy whose gRPC row reaches it was upstream-bound.`;
