// Renders the "Identity and mTLS handshakes" section of RESULTS.md.
import { fmtRatio } from '../lib/summary.mjs';

export const HEADING = 'Identity and mTLS handshakes';

const num = (x, digits = 0) => (Number.isFinite(x) ? x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '-');
const errs = (e) => Object.entries(e).map(([msg, n]) => `${n} x ${msg}`).join('; ') || '0';

function handshakeRow(name, h) {
  return `| ${name} | ${num(h.perSec)} | ${num(h.serverUsPerHandshake)} | ${num(1e6 / h.serverUsPerHandshake)} | ${num(h.serverCorePct)} | ${num(h.clientCorePct)} | ${num(h.p50Ms, 2)} / ${num(h.p99Ms, 2)} | ${errs(h.errors)} |`;
}

/** What else was running: a busy machine before a run, or other work on the server core during it. */
function noise({ loom, haproxy, certify }) {
  const pct = (x) => `${Math.round(x * 100)} %`;
  const notes = [];
  for (const [name, h] of [['Loom', loom], ['HAProxy', haproxy]]) {
    if (h.busyBefore > 0.1) notes.push(`the machine was ${pct(h.busyBefore)} busy with other work just before the ${name} handshake run`);
    if (h.foreignPct > 5) notes.push(`other processes used ${Math.round(h.foreignPct)} % of the server core during the ${name} handshake run`);
  }
  if (certify.busyBefore > 0.1) notes.push(`the machine was ${pct(certify.busyBefore)} busy with other work just before the Certify run`);
  return notes.length > 0 ? `\nNoise: ${notes.join('; ')}.\n` : '';
}

export function render({ machine, layout, plan, quick, loom, haproxy, certify }) {
  const v = machine.versions;
  const s = certify.sequential;
  const c = certify.concurrent;
  return `## ${HEADING}

Written by \`node bench/identity/run.mjs${quick ? ' --quick' : ''}\`${quick ? ' (short durations: a smoke test, not a measurement)' : ''}. Date: ${machine.date}.
node ${v.node}; loom ${v.loom}; ${v.haproxy}; nproc ${machine.nproc}. ${layout}

### Full mTLS handshakes
Each handshake is a new TCP connection and a full TLS 1.3 handshake (no resumption) with a client certificate,
SNI = the server's identity, ALPN h2, then the HTTP/2 preface, timed until the server's first bytes (in TLS 1.3 the
server checks the client certificate after the client has finished, so only an answer proves it was accepted), then
closed. ${plan.handshake.clients} concurrent closed-loop clients in one Node process (node:tls) on the load-generator core, ${plan.handshake.seconds} s after a
${plan.handshake.warmupS} s warm-up. Servers: a Loom proxy's inbound (its certificate from a \`loom controller\`, which
stays idle on the same core) and HAProxy hop B of \`haproxy-2hop-mtls\` (\`verify required\`, TLS 1.3 only), each on one
core; every certificate is ECDSA P-256 from the same issuer. Both servers were first checked to answer a client with a
valid certificate and to refuse one without. Server CPU is utime+stime of the server process over the run; a server
core under ~90 % means the client core set the pace, and CPU per handshake (and the capacity it implies, 10^6 / µs)
is then the fairer comparison. Everything here runs OpenSSL 3.0 (${machine.versions.openssl}), whose full handshakes
cost far more than their elliptic-curve math (its provider and decoder layers: locks, allocations, name lookups);
that weighs on both servers and on the client alike.

| server | handshakes/s | server CPU µs/handshake | handshakes/s per server core | server core % | client core % | p50 / p99 ms | failed |
| --- | --- | --- | --- | --- | --- | --- | --- |
${handshakeRow('Loom proxy inbound', loom)}
${handshakeRow('HAProxy hop B', haproxy)}

- handshakes/s, Loom / HAProxy: **${fmtRatio(loom.perSec / haproxy.perSec)}**
- server CPU per handshake, Loom / HAProxy: **${fmtRatio(loom.serverUsPerHandshake / haproxy.serverUsPerHandshake)}**

### Certify issuance
A real \`loom controller\` process (Identity API on h2c, pinned to the proxy core) and, on the load-generator core, the
proxy's own Identity API client (dist/proxy/identity/certify-client.js, @connectrpc/connect-node, one HTTP/2
connection). Every call carries a CSR for a fresh P-256 key (made before the clock starts) and a valid ES256 token;
the controller verifies the token and the CSR and signs a 24 h leaf. ${certify.warmup} warm-up calls first.

| measure | value |
| --- | --- |
| sequential: ${num(s.calls)} calls, one at a time, latency p50 / p95 / p99 / max | ${num(s.p50Ms, 2)} / ${num(s.p95Ms, 2)} / ${num(s.p99Ms, 2)} / ${num(s.maxMs, 2)} ms (${num(s.perSec)} calls/s) |
| ${c.callers} concurrent callers: ${num(c.calls)} calls | ${num(c.perSec)} issuances/s in ${num(c.seconds, 1)} s; latency p50 / p99 ${num(c.p50Ms, 1)} / ${num(c.p99Ms, 1)} ms |
| controller CPU per issuance (concurrent) / controller core % | ${num(c.controllerCpuMsPerCall, 2)} ms / ${num(c.controllerCorePct)} % |
| failed calls | ${errs(certify.errors)} |
${noise({ loom, haproxy, certify })}`;
}
