// Renders the results: a markdown table for the terminal and the full RESULTS.md.
import { writeFileSync } from 'node:fs';
import { MB, fmtRatio } from './summary.mjs';

const num = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const mb = (kbList) => kbList.map((kb) => num((kb * 1024) / MB, 1)).join(' / ') || '-';

function row(r) {
  if (r.error) return [r.name, 'FAILED', '', '', '', '', '', '', '', '', '', r.error.split('\n')[0]];
  const h = r.http;
  const g = r.grpc;
  const grpcRps = g?.na ? `n/a (${g.na})` : num(g?.rps);
  const peak = g?.peakRssKb ? h.peakRssKb.map((kb, i) => Math.max(kb, g.peakRssKb[i] ?? 0)) : h.peakRssKb;
  return [
    r.name, num(h.rps), num(h.cpuUsPerReq, 1), num(h.proxyCorePct), num(h.latency.p50Ms, 2), num(h.latency.p99Ms, 2),
    grpcRps, num(g?.cpuUsPerReq, 1), num(g?.proxyCorePct), mb(h.idleRssKb), mb(peak), r.notes.join('; '),
  ];
}

const HEAD = ['shape', 'HTTP req/s', 'CPU µs/req', 'core %', 'p50 ms @1k/s', 'p99 ms @1k/s',
  'gRPC req/s', 'gRPC CPU µs/req', 'gRPC core %', 'idle RSS MB', 'peak RSS MB', 'notes'];

export function table(results) {
  const rows = [HEAD, HEAD.map(() => '---'), ...results.map(row)];
  return rows.map((cells) => `| ${cells.join(' | ')} |`).join('\n');
}

export function ratioLines(ratioList) {
  return ratioList.map((r) => `- ${r.label}: **${fmtRatio(r.value)}**`).join('\n');
}

export function targetTable(targetList) {
  return ['| target | measured | verdict |', '| --- | --- | --- |',
    ...targetList.map((t) => `| ${t.target} | ${t.measured} | **${t.verdict}** |`)].join('\n');
}

export function writeResults(file, { machine, layout, layoutWhy, plan, args, results, ratioList, targetList }) {
  const v = machine.versions;
  const failures = results.filter((r) => r.error);
  const text = `# Loom benchmark results

Written by \`npm run bench\` (bench/run.mjs)${args.quick ? ' in --quick mode (short durations: a smoke test, not a measurement)' : ''}.
Date: ${machine.date}. Shapes: ${results.map((r) => r.name).join(', ')}.

## Machine
- nproc: ${machine.nproc}; CPU: ${machine.cpuModel}; memory: ${machine.memory}; kernel: ${machine.kernel}
- busy before the run (other work on the machine): ${num(machine.busyBefore * 100)} % of all cores
- scheduler noise (a pinned busy thread's gaps over 1 ms): ${machine.jitter.map((j) => `CPU ${j.cpu}: ${num(j.stallsPerSec, 1)}/s, longest ${num(j.maxStallMs, 1)} ms`).join('; ')}.
  Stalls like these land in the p99 column of every shape alike; the direct row shows the floor.

## Versions
- node ${v.node}; loom ${v.loom}
- ${v.haproxy}
- ${v.nginx}
- ${v.wrk}
- ${v.h2load}

## Layout
${layout}

${layoutWhy}

## Method
- Upstreams: nginx (its own instance, worker_processes 1) answering \`return 200 "hello\\n"\` for HTTP/1.1; a Node
  node:http2 h2c server answering every POST with one 5-byte-prefixed message and trailers \`grpc-status: 0\` for gRPC.
- Every shape is started fresh for HTTP/1.1 and again for gRPC, and is checked with one real request
  (body and grpc-status compared) before it is loaded.
- HTTP req/s: \`wrk -t 1 -c ${plan.http.connections} -d ${plan.http.throughputS}s\` (keep-alive) after a ${plan.http.warmupS} s warm-up run.
- CPU µs/req: utime+stime from /proc/<pid>/stat of every process of every proxy of the shape (nginx master and
  worker included), delta over the measured run divided by the requests it completed. core %: the same CPU
  seconds over the run's wall time (100 % = one core busy; two-hop shapes share one core).
- p50/p99 @1k/s: bench/lib/fixed-rate.mjs, an open-loop generator (node:http, keep-alive agent) sending
  ${plan.latency.rate} req/s on a fixed schedule for ${plan.latency.seconds} s after a ${plan.latency.warmupS} s warm-up, latency measured from
  each request's scheduled send time (no coordinated omission). It runs after the throughput run.
- gRPC req/s: \`h2load -D ${plan.grpc.seconds} -c ${plan.grpc.clients} -m ${plan.grpc.streams}\` (h2c prior knowledge; content-type application/grpc,
  te: trailers, a 5-byte-prefixed message as the body) after a ${plan.grpc.warmupS} s warm-up run.
- mTLS shapes (\`loom-2hop-mtls\`, \`haproxy-2hop-mtls\`): the plaintext two-hop shapes with mutual TLS between the hops,
  TLS 1.3 only, ECDSA P-256 certificates from one issuer made with Loom's own modules (trust anchor -> issuer -> 24 h
  leaves). Hop B requires and verifies the client's certificate; hop A presents its own and verifies B's identity name
  (SNI + SAN). Loom's proxies get their certificates from a real \`loom controller\` (Identity API; one per instance,
  pinned to the proxy core, idle during the load, its CPU and memory not counted); HAProxy's are issued by the same
  issuer and read from files. Between the hops HAProxy keeps HTTP/1.1 connections alive for HTTP (ALPN http/1.1) and
  speaks h2 (ALPN h2) for gRPC; Loom multiplexes HTTP/2 over its mTLS connection for both. A Loom mTLS row fails unless
  the outbound proxy's \`response_total{tls="true",server_id="<B>"}\` grew by every request of the check and of the
  throughput run.
- idle RSS: VmRSS of each proxy (its whole process tree) after it is ready and before any request; peak RSS:
  VmHWM after the load runs (the larger of the HTTP and gRPC instances). Two-hop shapes list A / B.
  MB = 10^6 bytes.

## Results
${table(results)}

## Ratios (Loom / HAProxy)
${ratioLines(ratioList)}

## Targets
${targetTable(targetList)}
${failures.length > 0 ? `\n## Failures\n${failures.map((r) => `- ${r.name}: ${r.error}`).join('\n')}\n` : ''}`;
  writeFileSync(file, text);
}
