// The routed A/B's section of RESULTS.md.
import { BACKENDS, HIT, ROUTE_COUNT } from './policy.mjs';

export const HEADING = 'Traffic management overhead (routes + split)';
const TARGET = 0.9;
const KINDS = { http: 'HTTP/1.1', grpc: 'gRPC' };
const DESCRIBE = {
  plain: 'no policy (the fast path)',
  routed: `ServiceProfile (${ROUTE_COUNT} routes) + HTTPRoute (${ROUTE_COUNT} rules; the ${HIT}th splits 50/50, retries, 10 s timeout)`,
  profile: `ServiceProfile alone (${ROUTE_COUNT} routes; the ${HIT}th retryable, 10 s timeout)`,
  split: `HTTPRoute alone (${ROUTE_COUNT} rules; the ${HIT}th splits 50/50, no retry, no timeout)`,
};

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const f0 = (x) => x.toFixed(0);
const f1 = (x) => x.toFixed(1);
const f2 = (x) => x.toFixed(2);

function ratios(runs, variant) {
  return runs[variant].map((r, i) => r.rps / runs.plain[i].rps);
}

/** The rounds' ratios, epochs (fresh processes) separated by "/". */
function perRound(runs, rs) {
  return rs.map((r, i) => `${i > 0 && runs.plain[i].epoch !== runs.plain[i - 1].epoch ? '/ ' : ''}${f2(r)}`).join(', ').replace(/, \//g, ' /');
}

function ratioRow(kind, runs, variant) {
  const rs = ratios(runs, variant);
  const m = median(rs);
  const verdict = variant === 'routed' ? (m >= TARGET ? 'PASS' : 'FAIL') : 'reported';
  return `| ${KINDS[kind]} | ${variant} | ${f0(median(runs.plain.map((r) => r.rps)))} | ${f0(median(runs[variant].map((r) => r.rps)))} | **${f2(m)}x** | ${f2(Math.min(...rs))} – ${f2(Math.max(...rs))} | ${perRound(runs, rs)} | ${verdict} |`;
}

function cpuRow(kind, runs, variant) {
  const col = (key, fmt) => fmt(median(runs[variant].map((r) => r[key])));
  return `| ${KINDS[kind]} | ${variant} | ${col('rps', f0)} | ${col('aPct', f0)} | ${col('aUs', f1)} | ${col('bPct', f0)} | ${col('bUs', f1)} | ${col('foreignPct', f0)} |`;
}

function proofLines(results, expects) {
  const lines = [];
  for (const [kind, runs] of Object.entries(results)) {
    for (const [variant, list] of Object.entries(runs)) {
      const expect = expects[kind][variant];
      const requests = list.reduce((n, r) => n + r.requests, 0);
      const shares = expect.authorities.length > 1
        ? `; split ${expect.authorities.map((a) => `${a.split('.')[0]} ${f1(median(list.map((r) => r.shares[a])) * 100)}%`).join(' / ')} (median per load)`
        : '';
      const route = expect.route === null ? 'no route_request_total at all (no policy)' : `every request on route_request_total{rt_route="${expect.route}"}`;
      lines.push(`- ${KINDS[kind]} ${variant}: ${requests.toLocaleString('en-US')} measured requests, ${route}, every response a success over mTLS from B${shares}.`);
    }
  }
  return lines;
}

export function render({ machine, plan, results, loads, expects }) {
  const variants = plan.variants;
  const others = variants.filter((v) => v !== 'plain');
  const rows = Object.entries(results).flatMap(([kind, runs]) => others.map((v) => ratioRow(kind, runs, v)));
  const cpu = Object.entries(results).flatMap(([kind, runs]) => variants.map((v) => cpuRow(kind, runs, v)));
  return `## ${HEADING}

Written by \`node bench/routed/run.mjs\`. Date: ${machine.date}. ${machine.cpuModel}, ${machine.nproc} cores, node ${machine.versions.node}; loom ${machine.versions.loom}; machine ${f0(machine.busyBefore * 100)}% busy with other work before the run${plan.quick ? ' (--quick: a smoke test, not a measurement)' : ''}.

${variants.length} two-hop mTLS meshes run at once, each with its own \`loom controller\` (certificates, and the Destination API from its
state dir: every name's endpoint is B's inbound), its client proxy A discovering through it. They differ only in the
resources the controller stores for \`upstream.bench.svc\`:
${variants.map((v) => `- **${v}**: ${DESCRIBE[v]}`).join('\n')}

The ${ROUTE_COUNT} conditions are a path regex and a method each (equal-length regexes, so the ${HIT}th is the ${HIT}th tested); the load
(wrk \`${loads.http.method} ${loads.http.path}\`, 50 connections; h2load \`${loads.grpc.method} ${loads.grpc.path}\`, 10 clients x 10 streams) matches the ${HIT}th.
The split's backends ${BACKENDS.map((b) => `\`${b}\``).join(' and ')} are services of their own whose endpoint is the same B. Load goes to each
mesh in turn, ${plan.rounds} rounds of ${plan.seconds} s, the order changed every round, in ${plan.epochs} epoch(s): each starts every mesh
afresh and warms it for ${plan.warmupS} s, since one process can run faster or slower than another for its whole life (JIT,
heap), which taking turns does not even out. Each ratio is a round's req/s over the plain mesh's in the same round
("/" separates epochs). Target: routed >= ${TARGET}x plain.
Loom routes a service that has HTTPRoutes by them (\`src/routing/route-plan.ts\`), so in **routed** the profile gives only
its retry budget (the default) and its routes are not matched; **profile** is there to measure the profile's routes.

| load | mesh | plain req/s (median) | mesh req/s (median) | mesh / plain (median) | spread (min – max) | per round | verdict |
| --- | --- | --- | --- | --- | --- | --- | --- |
${rows.join('\n')}

Each proxy's CPU over the loads (medians; A is the client proxy the policy applies to, B the server proxy; both
share CPU ${plan.proxyCpu}; "other" is what processes not of this mesh used of that core meanwhile):

| load | mesh | req/s | A core % | A CPU µs/req | B core % | B CPU µs/req | other % of the core |
| --- | --- | --- | --- | --- | --- | --- | --- |
${cpu.join('\n')}

Checked on every load, warm-ups included, from A's /metrics (the run fails otherwise):
${proofLines(results, expects).join('\n')}
`;
}
