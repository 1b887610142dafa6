// `loom identity <workload>`: the certificate each replica's proxy presents (subject, names, issuer,
// validity) and whether it chains to the mesh's trust anchors.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { chainProblem, dnsName, fromNow, parseCertificates, summarize } from './certificate-view.js';
import { getJson } from './check-probes.js';
import type { ReplicaView } from './get.js';
import type { CliIO } from './io.js';
import { runningMesh } from './mesh-client.js';

export interface IdentityOptions {
  target: string;
  namespace: string | undefined;
  output: string;
  stateDir: string;
  now?: Date;
}

export async function runIdentity(opts: IdentityOptions, io: CliIO): Promise<number> {
  if (opts.output !== 'text' && opts.output !== 'pem') {
    io.err(`loom identity: unknown output "${opts.output}"; supported: text, pem\n`);
    return 2;
  }
  const state = runningMesh(opts.stateDir, io, 'identity');
  if (!state) return 1;
  let replicas: ReplicaView[];
  try {
    replicas = (await getJson<{ replicas: ReplicaView[] }>(`${state.admin}/api/workloads`)).replicas;
  } catch (err) {
    io.err(`loom identity: the mesh admin at ${state.admin} did not answer (${(err as Error).message}); is \`loom up\` still running?\n`);
    return 1;
  }
  const chosen = replicas.filter(
    (r) => (r.workload === opts.target || r.name === opts.target) && (opts.namespace === undefined || r.namespace === opts.namespace),
  );
  if (chosen.length === 0) {
    const known = [...new Set(replicas.map((r) => `${r.namespace}/${r.workload}`))].join(', ');
    io.err(`loom identity: no workload or replica "${opts.target}"${opts.namespace ? ` in namespace ${opts.namespace}` : ''}; the mesh runs: ${known}\n`);
    return 1;
  }
  const anchors = state.identity ? parseCertificates(readFileSync(state.identity.anchorsFile, 'utf8')) : [];
  let failed = 0;
  for (const replica of chosen) {
    const pem = await proxyCertificate(replica);
    if (typeof pem !== 'string') {
      io.err(`${replica.namespace}/${replica.name}: ${pem.error}\n`);
      failed++;
      continue;
    }
    if (opts.output === 'pem') io.out(pem);
    else io.out(describe(replica, parseCertificates(pem), anchors, opts.now ?? new Date()));
  }
  return failed === 0 ? 0 : 1;
}

async function proxyCertificate(r: ReplicaView): Promise<string | { error: string }> {
  try {
    const res = await fetch(`http://127.0.0.1:${r.ports.admin}/identity`, { signal: AbortSignal.timeout(2000) });
    const text = await res.text();
    return res.status === 200 ? text : { error: `the proxy answered ${res.status}: ${text.trim()}` };
  } catch (err) {
    return { error: `the proxy admin 127.0.0.1:${r.ports.admin} did not answer (${(err as Error).message})` };
  }
}

function describe(r: ReplicaView, chain: X509Certificate[], anchors: X509Certificate[], now: Date): string {
  const [leaf] = chain;
  if (leaf === undefined) return `${r.namespace}/${r.name}: the proxy returned no certificate\n`;
  const s = summarize(leaf);
  const problem = anchors.length === 0 ? 'no trust anchors recorded for this mesh to check against' : chainProblem(chain, anchors, now);
  const lines = [
    `${r.namespace}/${r.name}`,
    `  Identity:  ${dnsName(leaf)}`,
    `  Subject:   ${s.subject}`,
    `  Names:     ${s.names.join(', ')}`,
    `  Issuer:    ${s.issuer}`,
    `  Valid:     ${s.notBefore.toISOString()} to ${s.notAfter.toISOString()} (expires ${fromNow(s.notAfter, now)})`,
    `  Serial:    ${s.serial}`,
    `  SHA-256:   ${s.fingerprint256}`,
    `  Chain:     ${problem ?? `valid: ${chain.length} certificate(s) ending in a trust anchor of this mesh`}`,
  ];
  return `${lines.join('\n')}\n`;
}
