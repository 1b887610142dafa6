// Proof that a load took the path its variant claims, from the client proxy's own /metrics: every
// request counted on the expected route (or, for the plain mesh, on none), every response a success
// over mTLS from B, through the expected authorities, and a split's two sides each near half.
// A benchmark of the fast path labelled as the routed path would be a lie: any mismatch throws.

/** Label values of one exposition line's `{...}`; the values the proxy writes hold no quotes. */
function labels(line) {
  const out = {};
  const body = line.slice(line.indexOf('{') + 1, line.lastIndexOf('}'));
  for (const m of body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g)) out[m[1]] = m[2];
  return out;
}

const add = (map, key, n) => map.set(key, (map.get(key) ?? 0) + n);

/** The counters a load is judged by: requests per rt_route, and B's responses per authority. */
export async function readCounters(mesh, logical) {
  const res = await fetch(`http://127.0.0.1:${mesh.a.admin}/metrics`, { signal: AbortSignal.timeout(5000) });
  if (res.status !== 200) throw new Error(`${mesh.a.label}: /metrics answered ${res.status}`);
  const routes = new Map();
  const success = new Map();
  let other = 0;
  for (const line of (await res.text()).split('\n')) {
    const value = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (line.startsWith('route_request_total{')) {
      const l = labels(line);
      if (l.direction === 'outbound' && l.dst === logical) add(routes, l.rt_route, value);
    } else if (line.startsWith('response_total{')) {
      const l = labels(line);
      if (l.direction !== 'outbound') continue;
      if (l.tls === 'true' && l.server_id === mesh.identity && l.classification === 'success') add(success, l.authority, value);
      else other += value;
    }
  }
  return { routes, success, other };
}

function delta(after, before) {
  const out = new Map();
  for (const [key, n] of after) if (n - (before.get(key) ?? 0) !== 0) out.set(key, n - (before.get(key) ?? 0));
  return out;
}

const show = (map) => (map.size === 0 ? 'none' : [...map].map(([k, n]) => `${k}: ${n}`).join(', '));

/**
 * Checks one load of `requests` requests against what its variant expects ({ route, authorities });
 * returns each authority's share of the responses.
 */
export function judge(what, before, after, requests, expect) {
  const routes = delta(after.routes, before.routes);
  const success = delta(after.success, before.success);
  const fail = (why) => {
    throw new Error(`${what}: ${why} (route_request_total growth: ${show(routes)}; successful mTLS responses by authority: ${show(success)}; other responses: ${after.other - before.other}). The load did not take the path this variant claims; not reporting it.`);
  };
  if (expect.route === null && routes.size > 0) fail('the plain mesh counted requests on a route: a policy is in force');
  if (expect.route !== null) {
    if ((routes.get(expect.route) ?? 0) < requests * 0.99) fail(`route_request_total{rt_route="${expect.route}"} grew by ${routes.get(expect.route) ?? 0} for ${requests} requests`);
    if (routes.size > 1) fail('requests were counted on other routes too');
  }
  if (after.other - before.other > 0) fail(`${after.other - before.other} responses were not successes over mTLS from B`);
  const stray = [...success.keys()].filter((a) => !expect.authorities.includes(a));
  if (stray.length > 0) fail(`responses came through ${stray.join(', ')}, which this variant does not send to`);
  const total = expect.authorities.reduce((n, a) => n + (success.get(a) ?? 0), 0);
  if (total < requests * 0.99) fail(`${total} successful responses for ${requests} requests`);
  const shares = Object.fromEntries(expect.authorities.map((a) => [a, (success.get(a) ?? 0) / total]));
  const even = 1 / expect.authorities.length;
  // With thousands of requests a fair 50/50 pick lands within a few tenths of a percent of half.
  for (const [a, share] of Object.entries(shares)) if (Math.abs(share - even) > 0.1) fail(`${a} got ${(share * 100).toFixed(1)}% of the responses, not about ${(even * 100).toFixed(0)}%`);
  return shares;
}
