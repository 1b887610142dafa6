// Workload identity names, as Linkerd users know them: a DNS-style name for the TLS SAN and a
// SPIFFE URI for tools that speak SPIFFE. Both derive from a service account and a trust domain.

export const DEFAULT_TRUST_DOMAIN = 'cluster.local';

export interface ServiceAccountRef {
  namespace: string;
  serviceAccount: string;
}

/** `<serviceaccount>.<namespace>.serviceaccount.identity.loom.<trust-domain>` */
export function identityName(sa: ServiceAccountRef, trustDomain: string): string {
  return `${sa.serviceAccount}.${sa.namespace}.serviceaccount.identity.loom.${trustDomain}`;
}

/** `spiffe://<trust-domain>/ns/<namespace>/sa/<serviceaccount>` */
export function spiffeId(sa: ServiceAccountRef, trustDomain: string): string {
  return `spiffe://${trustDomain}/ns/${sa.namespace}/sa/${sa.serviceAccount}`;
}

const IDENTITY_PATTERN = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.([a-z0-9]([-a-z0-9]*[a-z0-9])?)\.serviceaccount\.identity\.loom\.(.+)$/;

/** The parts of an identity name, or undefined when the name is not one. */
export function parseIdentityName(name: string): (ServiceAccountRef & { trustDomain: string }) | undefined {
  const m = IDENTITY_PATTERN.exec(name);
  if (m === null) return undefined;
  return { serviceAccount: m[1] as string, namespace: m[3] as string, trustDomain: m[5] as string };
}

/** The control plane's own service account: its identity is the only one proxies let tap them. */
export const CONTROLLER_SERVICE_ACCOUNT: ServiceAccountRef = { namespace: 'loom', serviceAccount: 'loom-controller' };
