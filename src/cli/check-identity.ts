// The identity checks of `loom check`: trust anchors and issuer valid and chained (a warning within
// 60 days of expiry), and every proxy presenting a valid certificate for its own identity.
import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import type { MeshState } from '../platform/local/state-file.js';
import { chainProblem, dnsName, fromNow, parseCertificates, summarize } from './certificate-view.js';
import { getJson } from './check-probes.js';
import type { Check, CheckResult } from './check.js';
import type { ReplicaView } from './get.js';

const WARN_BEFORE_MS = 60 * 86_400_000;

type Identity = NonNullable<MeshState['identity']>;

export function identityChecks(state: () => MeshState, workloads: () => Promise<ReplicaView[]>, now: () => Date = () => new Date()): Check[] {
  const identity = (): Identity => {
    const id = state().identity;
    if (!id) throw new Error('this mesh was started without identity; restart it with this version of `loom up`');
    return id;
  };
  return [
    { name: 'the trust anchors are valid', run: async () => anchorsValid(identity(), now()) },
    { name: 'the identity issuer is valid and signed by a trust anchor', run: async () => issuerValid(identity(), now()) },
    { name: 'every proxy holds a valid certificate for its identity', run: async () => proxiesCertified(identity(), await workloads(), now()) },
  ];
}

function read(file: string, what: string): X509Certificate[] {
  let certs: X509Certificate[];
  try {
    certs = parseCertificates(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  if (certs.length === 0) throw new Error(`${file} holds no PEM certificate (the ${what})`);
  return certs;
}

function expiring(certs: X509Certificate[], now: Date, what: string, fix: string): CheckResult {
  const soon = certs.filter((c) => summarize(c).notAfter.getTime() - now.getTime() < WARN_BEFORE_MS);
  if (soon.length === 0) return { ok: true };
  const lines = soon.map((c) => `${what} ${summarize(c).subject} expires ${fromNow(summarize(c).notAfter, now)}`);
  return { ok: true, warn: true, hint: `${lines.join('\n')}\n${fix}` };
}

function anchorsValid(id: Identity, now: Date): CheckResult {
  const anchors = read(id.anchorsFile, 'trust anchors');
  for (const anchor of anchors) {
    const problem = chainProblem([anchor], [anchor], now);
    if (!anchor.ca) return { ok: false, hint: `${summarize(anchor).subject} in ${id.anchorsFile} is not a CA certificate` };
    if (problem) return { ok: false, hint: `trust anchor ${problem}; replace ${id.anchorsFile} (or delete .loom/identity to have \`loom up\` generate new ones)` };
  }
  return expiring(anchors, now, 'trust anchor', 'rotate the trust anchors before then: every proxy needs the new ones');
}

function issuerValid(id: Identity, now: Date): CheckResult {
  const anchors = read(id.anchorsFile, 'trust anchors');
  const issuer = read(id.issuerCertFile, 'issuer certificate');
  const problem = chainProblem(issuer, anchors, now);
  if (problem) return { ok: false, hint: `issuer ${problem}; give \`loom up\` an issuer signed by the trust anchors (--identity-issuer-certificate-file)` };
  return expiring(issuer.slice(0, 1), now, 'issuer', 'renew the issuer before then; a generated one is renewed by the next `loom up`');
}

async function proxiesCertified(id: Identity, replicas: ReplicaView[], now: Date): Promise<CheckResult> {
  const anchors = read(id.anchorsFile, 'trust anchors');
  const problems = await Promise.all(
    replicas.map(async (r) => {
      const problem = await proxyProblem(r.ports.admin, anchors, now);
      return problem === undefined ? undefined : `${r.namespace}/${r.name}: ${problem}`;
    }),
  );
  const found = problems.filter((p) => p !== undefined);
  if (found.length === 0) return { ok: true };
  return { ok: false, hint: `${found.join('\n')}\nsee why with \`loom logs <workload> --proxy\`; \`loom identity <workload>\` shows the certificate` };
}

async function proxyProblem(adminPort: number, anchors: X509Certificate[], now: Date): Promise<string | undefined> {
  const admin = `http://127.0.0.1:${adminPort}`;
  let pem: string;
  let expected: string | undefined;
  try {
    const res = await fetch(`${admin}/identity`, { signal: AbortSignal.timeout(2000) });
    pem = await res.text();
    if (res.status !== 200) return `the proxy has no certificate (${res.status}: ${pem.trim()})`;
    expected = (await getJson<{ identityLocalName?: string }>(`${admin}/config`)).identityLocalName;
  } catch (err) {
    return `the proxy admin ${admin} did not answer (${(err as Error).message})`;
  }
  const chain = parseCertificates(pem);
  const leaf = chain[0];
  if (leaf === undefined) return 'the proxy returned no certificate';
  if (dnsName(leaf) !== expected) return `the certificate names ${dnsName(leaf) || 'nothing'}, not the proxy's identity ${expected ?? '(none)'}`;
  return chainProblem(chain, anchors, now);
}
