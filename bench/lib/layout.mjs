// Which core runs what. Two cores: the load generator alone on one, everything it measures on the other,
// so the generator never steals cycles from a proxy. See RESULTS.md ("Layout") for why.
// BENCH_LOADGEN_CPU / BENCH_PROXY_CPU / BENCH_UPSTREAM_CPU override it for experiments.

function cpu(name, fallback) {
  const v = process.env[name];
  return v === undefined || v === '' ? fallback : Number(v);
}

export const LAYOUT = {
  loadgen: cpu('BENCH_LOADGEN_CPU', 0),
  proxies: cpu('BENCH_PROXY_CPU', 1),
  upstream: cpu('BENCH_UPSTREAM_CPU', 1),
};

export function describeLayout() {
  return `load generator (wrk, h2load, fixed-rate) on CPU ${LAYOUT.loadgen}; ` +
    `every proxy process of the shape on CPU ${LAYOUT.proxies}; upstreams on CPU ${LAYOUT.upstream}`;
}

export const LAYOUT_WHY = `Why: the machine has two cores. The load generators (wrk, h2load, the Node fixed-rate
generator, which spins between sends for timing precision) get a core of their own so they never steal
cycles from what they measure and never add scheduling noise to latency. All proxies of a shape and the
upstreams share the other core: each proxy is limited to one core (HAProxy nbthread 1, nginx
worker_processes 1, Loom a single Node process), and the two-hop shapes put both hops on that core for
Loom and HAProxy alike, so the two-hop comparison is like for like. The upstreams are deliberately cheap
(nginx \`return 200\`), but they do take a share of the proxy core; the direct row shows what that
upstream alone can do, and "proxy core %" shows how much of the core the proxies themselves used.`;
